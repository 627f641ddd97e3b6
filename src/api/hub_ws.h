// The hub WebSocket protocol at /api/v1/ws (and / for clients that connect to the root).
//
// Client -> server: {id, type: "completion"|"chat", provider: "local"|"openai"|"claude"|"ollama"|
//   "auto", model, prompt | messages, stream, maxTokens, temperature, mcp_tools}, or
//   {type: "cancel", id}. A chat with mcp_tools (api/tool_chat.h) may use the MCP servers' tools.
// Server -> client: {id, type: "chunk", data, timestamp} per piece when streaming (and {id, type:
//   "tool_call_started"|"tool_call_finished"|"tool_call_failed", tool, timestamp}), then
//   {id, type: "done", data, usage: {promptTokens, completionTokens, totalTokens}, timestamp}, or
//   {id, type: "error", error: {code, message}, timestamp}.
// Several requests may be in flight on one connection; closing the connection cancels them all.
// A malformed message gets an error message and the connection stays open. The subprotocol
// "Bearer" is negotiated back when offered (Sec-WebSocket-Protocol: Bearer, <token>), so browser
// clients can pass a token; checking it is the auth hook's job.
#pragma once

#include <memory>

#include "api/serving.h"

namespace woolly::api {

Status install_hub_ws(net::Router& router, std::shared_ptr<ServingContext> ctx);

}  // namespace woolly::api
