// What an MCP server has served, by transport and by tool: the numbers behind get_server_status
// and the woolly_mcp_* metrics. A "connection" is a core session: a WebSocket connection, a
// Streamable HTTP Mcp-Session-Id (or one 2026-07-28 stateless request), a stdio process.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <string>

namespace woolly::mcp {

struct TransportStats {
  int64_t open = 0;            // connections open now
  uint64_t total = 0;          // connections opened since start
  uint64_t messages_in = 0;    // frames received (a batch counts once)
  uint64_t messages_out = 0;   // messages sent (responses, notifications, server requests)
  uint64_t errors = 0;         // JSON-RPC error responses sent
};

struct McpStats {
  std::map<std::string, TransportStats> transports;  // by transport name
  // tool -> status -> calls. Status: ok | error (isError result) | invalid (refused before the
  // handler: unknown tool, bad arguments, missing client capability) | cancelled |
  // input_required (2026-07-28 multi round-trip). Unknown tool names count as "(unknown)".
  std::map<std::string, std::map<std::string, uint64_t>> tool_calls;
};

// {"connections": {transport: {open, total, messages_in, messages_out, errors}},
//  "tool_calls": {tool: {status: n}}} for get_server_status.
boost::json::object to_json(const McpStats& stats);

}  // namespace woolly::mcp
