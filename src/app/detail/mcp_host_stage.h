// The MCP host stage of start-up: Woolly's connections to the MCP servers of mcp.servers, started
// after the store and identity and before the models (docs/DESIGN.md), and the tool runner that
// lets the serving surfaces' chats use their tools.
#pragma once

#include <memory>

#include "agent/mcp_host.h"
#include "api/status_context.h"
#include "api/tool_chat.h"
#include "config/config.h"

namespace woolly::app::detail {

// Starts and initializes every enabled server (in parallel; returns when each answered or
// failed). One that cannot start is logged and retried in the background: Woolly serves without
// its tools until it is back. Null when no server is configured.
std::shared_ptr<agent::McpHost> start_mcp_host(const config::Config& config);

// The worker pool the serving surfaces run tool loops on; null without a host.
std::shared_ptr<api::ToolRunner> make_tool_runner(const config::Config& config,
                                                  std::shared_ptr<agent::McpHost> host);

// GET /api/v1/info lists the servers' states under "mcp_servers".
void report_mcp_servers(api::StatusContext& status, std::shared_ptr<agent::McpHost> host);

}  // namespace woolly::app::detail
