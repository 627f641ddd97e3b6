#include <charconv>
#include <random>

#include <boost/asio/ip/v6_only.hpp>

#include "net/detail/middleware.h"
#include "net/detail/server_impl.h"

namespace woolly::net {

Server::Impl::Impl(ServerOptions o, Router r, obs::Registry* m)
    : opts(std::move(o)), router(std::move(r)) {
  const int n = std::max(1, opts.threads);
  for (int i = 0; i < n; ++i) {
    contexts.push_back(std::make_unique<asio::io_context>(1));  // one thread runs each
    if (i > 0) idle_guards.push_back(asio::make_work_guard(*contexts.back()));
  }
  acceptor.emplace(ioc());
  fixed_headers = detail::fixed_header_block(opts);
  std::random_device rd;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08x", rd());
  id_prefix_ = buf;
  id_prefix_ += '-';
  if (m) {
    requests_ = &m->counter("woolly_http_requests_total", "HTTP requests by route, method and status",
                            {"route", "method", "status"});
    latency_ = &m->histogram("woolly_http_request_duration_seconds",
                             "Time from the request's header to the end of its response", {"route"});
    bytes_in_ = &m->counter("woolly_http_received_bytes_total", "Request bytes received").with({});
    bytes_out_ = &m->counter("woolly_http_sent_bytes_total", "Response bytes sent").with({});
    in_flight_gauge = &m->gauge("woolly_http_requests_in_flight", "Requests being handled").with({});
    ws_gauge = &m->gauge("woolly_websocket_connections", "Open WebSocket connections").with({});
    connections_gauge = &m->gauge("woolly_http_connections", "Open HTTP connections").with({});
  }
}

void Server::Impl::stop_contexts() {
  for (auto& c : contexts) c->stop();
}

uint64_t Server::Impl::register_session(std::weak_ptr<detail::SessionBase> s) {
  std::lock_guard lock(sessions_mu_);
  uint64_t id = next_session_id_++;
  sessions_.emplace(id, std::move(s));
  return id;
}

void Server::Impl::unregister_session(uint64_t id) {
  std::lock_guard lock(sessions_mu_);
  sessions_.erase(id);
}

std::vector<std::shared_ptr<detail::SessionBase>> Server::Impl::live_sessions() {
  std::vector<std::shared_ptr<detail::SessionBase>> out;
  std::lock_guard lock(sessions_mu_);
  out.reserve(sessions_.size());
  for (auto& [id, w] : sessions_) {
    if (auto s = w.lock()) out.push_back(std::move(s));
  }
  return out;
}

void Server::Impl::record(const Route* route, Method method, int status, double seconds) {
  if (!requests_) return;
  const void* key = route;
  detail::RouteStats* rs = nullptr;
  {
    std::shared_lock lock(stats_mu_);
    auto it = route_stats_.find(key);
    if (it != route_stats_.end()) rs = it->second.get();
  }
  std::string_view label = route ? std::string_view(route->pattern) : std::string_view("unmatched");
  if (!rs) {
    std::unique_lock lock(stats_mu_);
    auto& slot = route_stats_[key];
    if (!slot) {
      slot = std::make_unique<detail::RouteStats>();
      slot->latency = &latency_->with({label});
    }
    rs = slot.get();
  }
  rs->latency->observe(seconds);
  if (status < 100 || status > 599) status = 500;
  auto& cell = rs->by_status[static_cast<size_t>(status - 100)];
  obs::Counter* c = cell.load(std::memory_order_acquire);
  if (!c) {
    // Unmatched requests share one entry whatever their method; label it by what came in.
    c = &requests_->with({label, method_name(method), std::to_string(status)});
    cell.store(c, std::memory_order_release);
  }
  c->inc();
}

std::string Server::Impl::next_request_id() {
  uint64_t n = id_counter_.fetch_add(1, std::memory_order_relaxed);
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n, 16);
  (void)ec;
  std::string id = id_prefix_;
  id.append(buf, end);
  return id;
}

