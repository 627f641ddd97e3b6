// `woolly-server mcp stdio`: serves one MCP session over stdin/stdout. Logs must go to stderr;
// stdout carries only JSON-RPC lines.
#pragma once

#include <chrono>
#include <cstddef>

#include "mcp/server.h"

namespace woolly::mcp {

struct StdioServerOptions {
  size_t max_line_bytes = 16 << 20;  // a longer message is answered with Invalid Request
  std::chrono::milliseconds drain_timeout{5000};  // at EOF, time given to requests in flight
};

// Reads newline-delimited messages from `in_fd` and answers on `out_fd` until `in_fd` closes (or
// fails); then lets requests in flight finish (bounded), cancels the rest and returns 0 (1 on a read error).
int run_stdio_server(Server& server, int in_fd = 0, int out_fd = 1,
                     StdioServerOptions options = {});

}  // namespace woolly::mcp
