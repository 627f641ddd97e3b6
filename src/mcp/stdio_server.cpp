#include "mcp/stdio_server.h"

#include <boost/json/serialize.hpp>

#include "mcp/fd_io.h"

namespace woolly::mcp {

int run_stdio_server(Server& server, int in_fd, int out_fd, StdioServerOptions options) {
  auto writer = std::make_shared<FdLineWriter>(out_fd);
  SessionId session = server.open_session(writer, nullptr, "stdio");
  ReadEnd end = read_lines(
      in_fd, -1, options.max_line_bytes,
      [&](std::string_view line) { server.handle(session, line); },
      [&] {
        writer->send(json::serialize(make_error(
                         nullptr, {rpc_code::kInvalidRequest,
                                   "Invalid Request: message larger than the limit", nullptr})),
                     nullptr);
      });
  server.wait_idle(session, options.drain_timeout);
  server.close_session(session);
  return end == ReadEnd::kError ? 1 : 0;
}

}  // namespace woolly::mcp
