// Streamable HTTP transport (MCP 2025-03-26 .. 2026-07-28) at one path, usually `/mcp`:
// POST carries client messages (requests get a JSON or SSE answer, notifications/responses 202),
// GET opens the session's server-to-client SSE stream (resumable with Last-Event-ID from a bounded
// replay buffer), DELETE ends the session. Session revisions get an `Mcp-Session-Id` at initialize;
// 2026-07-28 stateless requests are each served on a short-lived core session.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "mcp/server.h"
#include "net/router.h"

namespace woolly::mcp::transport {

struct StreamableHttpOptions {
  std::string path = "/mcp";
  // Origins accepted besides loopback ones; a request with any other Origin is refused with 403
  // (DNS-rebinding protection). "*" accepts every origin.
  std::vector<std::string> allowed_origins;
  bool allow_loopback_origins = true;  // http(s)://localhost|127.0.0.1|[::1][:port]
  size_t replay_events = 512;          // per session, for Last-Event-ID resumption
  size_t max_sessions = 10'000;        // beyond: 503 for new initialize requests
  net::RouteMeta meta;                 // e.g. scope "mcp" for the auth hook
};

struct StreamableHttpStats {
  size_t sessions = 0;        // open Mcp-Session-Id sessions
  uint64_t posts = 0;         // POST requests served
  uint64_t sse_streams = 0;   // SSE streams opened (POST and GET)
};

class StreamableHttp {
 public:
  // `server` must outlive every route this registers (the app keeps both for the process).
  StreamableHttp(Server& server, StreamableHttpOptions options);
  ~StreamableHttp();  // closes every session still open
  StreamableHttp(const StreamableHttp&) = delete;
  StreamableHttp& operator=(const StreamableHttp&) = delete;

  // Registers POST, GET and DELETE on options.path.
  Status mount(net::Router& router);
  StreamableHttpStats stats() const;
  // Ends every session's GET stream (server shutdown: they never end by themselves, so the drain
  // would wait for its timeout). Sessions and in-flight POSTs are left alone.
  void end_get_streams();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

// Whether `origin` ("scheme://host[:port]") names a loopback host.
bool is_loopback_origin(std::string_view origin);

}  // namespace woolly::mcp::transport
