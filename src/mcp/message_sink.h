// Where a server or client session writes its outgoing messages; a transport implements it
// (stdio: a line on stdout; Streamable HTTP: the POST's response stream or the session stream;
// WebSocket: a text frame). Implementations must accept calls from any thread.
#pragma once

#include <string>

#include <boost/json/value.hpp>

namespace woolly::mcp {

class MessageSink {
 public:
  virtual ~MessageSink() = default;
  // `text` is one serialized JSON-RPC message (or batch). `related_request` is the id of the
  // request it belongs to (its response, its progress and log notifications) so an HTTP transport
  // can route it to that request's stream; null for session-wide messages.
  virtual void send(std::string text, const boost::json::value& related_request) = 0;
};

}  // namespace woolly::mcp
