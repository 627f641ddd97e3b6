#include <deque>

#include "net/detail/http_session.h"

namespace woolly::net::detail {
namespace {

std::vector<std::string> split_protocols(std::string_view header) {
  std::vector<std::string> out;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view p = header.substr(0, comma);
    while (!p.empty() && (p.front() == ' ' || p.front() == '\t')) p.remove_prefix(1);
    while (!p.empty() && (p.back() == ' ' || p.back() == '\t')) p.remove_suffix(1);
    if (!p.empty()) out.emplace_back(p);
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return out;
}

// What WsConnection handles hold. A session is owned by its own coroutines on its I/O thread; a
// handle kept by another thread (a generation that finishes after the client left) must never
// become the session's last owner, or the session would be destroyed off its thread, racing
// Beast's per-service bookkeeping, or after the server and its io_context are gone.
template <class Session>
class WeakChannel final : public WsChannel {
 public:
  WeakChannel(std::weak_ptr<Session> session, std::shared_ptr<Server::Impl::HandleGate> gate)
      : session_(std::move(session)), gate_(std::move(gate)) {}
  void send(std::string message, bool binary) override {
    with_session([&](Session& s) { s.send(std::move(message), binary); });
  }
  void close(WsCloseCode code, std::string reason) override {
    with_session([&](Session& s) { s.close(code, std::move(reason)); });
  }
  bool is_open() const override {
    bool open = false;
    with_session([&](Session& s) { open = s.is_open(); });
    return open;
  }

 private:
  // The reference taken here may turn out to be the last one (the session's coroutines ended
  // meanwhile): it is dropped on the session's executor, never on the calling thread.
  template <class F>
  void with_session(F&& f) const {
    std::shared_lock gate(gate_->mutex);  // the server is not being destroyed meanwhile
    if (!gate_->open) return;
    std::shared_ptr<Session> s = session_.lock();
    if (!s) return;
    f(*s);
    auto ex = s->executor();
    asio::post(ex, [s = std::move(s)] {});
  }

  std::weak_ptr<Session> session_;
  std::shared_ptr<Server::Impl::HandleGate> gate_;
};

// One WebSocket connection. Reads run in one coroutine; writes go through a queue drained by a
// second coroutine, so there is never more than one write in flight and any thread may send
// (the pattern of Beast's chat-multi example, with coroutines).
template <class Stream>
class WsSession final : public SessionBase,
                        public WsChannel,
                        public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  WsSession(Server::Impl& srv, Stream stream, const WsRoute& route)
      : srv_(srv), ws_(std::move(stream)), route_(route) {}

  ~WsSession() override {
    if (session_id_) srv_.unregister_session(session_id_);
  }

  void start(http::request<http::string_body> upgrade, std::shared_ptr<Request> request,
             Headers extra) {
    session_id_ = srv_.register_session(this->weak_from_this());
    asio::co_spawn(executor(),
                   [self = this->shared_from_this(), up = std::move(upgrade), rq = std::move(request),
                    ex = std::move(extra)]() mutable {
                     return self->run(std::move(up), std::move(rq), std::move(ex));
                   },
                   asio::detached);
  }

  auto executor() { return beast::get_lowest_layer(ws_).get_executor(); }

  // --- WsChannel: any thread ---
  void send(std::string message, bool binary) override {
    asio::post(executor(), [self = this->shared_from_this(), m = std::move(message), binary]() mutable {
      if (!self->open_.load() || self->close_requested_) return;
      self->queue_.emplace_back(std::move(m), binary);
      self->kick_writer();
    });
  }

  void close(WsCloseCode code, std::string reason) override {
    asio::post(executor(), [self = this->shared_from_this(), code, r = std::move(reason)]() mutable {
      if (!self->open_.load() || self->close_requested_) return;
      self->close_requested_ = true;
      self->close_reason_ = websocket::close_reason(static_cast<websocket::close_code>(code), r);
      self->kick_writer();  // the close frame goes out after the queued messages
    });
  }

  bool is_open() const override { return open_.load() && !close_requested_; }

  // --- SessionBase ---
  void begin_shutdown() override {
    // During the request drain WebSockets stay up; once the server says so they get 1001.
    if (srv_.draining.load()) close(WsCloseCode::kGoingAway, "server shutting down");
  }

 private:

  void kick_writer() {
    if (writing_) return;
    writing_ = true;
    asio::co_spawn(executor(), [self = this->shared_from_this()] { return self->write_loop(); },
                   asio::detached);
  }

