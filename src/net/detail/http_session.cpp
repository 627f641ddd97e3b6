#include "net/detail/http_session.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <deque>

#include "net/detail/middleware.h"

namespace woolly::net::detail {
namespace {

using Clock = std::chrono::steady_clock;

bool is_timeout(const beast::error_code& ec) { return ec == beast::error::timeout; }

// The client closed or reset its side (or our own cancel ended the read).
bool is_gone(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == asio::error::eof || ec == asio::error::operation_aborted ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

void append_status_line(std::string& out, int status) {
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += reason_phrase(status);
  out += "\r\n";
}

void append_headers(std::string& out, const Headers& h) {
  for (const auto& [k, v] : h.fields()) {
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
}

bool is_credential_param(std::string_view name) {
  static constexpr std::string_view kNames[] = {"token", "access_token", "api_key", "key"};
  return std::any_of(std::begin(kNames), std::end(kNames), [name](std::string_view k) {
    return name.size() == k.size() &&
           std::equal(name.begin(), name.end(), k.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == b;
           });
  });
}

// The target as the access log shows it: WebSocket and some MCP clients send their credential
// as a query parameter, and a log line must never carry a usable secret. The name is compared
// as sent (not percent-decoded), which is how clients write these names.
std::string loggable_target(std::string_view target) {
  size_t q = target.find('?');
  if (q == std::string_view::npos) return std::string(target);
  std::string out(target.substr(0, q + 1));
  std::string_view rest = target.substr(q + 1);
  while (true) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && is_credential_param(pair.substr(0, eq))) {
      out += pair.substr(0, eq + 1);
      out += "***";
    } else {
      out += pair;
    }
    if (amp == std::string_view::npos) break;
    out += '&';
    rest = rest.substr(amp + 1);
  }
  return out;
}

Request to_request(http::request<http::string_body>& msg, const std::string& remote_addr,
                   uint16_t remote_port, bool tls) {
  Request req;
  std::string_view method = msg.method_string();
  req.method = parse_method(method);
  if (req.method == Method::kOther) req.method_text = std::string(method);
  std::string_view target = msg.target();
  req.target = std::string(target);
  size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  auto decoded = percent_decode(raw_path);
  req.path = decoded ? std::move(*decoded) : std::string(raw_path);
  if (q != std::string_view::npos) req.query = parse_query(target.substr(q + 1));
  req.headers.reserve(8);
  for (const auto& f : msg) req.headers.add(std::string(f.name_string()), std::string(f.value()));
  req.body = std::move(msg.body());
  req.remote_address = remote_addr;
  req.remote_port = remote_port;
  req.tls = tls;
  return req;
}

// Hook headers go out unless the handler set the same field itself.
void add_missing(Headers& to, const Headers& from) {
  for (const auto& [name, value] : from.fields()) {
    if (!to.has(name)) to.add(name, value);
  }
}

// Exceptions abort the request, never the connection, the server or a pool thread.
Status call_hook(const BeforeHook& hook, Request& req, const RouteMeta& meta, Headers& out) {
  try {
    return hook(req, meta, out);
  } catch (const std::exception& e) {
    spdlog::error("before hook threw: {}", e.what());
    return make_error(Errc::kInternal, "internal error");
  }
}

// What the response path needs from the request, which has moved into the handler by then.
struct Reply {
  Method method = Method::kGet;
  std::string request_id;
  std::optional<std::string> origin;
};

template <class Stream>
class HttpSession final : public SessionBase,
                          public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  HttpSession(Server::Impl& srv, tcp::socket socket)
      : srv_(srv),
        stream_(make_stream(srv, std::move(socket))),
        reader_wake_(lowest().get_executor()),
        dispatch_wake_(lowest().get_executor()),
        idle_timer_(lowest().get_executor()) {
    boost::system::error_code ec;
    auto ep = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) {
      remote_addr_ = ep.address().to_string();
      remote_port_ = ep.port();
    }
    beast::get_lowest_layer(stream_).socket().set_option(tcp::no_delay(true), ec);
    // Synchronous writes (write_response) return would_block instead of waiting.
    if constexpr (!kTls) beast::get_lowest_layer(stream_).socket().non_blocking(true, ec);
  }

  ~HttpSession() override {
    if (registered_) srv_.unregister_session(session_id_);
    if (counted_) {
      srv_.open_connections.fetch_sub(1);
      if (srv_.connections_gauge) srv_.connections_gauge->dec();
    }
  }

  void start() {
    session_id_ = srv_.register_session(this->weak_from_this());
    registered_ = true;
    counted_ = true;
    srv_.open_connections.fetch_add(1);
    srv_.total_connections.fetch_add(1);
    if (srv_.connections_gauge) srv_.connections_gauge->inc();
    asio::co_spawn(beast::get_lowest_layer(stream_).get_executor(),
                   [self = this->shared_from_this()] { return self->run(); }, asio::detached);
  }

  void begin_shutdown() override {
    asio::post(beast::get_lowest_layer(stream_).get_executor(),
               [self = this->shared_from_this()] {
                 self->close_after_ = true;
                 if (self->idle()) self->end_reads();
               });
  }

 private:
  static Stream make_stream(Server::Impl& srv, tcp::socket socket) {
    if constexpr (kTls) {
      return Stream(beast::tcp_stream(std::move(socket)), *srv.ssl_ctx);
    } else {
      (void)srv;
      return Stream(std::move(socket));
    }
  }

  auto& lowest() { return beast::get_lowest_layer(stream_); }

  asio::awaitable<void> run();
  asio::awaitable<void> read_loop();
  asio::awaitable<void> read_until_closed();
  asio::awaitable<void> wait_on(asio::steady_timer& event);
  asio::awaitable<bool> write_simple(int status, std::string_view message, bool close);
  asio::awaitable<bool> serve(http::request<http::string_body>&& msg, bool keep_alive);
  asio::awaitable<bool> write_response(const Reply& reply, Response& res, bool keep_alive,
                                       uint64_t& bytes_out);
  asio::awaitable<bool> write_stream(const Reply& reply, ExchangeImpl& ex,
                                     Clock::time_point deadline, bool keep_alive,
                                     uint64_t& bytes_out);
  asio::awaitable<Status> run_hooks(Request& req, const RouteMeta& meta, Headers& out);
  void decorate(const Reply& reply, Headers& h);
  // Nothing is being answered or waiting, and the reader waits for a next request.
  bool idle() const { return awaiting_request_ && !busy_ && queue_.empty(); }
  void arm_idle_timer();
  void disarm_idle_timer() { idle_deadline_ = Clock::time_point::max(); }
  void wait_idle_timer(Clock::time_point until);
  // Parses what is already buffered into `parser`, up to the end of the header or, once the header
  // is done, of the message; `ec` as Beast's reads set it, need_more cleared.
  void parse_buffered(http::request_parser<http::string_body>& parser, beast::error_code& ec);
  void end_reads() {
    beast::error_code ignore;
    lowest().socket().cancel(ignore);
  }
  void client_left();

  Server::Impl& srv_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::string remote_addr_;
  uint16_t remote_port_ = 0;
  uint64_t session_id_ = 0;
  bool registered_ = false;
  bool counted_ = false;
  // Pipelining, all on the connection's thread. read_loop() parses requests into queue_ while
  // run() answers the front one: at most opts.max_pipelined_requests wait behind it, beyond that
  // nothing more is read (TCP flow control then holds the client back). Responses go out strictly
  // in order.
  struct Pending {
    http::request<http::string_body> msg;
    bool keep_alive = true;
    int error_status = 0;  // the reader hit a protocol error: answer with it and close
    std::string error_message;
  };
  std::deque<Pending> queue_;
  asio::steady_timer reader_wake_;    // room in the queue, or the reader's turn has come
  asio::steady_timer dispatch_wake_;  // a request was queued, or the reader ended
  // Bounds the wait for a next request on an idle connection. Lazy: arming moves idle_deadline_
  // only, and the timer, when it fires before that deadline, waits again for the rest; so a
  // request costs no timer operation (and no timerfd system call) in the usual case.
  asio::steady_timer idle_timer_;
  Clock::time_point idle_deadline_ = Clock::time_point::max();  // max: disarmed
  bool idle_timer_pending_ = false;
  uint64_t idle_generation_ = 0;  // tells a superseded idle-timer wait from the current one
  std::shared_ptr<ExchangeImpl> current_;  // the exchange being answered, if any
  bool first_wait_ = true;         // no request yet: the shorter header timeout applies
  bool awaiting_request_ = false;  // the reader waits for the first byte of a next request
  bool reader_done_ = false;
  bool peer_gone_ = false;    // the client closed or reset its side
  bool stop_ = false;         // run() is done answering; the reader must end
  bool busy_ = false;         // a request is being answered
  bool close_after_ = false;  // shutting down; close after the current response
  bool upgraded_ = false;
};

