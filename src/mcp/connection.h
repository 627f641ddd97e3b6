// A live connection to one MCP server, whatever carries it: a launched child over stdio
// (StdioClient) or a Streamable HTTP endpoint (transport::HttpConnection). The MCP host holds
// servers through this interface so that supervision and restarts are the same for both.
#pragma once

#include <optional>
#include <string>

#include "mcp/client.h"

namespace woolly::mcp {

class Connection {
 public:
  virtual ~Connection() = default;  // ends the connection (stops the child, ends the session)
  virtual Client& client() = 0;
  // Why the connection is gone for good ("exited with code 1", "cannot connect to ..."), or
  // nullopt while it is usable. A host restarts a lost connection.
  virtual std::optional<std::string> lost() const = 0;
};

}  // namespace woolly::mcp