  asio::awaitable<void> write_loop() {
    beast::error_code ec;
    while (!queue_.empty() && open_.load()) {
      auto [msg, binary] = std::move(queue_.front());
      queue_.pop_front();
      ws_.binary(binary);
      co_await ws_.async_write(asio::buffer(msg), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      srv_.add_bytes(0, msg.size());
    }
    if (!ec && close_requested_ && open_.load() && !close_sent_) {
      close_sent_ = true;
      co_await ws_.async_close(close_reason_, asio::redirect_error(asio::use_awaitable, ec));
    }
    writing_ = false;
  }

  asio::awaitable<void> run(http::request<http::string_body> upgrade, std::shared_ptr<Request> request,
                            Headers extra) {
    auto self = this->shared_from_this();
    const ServerOptions& o = srv_.opts;
    std::string subprotocol;
    if (route_.handlers.select_subprotocol) {
      auto offered = split_protocols(upgrade[http::field::sec_websocket_protocol]);
      if (!offered.empty()) subprotocol = route_.handlers.select_subprotocol(offered);
    }
    // Beast's own timer: handshake limit, idle limit, and pings at half the idle time so that a
    // live but quiet peer is kept and a dead one is dropped.
    websocket::stream_base::timeout t;
    t.handshake_timeout = o.header_timeout;
    t.idle_timeout = o.ws_idle_timeout;
    t.keep_alive_pings = true;
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(t);
    if (o.ws_deflate) {
      websocket::permessage_deflate pmd;
      pmd.server_enable = true;
      pmd.client_enable = true;
      ws_.set_option(pmd);
    }
    ws_.read_message_max(o.ws_max_message_size);  // beyond: Beast closes with 1009
    std::string request_id = request->request_id;
    ws_.set_option(websocket::stream_base::decorator(
        [subprotocol, request_id, name = o.server_name,
         extra = std::move(extra)](websocket::response_type& res) {
          res.set(http::field::server, name);
          res.set("X-Request-Id", request_id);
          for (const auto& [k, v] : extra.fields()) res.set(k, v);
          if (!subprotocol.empty()) res.set(http::field::sec_websocket_protocol, subprotocol);
        }));
    beast::error_code ec;
    co_await ws_.async_accept(upgrade, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    open_.store(true);
    srv_.ws_connections.fetch_add(1);
    if (srv_.ws_gauge) srv_.ws_gauge->inc();
    WsConnection conn(std::make_shared<WeakChannel<WsSession>>(this->weak_from_this(), srv_.handle_gate),
                      std::move(request), subprotocol,
                      srv_.next_ws_id.fetch_add(1));
    if (route_.handlers.on_open) route_.handlers.on_open(conn);
    beast::flat_buffer buf;
    for (;;) {
      co_await ws_.async_read(buf, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      srv_.add_bytes(buf.size(), 0);
      if (route_.handlers.on_message && !close_requested_) {
        route_.handlers.on_message(conn, beast::buffers_to_string(buf.data()), ws_.got_binary());
      }
      buf.consume(buf.size());
    }
    open_.store(false);
    srv_.ws_connections.fetch_sub(1);
    if (srv_.ws_gauge) srv_.ws_gauge->dec();
    uint16_t code = ws_.reason().code;
    if (ec == websocket::error::message_too_big) code = static_cast<uint16_t>(WsCloseCode::kTooBig);
    if (ec == beast::error::timeout) code = static_cast<uint16_t>(WsCloseCode::kGoingAway);
    if (close_requested_ && code == 0) code = close_reason_.code;
    if (route_.handlers.on_close) route_.handlers.on_close(conn, code);
  }

  Server::Impl& srv_;
  websocket::stream<Stream> ws_;
  const WsRoute& route_;
  uint64_t session_id_ = 0;
  std::atomic<bool> open_{false};
  // Strand only:
  std::deque<std::pair<std::string, bool>> queue_;
  bool writing_ = false;
  bool close_requested_ = false;
  bool close_sent_ = false;
  websocket::close_reason close_reason_;
};

}  // namespace

template <class Stream>
void start_ws_session(Server::Impl& srv, Stream stream, http::request<http::string_body> upgrade,
                      std::shared_ptr<Request> request, const WsRoute& route, Headers extra) {
  auto s = std::make_shared<WsSession<Stream>>(srv, std::move(stream), route);
  s->start(std::move(upgrade), std::move(request), std::move(extra));
}

template void start_ws_session<PlainStream>(Server::Impl&, PlainStream, http::request<http::string_body>,
                                            std::shared_ptr<Request>, const WsRoute&, Headers);
template void start_ws_session<TlsStream>(Server::Impl&, TlsStream, http::request<http::string_body>,
                                          std::shared_ptr<Request>, const WsRoute&, Headers);

}  // namespace woolly::net::detail
