// HttpClient on Beast: one C++20 coroutine per request on the client's own io_context thread.
// The pool, the SSL context and every connection are touched only from that thread, so they need
// no lock.
#include "net/client/http_client.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <array>
#include <atomic>
#include <charconv>
#include <future>
#include <map>
#include <thread>
#include <vector>

namespace woolly::net::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

Result<Url> parse_url(std::string_view url) {
  Url out;
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    out.tls = true;
    rest = url.substr(8);
  } else {
    return make_error(Errc::kInvalidArgument, "URL must start with http:// or https://: " + std::string(url));
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {  // [v6]:port
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return make_error(Errc::kInvalidArgument, "bad IPv6 host in URL");
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return make_error(Errc::kInvalidArgument, "URL has no host: " + std::string(url));
  out.host = std::string(host);
  out.port = out.tls ? 443 : 80;
  if (!port.empty()) {
    unsigned p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || ptr != port.data() + port.size() || p == 0 || p > 65535)
      return make_error(Errc::kInvalidArgument, "bad port in URL: " + std::string(url));
    out.port = static_cast<uint16_t>(p);
  }
  return out;
}

namespace {

struct Connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  std::chrono::steady_clock::time_point idle_since;
  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

http::verb to_verb(Method m) {
  switch (m) {
    case Method::kGet: return http::verb::get;
    case Method::kHead: return http::verb::head;
    case Method::kPost: return http::verb::post;
    case Method::kPut: return http::verb::put;
    case Method::kPatch: return http::verb::patch;
    case Method::kDelete: return http::verb::delete_;
    case Method::kOptions: return http::verb::options;
    case Method::kOther: return http::verb::get;
  }
  return http::verb::get;
}

// Why an attempt failed: whether it may be retried (nothing of a response was received).
struct AttemptError {
  Error error;
  bool retryable = false;
};

}  // namespace

struct HttpClient::Impl {
  ClientOptions options;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  ssl::context ssl_ctx{ssl::context::tls_client};
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> pool;  // io thread only
  std::atomic<uint64_t> opened{0};
  std::atomic<bool> stopping{false};
  std::thread thread;

  explicit Impl(ClientOptions o) : options(std::move(o)) {
    if (options.verify_peer) {
      ssl_ctx.set_verify_mode(ssl::verify_peer);
      boost::system::error_code ec;
      if (!options.ca_file.empty()) {
        ssl_ctx.load_verify_file(options.ca_file, ec);
      } else {
        ssl_ctx.set_default_verify_paths(ec);
      }
      // A bad CA file shows up as a handshake error naming verification, at the first request.
    } else {
      ssl_ctx.set_verify_mode(ssl::verify_none);
    }
    thread = std::thread([this] { io.run(); });
  }

  ~Impl() {
    stopping = true;
    work.reset();
    asio::post(io, [this] { pool.clear(); });
    // In-flight requests poll `stopping` through their watchdog and end with kCancelled.
    thread.join();
  }

  static std::string key(const Url& u) {
    return (u.tls ? "https://" : "http://") + u.host + ":" + std::to_string(u.port);
  }

  std::unique_ptr<Connection> take_idle(const std::string& k) {
    auto it = pool.find(k);
    if (it == pool.end()) return nullptr;
    auto now = std::chrono::steady_clock::now();
    while (!it->second.empty()) {
      auto c = std::move(it->second.back());
      it->second.pop_back();
      if (now - c->idle_since < options.idle_keep) return c;
    }
    return nullptr;
  }

  void put_idle(const std::string& k, std::unique_ptr<Connection> c) {
    if (stopping) return;
    auto& v = pool[k];
    if (static_cast<int>(v.size()) >= options.max_idle_per_host) return;
    c->idle_since = std::chrono::steady_clock::now();
    v.push_back(std::move(c));
  }

