// Private to src/net: the server's shared state, seen by the listener, the HTTP sessions and the
// WebSocket sessions. Includes Beast/Asio; never include it from outside src/net.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "net/detail/pch.h"
#include "net/server.h"
#include "obs/metrics/registry.h"

namespace woolly::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

namespace detail {

// Anything the server must reach at shutdown: HTTP and WebSocket sessions.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Called from any thread; the session posts to its own io_context.
  virtual void begin_shutdown() = 0;
};

// Metrics children looked up once per route (label lookups take a mutex and allocate).
struct RouteStats {
  obs::Histogram* latency = nullptr;
  std::array<std::atomic<obs::Counter*>, 500> by_status{};  // index: status - 100
};

}  // namespace detail

class Server::Impl {
 public:
  Impl(ServerOptions o, Router r, obs::Registry* m);

  // Session registry (for shutdown). Thread-safe.
  uint64_t register_session(std::weak_ptr<detail::SessionBase> s);
  void unregister_session(uint64_t id);
  std::vector<std::shared_ptr<detail::SessionBase>> live_sessions();

  // Metrics, all null-safe when no registry was given.
  void record(const Route* route, Method method, int status, double seconds);
  void add_bytes(uint64_t in, uint64_t out) {
    if (bytes_in_) bytes_in_->inc(static_cast<double>(in));
    if (bytes_out_) bytes_out_->inc(static_cast<double>(out));
  }

  std::string next_request_id();

  ServerOptions opts;
  Router router;
  // Closed first thing in ~Server: handles kept by other threads (WsConnection, Responder,
  // StreamWriter) stop reaching their sessions and exchanges before the io_context, and the
  // sessions with it, are torn down.
  struct HandleGate {
    std::shared_mutex mutex;
    bool open = true;  // guarded by mutex
  };
  std::shared_ptr<HandleGate> handle_gate = std::make_shared<HandleGate>();
  struct Hook {
    BeforeHook run;
    bool blocking = false;
    InlineCheck runs_inline;  // blocking hooks only; unset = always on the pool
  };
  std::vector<Hook> hooks;
  // One io_context per I/O thread, each run by its thread alone: a connection lives on the
  // context it was accepted onto (round robin), so its handlers need no strand and a thread never
  // wakes another one to go on with a connection. The first also runs the acceptor, the signals
  // and the drain. Destroyed explicitly in ~Server, after everything that uses them.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  asio::io_context& ioc() { return *contexts.front(); }
  // The context for the next connection.
  asio::io_context& next_context() {
    return *contexts[next_context_.fetch_add(1, std::memory_order_relaxed) % contexts.size()];
  }
  // Stops every context; run() returns on every I/O thread.
  void stop_contexts();
  // Keep the contexts other than the first running while they have no connection.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> idle_guards;
  // Blocking before hooks run here (created by the first one). Joined in ~Server before the
  // contexts it posts completions to are destroyed.
  std::optional<asio::thread_pool> hook_pool;
  std::optional<ssl::context> ssl_ctx;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::optional<asio::signal_set> signals;
  std::function<void(int, int)> signal_fn;
  int signal_count = 0;  // touched only by the signal handler (one at a time)

  std::atomic<bool> draining{false};
  std::atomic<bool> shutdown_started{false};
  std::atomic<int64_t> in_flight{0};
  std::atomic<int64_t> open_connections{0};
  std::atomic<int64_t> ws_connections{0};
  std::atomic<uint64_t> total_connections{0};
  std::atomic<uint64_t> total_requests{0};
  std::atomic<uint64_t> next_ws_id{1};

  // Prebuilt header lines appended to every response (security headers, Server).
  std::string fixed_headers;

  obs::Gauge* in_flight_gauge = nullptr;
  obs::Gauge* ws_gauge = nullptr;
  obs::Gauge* connections_gauge = nullptr;

 private:
  std::mutex sessions_mu_;  // guards sessions_ and next_session_id_
  std::unordered_map<uint64_t, std::weak_ptr<detail::SessionBase>> sessions_;
  uint64_t next_session_id_ = 1;

  obs::Family<obs::Counter>* requests_ = nullptr;
  obs::Family<obs::Histogram>* latency_ = nullptr;
  obs::Counter* bytes_in_ = nullptr;
  obs::Counter* bytes_out_ = nullptr;
  std::shared_mutex stats_mu_;  // guards route_stats_ (the map; the children are atomic)
  std::unordered_map<const void*, std::unique_ptr<detail::RouteStats>> route_stats_;

  std::string id_prefix_;
  std::atomic<uint64_t> id_counter_{0};
  std::atomic<size_t> next_context_{0};
};

namespace detail {

// Starts a session for an accepted socket (plain or TLS per the options). Defined in
// http_session.cpp.
void start_http_session(Server::Impl& srv, tcp::socket socket);

}  // namespace detail
}  // namespace woolly::net
