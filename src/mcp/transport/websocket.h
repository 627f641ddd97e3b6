// MCP over WebSocket (`/api/v1/mcp/ws`): subprotocol `mcp`, one JSON-RPC message per text frame,
// one core session per connection. A connection whose first frame is a Woolly 0.1.0 envelope
// (`{"type":"request",...}`) is served in that envelope instead. Heartbeat pings and the idle
// timeout come from the net server's WebSocket settings.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "mcp/server.h"
#include "net/router.h"

namespace woolly::mcp::transport {

struct WebSocketOptions {
  std::string path = "/api/v1/mcp/ws";
  int max_connections = 100;            // config mcp.max_ws_connections; beyond: close 1013
  uint64_t max_message_size = 1 << 20;  // config mcp.max_message_size; beyond: close 1009
  net::RouteMeta meta;                  // e.g. scope "mcp" for the auth hook
};

struct WebSocketStats {
  int64_t open_connections = 0;
  uint64_t total_connections = 0;
  uint64_t refused_connections = 0;  // over max_connections
  uint64_t messages_in = 0;
  uint64_t messages_out = 0;
};

class WebSocketTransport {
 public:
  // `server` must outlive every route this registers.
  WebSocketTransport(Server& server, WebSocketOptions options);
  ~WebSocketTransport();
  WebSocketTransport(const WebSocketTransport&) = delete;
  WebSocketTransport& operator=(const WebSocketTransport&) = delete;

  Status mount(net::Router& router);
  WebSocketStats stats() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace woolly::mcp::transport
