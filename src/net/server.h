// The HTTP/WebSocket server: listener, sessions, middleware chain. Boost stays behind a pimpl so
// that callers (app, api, tests) compile without Beast/Asio.
//
// Middleware order for every request: request id -> concurrency limit (503 + Retry-After) ->
// CORS preflight -> routing (404/405) -> before hooks (auth, rate limits; may reject) -> handler
// under the request timeout (504) -> response decoration (request id, CORS, security headers) ->
// metrics and access log. Body size (413) and header/idle timeouts are enforced while reading.
//
// Pipelining: while a connection answers one request, its reader parses the next ones ahead, up
// to max_pipelined_requests; beyond that it stops reading until answers drain (TCP flow control
// then holds the client back). Requests are handled and answered strictly in arrival order. The
// reader also notices a client that leaves mid-request and cancels the work done for it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "net/router.h"

namespace woolly::obs {
class Registry;
}

namespace woolly::net {

struct CorsOptions {
  std::vector<std::string> allowed_origins;  // exact origins or "*"; empty = CORS off
  std::vector<std::string> allowed_methods = {"GET", "POST", "PUT", "DELETE", "OPTIONS"};
  std::vector<std::string> allowed_headers = {"Authorization", "Content-Type", "X-Request-Id"};
  bool allow_credentials = false;
  int max_age = 600;  // s
};

struct ServerOptions {
  std::string bind = "127.0.0.1:0";  // ADDR:PORT, [v6]:PORT; port 0 = any free port
  int threads = 1;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds request_timeout{300'000};
  std::chrono::milliseconds drain_timeout{30'000};
  uint64_t max_body_size = 10 * 1024 * 1024;
  uint32_t max_header_size = 16 * 1024;
  int max_concurrent_requests = 100;  // beyond: 503 with Retry-After
  int max_pipelined_requests = 16;    // parsed requests waiting behind the one being answered
  int hook_threads = 4;  // threads of the pool blocking before hooks run on (started on demand)
  bool tls = false;
  std::string tls_cert_file;  // PEM chain
  std::string tls_key_file;   // PEM private key
  CorsOptions cors;
  // WebSocket
  int max_ws_connections = 100;
  uint64_t ws_max_message_size = 1024 * 1024;       // beyond: close 1009
  std::chrono::milliseconds ws_idle_timeout{60'000};  // pings sent at half of it
  bool ws_deflate = true;                             // permessage-deflate
  bool access_log = true;
  std::string server_name = "woolly";
};

// A before hook inspects a routed request (and may fill request.principal); returning an Error
// rejects the request with that error, formatted by the route's ErrorFormatter. Fields the hook
// puts in `response_headers` go out with the answer either way: on the rejection
// (WWW-Authenticate, Retry-After) and on the route's own response, streamed or not, or the
// WebSocket upgrade (X-RateLimit-*). A header the handler sets itself wins.
using BeforeHook =
    std::function<Status(Request& request, const RouteMeta& meta, Headers& response_headers)>;

// Asked on the I/O thread before a blocking hook runs: true when this request can be decided
// without blocking (a public route, a credential already in a cache), so the hook runs inline and
// the request saves the trip to the hook pool.
using InlineCheck = std::function<bool(const Request& request, const RouteMeta& meta)>;

struct ServerStats {
  uint64_t total_connections = 0;   // accepted since start
  int64_t open_connections = 0;     // HTTP connections now open
  int64_t in_flight_requests = 0;
  int64_t ws_connections = 0;
  uint64_t total_requests = 0;
};

class Server {
 public:
  // Binds the listening socket (and loads TLS files) right away, so that a port in use or a bad
  // certificate is an error here, before anything is served.
  static Result<std::unique_ptr<Server>> create(ServerOptions options, Router router,
                                                obs::Registry* metrics = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Hooks run in registration order. Call before start().
  // A hook that never blocks (no database, no network): it runs on the connection's I/O thread.
  void add_before_hook(BeforeHook hook);
  // A hook that may block (a store lookup, a Redis round trip): it runs on the server's hook pool
  // (ServerOptions::hook_threads) while the connection's coroutine waits for it, so that the I/O
  // threads keep serving other connections. `runs_inline`, when given, lets requests that can be
  // decided at once skip the pool.
  void add_blocking_before_hook(BeforeHook hook, InlineCheck runs_inline = {});

  // Runs the I/O threads; returns at once.
  void start();
  // Graceful stop, callable from any thread: stop accepting (new connections are refused), let
  // in-flight requests finish within drain_timeout, close idle keep-alive connections, close
  // WebSockets with 1001, then stop the I/O threads. wait() returns afterwards.
  void shutdown();
  // Blocks until the I/O threads have stopped.
  void wait();

  // Calls fn(signal, count) on an I/O thread for each SIGINT/SIGTERM received after start();
  // count is 1 for the first signal, 2 for the second, ...
  void on_signals(std::function<void(int signal, int count)> fn);

  uint16_t port() const;
  std::string local_address() const;  // "127.0.0.1:PORT" / "[::1]:PORT"
  ServerStats stats() const;

  class Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Splits "host:port" / "[v6]:port" / ":port"; an error names what is wrong.
struct BindAddress {
  std::string host;
  uint16_t port = 0;
};
Result<BindAddress> parse_bind(std::string_view bind);

}  // namespace woolly::net