Result<BindAddress> parse_bind(std::string_view bind) {
  BindAddress out;
  std::string_view host, port;
  if (!bind.empty() && bind.front() == '[') {
    size_t close = bind.find(']');
    if (close == std::string_view::npos || close + 1 >= bind.size() || bind[close + 1] != ':') {
      return make_error(Errc::kInvalidArgument, "bind address '" + std::string(bind) +
                                                    "' is not [IPv6]:PORT");
    }
    host = bind.substr(1, close - 1);
    port = bind.substr(close + 2);
  } else {
    size_t colon = bind.rfind(':');
    if (colon == std::string_view::npos) {
      return make_error(Errc::kInvalidArgument, "bind address '" + std::string(bind) +
                                                    "' has no port (ADDR:PORT)");
    }
    host = bind.substr(0, colon);
    port = bind.substr(colon + 1);
  }
  unsigned p = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc() || ptr != port.data() + port.size() || p > 65535) {
    return make_error(Errc::kInvalidArgument, "bind address '" + std::string(bind) +
                                                  "' has a bad port");
  }
  out.host = host.empty() ? "0.0.0.0" : (host == "localhost" ? "127.0.0.1" : std::string(host));
  out.port = static_cast<uint16_t>(p);
  return out;
}

namespace {

asio::awaitable<void> accept_loop(Server::Impl& srv) {
  for (;;) {
    auto [ec, socket] = co_await srv.acceptor->async_accept(
        asio::any_io_executor(srv.next_context().get_executor()),
        asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == asio::error::operation_aborted || !srv.acceptor->is_open()) co_return;
      // Out of file descriptors and the like: keep serving the open connections, retry soon.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer t(srv.ioc(), std::chrono::milliseconds(50));
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    detail::start_http_session(srv, std::move(socket));
  }
}

// Drain: wait for in-flight requests (bounded), then close WebSockets with 1001, then stop.
asio::awaitable<void> drain(Server::Impl& srv) {
  auto deadline = std::chrono::steady_clock::now() + srv.opts.drain_timeout;
  asio::steady_timer t(srv.ioc());
  // Idle keep-alive connections close now; busy ones close after their current response.
  for (auto& s : srv.live_sessions()) s->begin_shutdown();
  while (std::chrono::steady_clock::now() < deadline &&
         (srv.in_flight.load() > 0 || srv.open_connections.load() > 0)) {
    t.expires_after(std::chrono::milliseconds(10));
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (srv.in_flight.load() > 0) {
    spdlog::warn("drain timeout: {} request(s) still in flight are cut off", srv.in_flight.load());
  }
  srv.draining.store(true);  // from here on WebSocket sessions close with 1001
  for (auto& s : srv.live_sessions()) s->begin_shutdown();
  auto ws_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < ws_deadline && srv.ws_connections.load() > 0) {
    t.expires_after(std::chrono::milliseconds(10));
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (srv.signals) srv.signals->cancel();
  srv.stop_contexts();
}

}  // namespace

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  if (!impl_) return;
  {
    std::unique_lock lock(impl_->handle_gate->mutex);
    impl_->handle_gate->open = false;
  }
  impl_->stop_contexts();
  wait();
  // A hook still running finishes; its completion lands in a stopped io_context and is dropped.
  if (impl_->hook_pool) impl_->hook_pool->join();
  // The contexts go first, with the handlers they still hold (and the sessions those keep alive),
  // while the registry those sessions leave is still there; the I/O objects on them go before.
  impl_->signals.reset();
  impl_->acceptor.reset();
  impl_->idle_guards.clear();
  impl_->contexts.clear();
}