  asio::awaitable<Result<std::unique_ptr<Connection>>> connect(const Url& u, const HttpRequest& r) {
    auto c = std::make_unique<Connection>();
    tcp::resolver resolver(io);
    auto [rec, results] = co_await resolver.async_resolve(u.host, std::to_string(u.port), kNoThrow);
    if (rec) co_return make_error(Errc::kUnavailable, "cannot resolve " + u.host + ": " + rec.message());
    c->plain = std::make_unique<beast::tcp_stream>(io);
    c->plain->expires_after(r.connect_timeout);
    auto [cec, ep] = co_await c->plain->async_connect(results, kNoThrow);
    if (cec) {
      Errc code = cec == beast::error::timeout ? Errc::kTimeout : Errc::kUnavailable;
      co_return make_error(code, "cannot connect to " + u.host + ":" + std::to_string(u.port) +
                                     ": " + cec.message());
    }
    opened++;
    if (u.tls) {
      c->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(*c->plain), ssl_ctx);
      c->plain.reset();
      if (!SSL_set_tlsext_host_name(c->tls->native_handle(), u.host.c_str()))
        co_return make_error(Errc::kUnavailable, "TLS: cannot set SNI host name");
      if (options.verify_peer) c->tls->set_verify_callback(ssl::host_name_verification(u.host));
      beast::get_lowest_layer(*c->tls).expires_after(r.connect_timeout);
      auto [hec] = co_await c->tls->async_handshake(ssl::stream_base::client, kNoThrow);
      if (hec) co_return make_error(Errc::kUnavailable, "TLS handshake with " + u.host + " failed: " + hec.message());
    }
    co_return std::move(c);
  }

  // One attempt on one connection. `c` is returned to the pool when the answer allows it.
  template <typename Stream>
  asio::awaitable<std::optional<AttemptError>> exchange(Stream& s, Connection& c, const Url& u,
                                                        const HttpRequest& r,
                                                        StreamHandlers& h, bool& keep,
                                                        const std::atomic<bool>& cancelled) {
    http::request<http::string_body> req{to_verb(r.method), u.target, 11};
    for (const auto& [name, value] : r.headers.fields()) req.set(name, value);
    req.set(http::field::host, u.host);
    if (!req.count(http::field::user_agent)) req.set(http::field::user_agent, "woolly");
    req.body() = r.body;
    req.prepare_payload();
    req.keep_alive(true);

    auto& low = c.lowest();
    low.expires_after(r.read_timeout);
    auto [wec, wn] = co_await http::async_write(s, req, kNoThrow);
    auto fail = [&](const boost::system::error_code& ec, bool any_bytes) -> AttemptError {
      if (cancelled) return {make_error(Errc::kCancelled, "request cancelled"), false};
      if (ec == beast::error::timeout)
        return {make_error(Errc::kTimeout, "upstream " + u.host + " did not answer within the read timeout"), false};
      if (any_bytes) return {make_error(Errc::kUpstream, "upstream " + u.host + " broke off its answer: " + ec.message()), false};
      return {make_error(Errc::kUnavailable, "upstream " + u.host + " closed the connection: " + ec.message()), true};
    };
    if (wec) co_return fail(wec, false);

    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    low.expires_after(r.read_timeout);
    auto [hec, hn] = co_await http::async_read_header(s, buffer, parser, kNoThrow);
    if (hec) co_return fail(hec, hn > 0);

    const auto& head = parser.get();
    Headers headers;
    for (const auto& f : head) headers.add(std::string(f.name_string()), std::string(f.value()));
    if (h.on_head) h.on_head(static_cast<int>(head.result_int()), headers);

    std::array<char, 16384> chunk;
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      low.expires_after(r.read_timeout);
      // read_some: hand over what arrived now instead of waiting to fill the chunk buffer.
      auto [rec, rn] = co_await http::async_read_some(s, buffer, parser, kNoThrow);
      if (rec == http::error::need_buffer) rec = {};
      size_t got = chunk.size() - parser.get().body().size;
      if (got > 0 && h.on_body) h.on_body(std::string_view(chunk.data(), got));
      if (rec) co_return fail(rec, true);
      if (cancelled) co_return fail(asio::error::operation_aborted, true);
    }
    keep = parser.keep_alive();
    co_return std::nullopt;
  }

  asio::awaitable<void> run(HttpRequest r, StreamHandlers h) {
    const auto t_start = std::chrono::steady_clock::now();
    auto done = [&h](Status s) {
      if (h.on_done) h.on_done(std::move(s));
    };
    auto u = parse_url(r.url);
    if (!u.ok()) co_return done(u.take_error());
    const std::string k = key(*u);

    // Watchdog: turns the caller's cancel flag (and client shutdown) into closing the socket.
    std::atomic<bool> cancelled{false};
    Connection* active = nullptr;
    auto watchdog_stop = std::make_shared<bool>(false);
    auto timer = std::make_shared<asio::steady_timer>(io);
    std::function<void()> arm;
    arm = [&, watchdog_stop, timer]() {
      timer->expires_after(std::chrono::milliseconds(20));
      timer->async_wait([&, watchdog_stop, timer](boost::system::error_code ec) {
        if (ec || *watchdog_stop) return;
        if (stopping || (r.cancelled && r.cancelled())) {
          cancelled = true;
          if (active) active->lowest().cancel();
          return;
        }
        arm();
      });
    };
    arm();
    struct StopWatchdog {
      std::shared_ptr<bool> stop;
      std::shared_ptr<asio::steady_timer> timer;
      ~StopWatchdog() { *stop = true; timer->cancel(); }
    } stop_guard{watchdog_stop, timer};

    // The delay runs in short slices so that a cancel or the client's shutdown ends it promptly.
    for (auto until = t_start + r.delay; !cancelled && std::chrono::steady_clock::now() < until;) {
      asio::steady_timer wait(io, std::min<std::chrono::steady_clock::time_point>(
                                      until, std::chrono::steady_clock::now() +
                                                 std::chrono::milliseconds(20)));
      co_await wait.async_wait(kNoThrow);
    }

    auto backoff = r.retry_backoff;
    int attempts_left = r.max_retries;
    for (;;) {
      if (cancelled) co_return done(make_error(Errc::kCancelled, "request cancelled"));
      bool reused = true;
      auto c = take_idle(k);
      if (!c) {
        reused = false;
        auto fresh = co_await connect(*u, r);
        if (!fresh.ok()) {
          Error e = fresh.take_error();
          if (cancelled) co_return done(make_error(Errc::kCancelled, "request cancelled"));
          if (e.code == Errc::kUnavailable && attempts_left-- > 0) {
            asio::steady_timer wait(io, backoff);
            backoff *= 2;
            co_await wait.async_wait(kNoThrow);
            continue;
          }
          co_return done(std::move(e));
        }
        c = std::move(fresh).value();
      }
      active = c.get();
      bool keep = false;
      std::optional<AttemptError> err;
      if (c->tls) {
        err = co_await exchange(*c->tls, *c, *u, r, h, keep, cancelled);
      } else {
        err = co_await exchange(*c->plain, *c, *u, r, h, keep, cancelled);
      }
      active = nullptr;
      if (!err) {
        if (keep) put_idle(k, std::move(c));
        co_return done(Status{});
      }
      // A pooled connection the server had closed meanwhile: try again on a fresh one, free.
      if (err->retryable && reused) continue;
      if (err->retryable && attempts_left-- > 0) {
        asio::steady_timer wait(io, backoff);
        backoff *= 2;
        co_await wait.async_wait(kNoThrow);
        continue;
      }
      co_return done(std::move(err->error));
    }
  }
};

HttpClient::HttpClient(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpClient::~HttpClient() = default;

void HttpClient::stream(HttpRequest request, StreamHandlers handlers) {
  if (impl_->stopping) {
    if (handlers.on_done) handlers.on_done(make_error(Errc::kCancelled, "HTTP client is stopping"));
    return;
  }
  asio::co_spawn(impl_->io, impl_->run(std::move(request), std::move(handlers)), asio::detached);
}

Result<HttpResponse> HttpClient::fetch(HttpRequest request) {
  auto response = std::make_shared<HttpResponse>();
  std::promise<Status> promise;
  auto future = promise.get_future();
  StreamHandlers h;
  h.on_head = [response](int status, const Headers& headers) {
    response->status = status;
    response->headers = headers;
    response->body.clear();  // a retried attempt starts over
  };
  h.on_body = [response](std::string_view bytes) { response->body.append(bytes); };
  h.on_done = [&promise](Status s) { promise.set_value(std::move(s)); };
  stream(std::move(request), std::move(h));
  Status s = future.get();
  if (!s.ok()) return s.take_error();
  return std::move(*response);
}

uint64_t HttpClient::connections_opened() const { return impl_->opened.load(); }

}  // namespace woolly::net::client
