// The tool loop: a chat request that may use MCP tools. The host's tools are offered to the model
// (through its chat template for local models, as native tools upstream); the calls it makes are
// read from native tool_calls or parsed from its text (tool_call_parser.h), run through the host
// (independent calls in parallel), appended as tool messages, and the model runs again, up to
// `max_rounds` times. A malformed call goes back to the model as an error tool message.
//
//   LoopOptions o;  o.filter = agent::intersect(request_list, key_list);
//   o.on_tool_event = [&](const ToolEvent& e) { sse.send(...); };
//   auto r = agent::run_tool_loop(backend, std::move(request), host, o);
//
// Blocks the calling thread: call it from a worker, never an I/O thread.
#pragma once

#include <functional>
#include <string>

#include "agent/mcp_host.h"
#include "backends/tool_call_parser.h"
#include "backends/backend.h"

namespace woolly::agent {

struct ToolEvent {
  enum class Kind { kStarted, kFinished, kFailed };
  Kind kind = Kind::kStarted;
  int round = 0;        // 1-based
  std::string id;       // the call id
  std::string name;     // qualified tool name
  std::string arguments;
  double ms = 0;        // kFinished / kFailed: how long the call took
  std::string error;    // kFailed
};
const char* tool_event_name(ToolEvent::Kind kind);  // "tool_call_started" | ..._finished | ..._failed

struct LoopOptions {
  int max_rounds = 8;
  ToolFilter filter;  // which host tools this request may use
  backends::ToolCallFormat format = backends::ToolCallFormat::kAuto;  // how to read calls out of text answers
  backends::StreamCallback on_event;              // the model's own stream, every round
  std::function<void(const ToolEvent&)> on_tool_event;
  // Runs on the loop's thread about every 50 ms while tool calls are in flight (e.g. to write a
  // keep-alive to a stream, which is how a server notices that its client went away).
  std::function<void()> on_wait;
};

struct LoopResult {
  backends::ChatResponse response;  // the last round's answer; usage summed over all rounds
  std::vector<backends::Message> transcript;  // the messages added (assistant calls + tool results)
  int rounds = 0;       // model runs
  int tool_calls = 0;   // calls executed (including failed ones)
};

Result<LoopResult> run_tool_loop(backends::Backend& backend, backends::ChatRequest request,
                                 McpHost& host, const LoopOptions& options);

}  // namespace woolly::agent