template <class Stream>
asio::awaitable<void> HttpSession<Stream>::run() {
  auto self = this->shared_from_this();
  beast::error_code ec;
  if constexpr (kTls) {
    lowest().expires_after(srv_.opts.header_timeout);
    co_await stream_.async_handshake(ssl::stream_base::server,
                                     asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
  }
  asio::co_spawn(lowest().get_executor(), [self] { return self->read_loop(); }, asio::detached);
  while (true) {
    while (queue_.empty() && !reader_done_) co_await wait_on(dispatch_wake_);
    if (queue_.empty()) break;
    Pending next = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    reader_wake_.cancel();  // a queue slot is free
    bool go_on = false;
    if (next.error_status != 0) {
      co_await write_simple(next.error_status, next.error_message, true);
    } else {
      go_on = co_await serve(std::move(next.msg), next.keep_alive);
    }
    busy_ = false;
    reader_wake_.cancel();  // its turn may have come (100-continue, the answer to an upgrade)
    if (!go_on || upgraded_ || close_after_) break;
    arm_idle_timer();
  }
  stop_ = true;
  disarm_idle_timer();
  idle_timer_.cancel();
  reader_wake_.cancel();
  // After an upgrade the reader is parked off the stream, which the WebSocket now owns.
  if (upgraded_) co_return;
  // End the reader's read first: a TLS shutdown cannot share the stream with it.
  if (!reader_done_) end_reads();
  while (!reader_done_) co_await wait_on(dispatch_wake_);
  if constexpr (kTls) {
    lowest().expires_after(std::chrono::seconds(2));
    co_await stream_.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
  } else {
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
  }
}

template <class Stream>
asio::awaitable<void> HttpSession<Stream>::read_loop() {
  auto self = this->shared_from_this();
  const ServerOptions& o = srv_.opts;
  const size_t ahead = static_cast<size_t>(std::max(1, o.max_pipelined_requests));
  beast::error_code ec;
  // run() answers in order; this waits until everything read so far has been answered.
  auto my_turn = [this]() -> asio::awaitable<void> {
    while (!stop_ && (!queue_.empty() || busy_)) co_await wait_on(reader_wake_);
  };
  auto fail = [this](int status, std::string message) {
    Pending p;
    p.error_status = status;
    p.error_message = std::move(message);
    queue_.push_back(std::move(p));
  };
  while (!stop_ && !close_after_) {
    while (!stop_ && queue_.size() >= ahead) co_await wait_on(reader_wake_);
    if (stop_) break;
    if (buffer_.size() == 0) {
      // No stream timeout here: idle_timer_ bounds this wait, and only while nothing is being
      // answered (a long answer is not idleness).
      lowest().expires_never();
      awaiting_request_ = true;
      arm_idle_timer();
      size_t n = co_await stream_.async_read_some(buffer_.prepare(8192),
                                                  asio::redirect_error(asio::use_awaitable, ec));
      awaiting_request_ = false;
      disarm_idle_timer();
      if (ec) {
        if (!stop_) client_left();
        break;
      }
      buffer_.commit(n);
    }
    first_wait_ = false;
    http::request_parser<http::string_body> parser;
    parser.header_limit(o.max_header_size);
    parser.body_limit(o.max_body_size);
    // Usually the whole request is in the buffer already: no read, no timer.
    parse_buffered(parser, ec);
    if (!ec && !parser.is_header_done()) {
      // From the first byte, the whole header block must arrive within header_timeout
      // (slowloris).
      lowest().expires_after(o.header_timeout);
      co_await http::async_read_header(stream_, buffer_, parser,
                                       asio::redirect_error(asio::use_awaitable, ec));
      lowest().expires_never();
    }
    if (stop_) break;
    if (ec == http::error::body_limit) {
      // Decided from Content-Length before any of the body is buffered.
      fail(413, "request body exceeds the limit");
      break;
    }
    if (ec == http::error::header_limit) {
      fail(431, "request header block is too large");
      break;
    }
    if (is_timeout(ec)) {
      fail(408, "request header not received in time");
      break;
    }
    if (is_gone(ec)) {
      client_left();
      break;
    }
    if (ec) {
      fail(400, "malformed HTTP request");
      break;
    }
    if (parser.get()[http::field::expect] == "100-continue" && !parser.is_done()) {
      // The interim response must not land inside an earlier answer.
      co_await my_turn();
      if (stop_) break;
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      lowest().expires_after(o.idle_timeout);
      co_await asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
    }
    if (!parser.is_done()) parse_buffered(parser, ec);
    if (!ec && !parser.is_done()) {
      lowest().expires_after(o.request_timeout);
      co_await http::async_read(stream_, buffer_, parser,
                                asio::redirect_error(asio::use_awaitable, ec));
      lowest().expires_never();
      if (stop_) break;
    }
    if (ec) {
      if (ec == http::error::body_limit) {
        fail(413, "request body exceeds the limit");
        break;
      }
      if (is_timeout(ec)) {
        fail(408, "request body not received in time");
        break;
      }
      if (is_gone(ec)) {
        client_left();
        break;
      }
      if (ec) {
        fail(400, "malformed HTTP request body");
        break;
      }
    }
    lowest().expires_never();
    Pending p;
    p.keep_alive = parser.get().keep_alive();
    bool upgrade = websocket::is_upgrade(parser.get());
    p.msg = parser.release();
    bool keep_alive = p.keep_alive;
    queue_.push_back(std::move(p));
    dispatch_wake_.cancel();
    if (upgrade) {
      // If the upgrade is accepted, the stream belongs to the WebSocket: no read may be pending
      // on it, so wait for the answer before reading on.
      co_await my_turn();
      if (upgraded_ || !keep_alive) break;
    } else if (!keep_alive) {
      co_await read_until_closed();
      break;
    }
  }
  reader_done_ = true;
  dispatch_wake_.cancel();
}

template <class Stream>
asio::awaitable<void> HttpSession<Stream>::read_until_closed() {
  // Nothing after a request that closes the connection is parsed, but reading on tells when the
  // client leaves, which cancels the work still being done for it.
  beast::error_code ec;
  while (!stop_) {
    buffer_.consume(buffer_.size());
    lowest().expires_never();
    co_await stream_.async_read_some(buffer_.prepare(4096),
                                     asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (!stop_) client_left();
      break;
    }
  }
}

template <class Stream>
asio::awaitable<void> HttpSession<Stream>::wait_on(asio::steady_timer& event) {
  // An event: waiters loop on their condition, wakers cancel the timer (all on the connection's
  // thread).
  event.expires_at(asio::steady_timer::time_point::max());
  beast::error_code ec;
  co_await event.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

template <class Stream>
asio::awaitable<bool> HttpSession<Stream>::write_simple(int status, std::string_view message,
                                                        bool close) {
  Errc code = status == 413 ? Errc::kPayloadTooLarge
              : status == 408 ? Errc::kTimeout
              : Errc::kInvalidArgument;
  Response res = json_error_response(Error(code, std::string(message)));
  res.status = status;
  Reply reply;  // nothing was parsed; no CORS or client request id to echo
  reply.request_id = srv_.next_request_id();
  uint64_t out = 0;
  bool ok = co_await write_response(reply, res, !close, out);
  srv_.add_bytes(0, out);
  srv_.record(nullptr, Method::kOther, status, 0.0);
  co_return ok;
}

template <class Stream>
void HttpSession<Stream>::decorate(const Reply& reply, Headers& h) {
  h.set("X-Request-Id", reply.request_id);
  if (reply.origin) apply_cors(srv_.opts.cors, *reply.origin, h);
}

template <class Stream>
asio::awaitable<bool> HttpSession<Stream>::write_response(const Reply& reply, Response& res,
                                                          bool keep_alive, uint64_t& bytes_out) {
  decorate(reply, res.headers);
  std::string head;
  head.reserve(256 + srv_.fixed_headers.size());
  append_status_line(head, res.status);
  append_headers(head, res.headers);
  head += srv_.fixed_headers;
  bool no_body = res.status == 204 || res.status == 304 || (res.status >= 100 && res.status < 200);
  if (!no_body) {
    head += "Content-Length: ";
    head += std::to_string(res.body.size());
    head += "\r\n";
  }
  // While draining, every response closes its connection so that the drain can finish.
  bool closing = !keep_alive || close_after_ || srv_.shutdown_started.load(std::memory_order_relaxed);
  if (closing) head += "Connection: close\r\n";
  head += "\r\n";
  bool send_body = !no_body && reply.method != Method::kHead && !res.body.empty();
  std::array<asio::const_buffer, 2> bufs{asio::buffer(head),
                                         send_body ? asio::buffer(res.body) : asio::const_buffer()};
  const size_t total = bufs[0].size() + bufs[1].size();
  beast::error_code ec;
  size_t n = 0;
  if constexpr (!kTls) {
    // Most answers fit the socket's send buffer: written at once, with no operation to schedule
    // and no timer to arm. The socket is non-blocking (start()), so this never waits.
    n = lowest().socket().write_some(bufs, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) ec = {};
  }
  if (!ec && n < total) {
    beast::buffers_suffix<std::array<asio::const_buffer, 2>> rest(bufs);
    rest.consume(n);
    lowest().expires_after(srv_.opts.idle_timeout);
    n += co_await asio::async_write(stream_, rest, asio::redirect_error(asio::use_awaitable, ec));
    lowest().expires_never();
  }
  bytes_out += n;
  co_return !ec && !closing;
}

template <class Stream>
void HttpSession<Stream>::arm_idle_timer() {
  if (!idle()) {
    disarm_idle_timer();
    return;
  }
  const ServerOptions& o = srv_.opts;
  // A fresh connection gets the shorter header timeout, so that an idle open socket is not a free
  // slot for an attacker.
  idle_deadline_ = Clock::now() + (first_wait_ ? o.header_timeout : o.idle_timeout);
  // A wait that ends no later than the new deadline goes on and waits again for the rest.
  if (idle_timer_pending_ && idle_timer_.expiry() <= idle_deadline_) return;
  wait_idle_timer(idle_deadline_);
}

template <class Stream>
void HttpSession<Stream>::wait_idle_timer(Clock::time_point until) {
  idle_timer_pending_ = true;
  const uint64_t generation = ++idle_generation_;
  idle_timer_.expires_at(until);  // a wait still pending ends as superseded
  idle_timer_.async_wait([self = this->shared_from_this(), generation](beast::error_code ec) {
    if (generation != self->idle_generation_) return;
    self->idle_timer_pending_ = false;
    if (ec || self->stop_ || !self->idle()) return;
    if (self->idle_deadline_ == Clock::time_point::max()) return;
    if (Clock::now() < self->idle_deadline_) {
      self->wait_idle_timer(self->idle_deadline_);
    } else {
      self->end_reads();
    }
  });
}

template <class Stream>
void HttpSession<Stream>::parse_buffered(http::request_parser<http::string_body>& parser,
                                         beast::error_code& ec) {
  // put() stops at the end of the header (the parser is not eager), so that the header can be
  // looked at (Expect: 100-continue) before any of the body is taken.
  const bool header_was_done = parser.is_header_done();
  while (buffer_.size() > 0 && !parser.is_done()) {
    const size_t n = parser.put(buffer_.data(), ec);
    buffer_.consume(n);
    if (ec == http::error::need_more) {
      ec = {};
      return;
    }
    if (ec || n == 0) return;
    if (!header_was_done && parser.is_header_done()) return;
  }
}

template <class Stream>
void HttpSession<Stream>::client_left() {
  peer_gone_ = true;
  if (current_ && !current_->response && !current_->done) current_->cancel();
}

template <class Stream>
asio::awaitable<bool> HttpSession<Stream>::serve(http::request<http::string_body>&& msg,
                                                 bool keep_alive) {
  auto start = Clock::now();
  const ServerOptions& o = srv_.opts;
  srv_.total_requests.fetch_add(1, std::memory_order_relaxed);
  uint64_t bytes_in = msg.body().size();
  bool is_upgrade = websocket::is_upgrade(msg);
  http::request<http::string_body> upgrade_msg;
  if (is_upgrade) upgrade_msg = msg;  // Beast's accept needs the original message
  Request req = to_request(msg, remote_addr_, remote_port_, kTls);
  if (auto id = req.header("X-Request-Id"); id && acceptable_request_id(*id)) {
    req.request_id = std::string(*id);
  } else {
    req.request_id = srv_.next_request_id();
  }
  // What decoration, metrics and the access log need once the request has moved to a handler.
  Reply reply;
  reply.method = req.method;
  reply.request_id = req.request_id;
  if (auto origin = req.header("Origin")) reply.origin = std::string(*origin);
  std::string method_text(req.method_text.empty() ? method_name(req.method)
                                                   : std::string_view(req.method_text));
  std::string target = loggable_target(req.target);  // only the access log uses it

  const Route* route = nullptr;
  Response res;
  bool ok = true;
  bool answered = false;  // a stream already wrote its own response
  uint64_t bytes_out = 0;

  int64_t now_in_flight = srv_.in_flight.fetch_add(1, std::memory_order_acq_rel) + 1;
  if (srv_.in_flight_gauge) srv_.in_flight_gauge->inc();
  struct InFlight {
    Server::Impl& s;
    ~InFlight() {
      s.in_flight.fetch_sub(1, std::memory_order_acq_rel);
      if (s.in_flight_gauge) s.in_flight_gauge->dec();
    }
  } in_flight_guard{srv_};

  auto reject = [](const Error& e, const RouteMeta* meta) {
    if (meta && meta->error_formatter) return meta->error_formatter(e);
    return json_error_response(e);
  };
  Headers hook_headers;  // what the before hooks want on the answer, whatever it is

  if (now_in_flight > o.max_concurrent_requests) {
    res = reject(Error(Errc::kUnavailable, "server is at its concurrent request limit"), nullptr);
    res.headers.set("Retry-After", "1");
  } else if (auto pre = cors_preflight(o.cors, req)) {
    res = std::move(*pre);
  } else if (is_upgrade) {
    Router::Match m = srv_.router.match_ws(req.path);
    if (!m.ws_route) {
      res = reject(Error(Errc::kNotFound, "no WebSocket endpoint at " + req.path), nullptr);
    } else if (srv_.ws_connections.load() >= o.max_ws_connections) {
      res = reject(Error(Errc::kUnavailable, "too many WebSocket connections"), &m.ws_route->meta);
      res.headers.set("Retry-After", "5");
    } else if (srv_.shutdown_started.load()) {
      res = reject(Error(Errc::kUnavailable, "server is shutting down"), &m.ws_route->meta);
    } else {
      req.path_params = std::move(m.params);
      if (Status st = co_await run_hooks(req, m.ws_route->meta, hook_headers); !st.ok()) {
        res = reject(st.error(), &m.ws_route->meta);
      } else {
        upgraded_ = true;
        if (o.access_log && spdlog::should_log(spdlog::level::info)) {
          spdlog::info("{} {} {} 101 websocket id={}", remote_addr_, method_text, target,
                       reply.request_id);
        }
        srv_.add_bytes(bytes_in, 0);
        srv_.record(nullptr, reply.method, 101, 0.0);
        // The connection now belongs to the WebSocket session.
        srv_.open_connections.fetch_sub(1);
        if (srv_.connections_gauge) srv_.connections_gauge->dec();
        counted_ = false;
        start_ws_session<Stream>(srv_, std::move(stream_), std::move(upgrade_msg),
                                 std::make_shared<Request>(std::move(req)), *m.ws_route,
                                 std::move(hook_headers));
        co_return false;
      }
    }
  } else {
    Router::Match m = srv_.router.match(req.method, req.path);
    if (!m.route) {
      if (m.path_known) {
        res = reject(Error(Errc::kMethodNotAllowed,
                           method_text + " is not allowed on " + req.path), nullptr);
        res.headers.set("Allow", m.allow);
      } else {
        res = reject(Error(Errc::kNotFound, "no route for " + req.path), nullptr);
      }
    } else {
      route = m.route;
      req.path_params = std::move(m.params);
      if (Status st = co_await run_hooks(req, route->meta, hook_headers); !st.ok()) {
        res = reject(st.error(), &route->meta);
      } else {
        auto deadline = start + route->meta.timeout.value_or(o.request_timeout);
        auto ex = std::make_shared<ExchangeImpl>(lowest().get_executor(), &route->meta.error_formatter);
        try {
          route->handler(std::move(req),
                         Responder(std::make_shared<WeakExchange>(ex, srv_.handle_gate)));
        } catch (const std::exception& e) {
          // Exceptions abort the request, never the connection or the server.
          spdlog::error("handler for {} threw: {}", route->pattern, e.what());
          ex->deliver(ex->format_error(Error(Errc::kInternal, "internal error")));
        }
        // No slow work for a client that already left (the reader saw it go).
        current_ = ex;
        if (peer_gone_ && !ex->response && !ex->streaming) ex->cancel();
        bool timed_out = false;
        while (!ex->response && !ex->streaming && !ex->cancelled()) {
          if (!co_await ex->wait_until(deadline) && !ex->response && !ex->streaming) {
            timed_out = true;
            ex->cancel();
          }
        }
        if (ex->response) {
          res = std::move(*ex->response);
        } else if (ex->streaming) {
          answered = true;
          res.status = ex->stream_status;
          add_missing(ex->stream_headers, hook_headers);
          ok = co_await write_stream(reply, *ex, deadline, keep_alive, bytes_out);
        } else if (timed_out) {
          res = ex->format_error(Error(Errc::kTimeout, "request timed out"));
        } else {
          // The client went away: nothing to write; 499 in metrics and log.
          answered = true;
          res.status = 499;
          ok = false;
        }
        ex->done = true;
        current_.reset();
      }
    }
  }
  if (!answered) {
    add_missing(res.headers, hook_headers);
    ok = co_await write_response(reply, res, keep_alive, bytes_out);
  }
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  srv_.add_bytes(bytes_in, bytes_out);
  srv_.record(route, reply.method, res.status, secs);
  if (o.access_log && (!route || route->meta.access_log) &&
      spdlog::should_log(spdlog::level::info)) {
    spdlog::info("{} {} {} {} {:.3f}ms id={}", remote_addr_, method_text, target, res.status,
                 secs * 1000.0, reply.request_id);
  }
  co_return ok;
}

template <class Stream>
asio::awaitable<Status> HttpSession<Stream>::run_hooks(Request& req, const RouteMeta& meta,
                                                       Headers& out) {
  for (const Server::Impl::Hook& hook : srv_.hooks) {
    Status st;
    if (!hook.blocking || (hook.runs_inline && hook.runs_inline(req, meta))) {
      st = call_hook(hook.run, req, meta, out);
    } else {
      // The session's coroutine waits here (its thread serves other connections meanwhile; one
      // request at a time per connection) and resumes on its own executor when the pool is done.
      st = co_await asio::co_spawn(
          srv_.hook_pool->get_executor(),
          [&]() -> asio::awaitable<Status> { co_return call_hook(hook.run, req, meta, out); },
          asio::use_awaitable);
    }
    if (!st.ok()) co_return st;
  }
  co_return Status();
}

template <class Stream>
asio::awaitable<bool> HttpSession<Stream>::write_stream(const Reply& reply, ExchangeImpl& ex,
                                                        Clock::time_point deadline, bool keep_alive,
                                                        uint64_t& bytes_out) {
  Headers h = std::move(ex.stream_headers);
  decorate(reply, h);
  std::string head;
  append_status_line(head, ex.stream_status);
  append_headers(head, h);
  head += srv_.fixed_headers;
  head += "Transfer-Encoding: chunked\r\n";
  if (!keep_alive || close_after_ || srv_.shutdown_started.load()) head += "Connection: close\r\n";
  head += "\r\n";
  beast::error_code ec;
  lowest().expires_after(srv_.opts.idle_timeout);
  bytes_out += co_await asio::async_write(stream_, asio::buffer(head),
                                          asio::redirect_error(asio::use_awaitable, ec));
  std::string out;
  while (!ec) {
    while (ex.chunks.empty() && !ex.finished && !ex.cancelled()) {
      if (!co_await ex.wait_until(deadline) && ex.chunks.empty() && !ex.finished) {
        ex.cancel();  // the request deadline covers the whole stream
        break;
      }
    }
    out.clear();
    // Everything queued goes out in one write: one write in flight, as few syscalls as possible.
    while (!ex.chunks.empty()) {
      std::string& c = ex.chunks.front();
      char hex[20];
      auto [end, e2] = std::to_chars(hex, hex + sizeof hex, c.size(), 16);
      (void)e2;
      out.append(hex, end);
      out += "\r\n";
      out += c;
      out += "\r\n";
      ex.chunks.pop_front();
    }
    bool last = ex.finished || ex.cancelled();
    if (last) out += "0\r\n\r\n";
    if (!out.empty()) {
      lowest().expires_after(srv_.opts.idle_timeout);
      bytes_out += co_await asio::async_write(stream_, asio::buffer(out),
                                              asio::redirect_error(asio::use_awaitable, ec));
    }
    if (last) break;
  }
  lowest().expires_never();
  if (ec) ex.cancel();
  ex.done = true;
  co_return !ec && keep_alive && !close_after_ && !srv_.shutdown_started.load() && !ex.cancelled();
}

}  // namespace

void start_http_session(Server::Impl& srv, tcp::socket socket) {
  if (srv.opts.tls) {
    std::make_shared<HttpSession<TlsStream>>(srv, std::move(socket))->start();
  } else {
    std::make_shared<HttpSession<PlainStream>>(srv, std::move(socket))->start();
  }
}

}  // namespace woolly::net::detail