Result<std::unique_ptr<Server>> Server::create(ServerOptions options, Router router,
                                               obs::Registry* metrics) {
  WOOLLY_ASSIGN_OR_RETURN(BindAddress where, parse_bind(options.bind));
  auto impl = std::make_unique<Impl>(std::move(options), std::move(router), metrics);
  const ServerOptions& o = impl->opts;
  if (o.tls) {
    impl->ssl_ctx.emplace(ssl::context::tls_server);
    auto& ctx = *impl->ssl_ctx;
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                    ssl::context::single_dh_use);
    boost::system::error_code ec;
    ctx.use_certificate_chain_file(o.tls_cert_file, ec);
    if (ec) {
      return make_error(Errc::kInvalidArgument, "TLS certificate file '" + o.tls_cert_file +
                                                    "' cannot be used: " + ec.message());
    }
    ctx.use_private_key_file(o.tls_key_file, ssl::context::pem, ec);
    if (ec) {
      return make_error(Errc::kInvalidArgument, "TLS key file '" + o.tls_key_file +
                                                    "' cannot be used: " + ec.message());
    }
  }
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(where.host, ec);
  if (ec) {
    return make_error(Errc::kInvalidArgument, "bind host '" + where.host +
                                                  "' is not an IP address");
  }
  tcp::endpoint ep(addr, where.port);
  auto& acc = *impl->acceptor;
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  // "[::]" serves IPv4 too (dual stack) unless the system forbids it.
  if (!ec && addr.is_v6() && addr.to_v6().is_unspecified()) {
    boost::system::error_code ignore;
    acc.set_option(asio::ip::v6_only(false), ignore);
  }
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(Errc::kUnavailable, "cannot listen on " + impl->opts.bind + ": " + ec.message());
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

void Server::add_before_hook(BeforeHook hook) {
  impl_->hooks.push_back(Impl::Hook{std::move(hook), false, {}});
}

void Server::add_blocking_before_hook(BeforeHook hook, InlineCheck runs_inline) {
  if (!impl_->hook_pool) {
    impl_->hook_pool.emplace(static_cast<size_t>(std::max(1, impl_->opts.hook_threads)));
  }
  impl_->hooks.push_back(Impl::Hook{std::move(hook), true, std::move(runs_inline)});
}

void Server::start() {
  asio::co_spawn(impl_->ioc(), accept_loop(*impl_), asio::detached);
  for (auto& context : impl_->contexts) {
    impl_->threads.emplace_back([c = context.get()] { c->run(); });
  }
}

void Server::shutdown() {
  if (impl_->shutdown_started.exchange(true)) return;
  asio::post(impl_->ioc(), [impl = impl_.get()] {
    boost::system::error_code ec;
    impl->acceptor->close(ec);  // new connections are refused from here on
    asio::co_spawn(impl->ioc(), drain(*impl), asio::detached);
  });
}

void Server::wait() {
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
}

void Server::on_signals(std::function<void(int, int)> fn) {
  impl_->signal_fn = std::move(fn);
  impl_->signals.emplace(impl_->ioc(), SIGINT, SIGTERM);
  struct Waiter {
    Impl* impl;
    void operator()(const boost::system::error_code& ec, int sig) const {
      if (ec) return;
      ++impl->signal_count;
      if (impl->signal_fn) impl->signal_fn(sig, impl->signal_count);
      impl->signals->async_wait(*this);
    }
  };
  impl_->signals->async_wait(Waiter{impl_.get()});
}

uint16_t Server::port() const {
  boost::system::error_code ec;
  auto ep = impl_->acceptor->local_endpoint(ec);
  return ec ? 0 : ep.port();
}

std::string Server::local_address() const {
  boost::system::error_code ec;
  auto ep = impl_->acceptor->local_endpoint(ec);
  if (ec) return {};
  if (ep.address().is_v6()) return "[" + ep.address().to_string() + "]:" + std::to_string(ep.port());
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

ServerStats Server::stats() const {
  ServerStats s;
  s.total_connections = impl_->total_connections.load();
  s.open_connections = impl_->open_connections.load();
  s.in_flight_requests = impl_->in_flight.load();
  s.ws_connections = impl_->ws_connections.load();
  s.total_requests = impl_->total_requests.load();
  return s;
}

}  // namespace woolly::net
