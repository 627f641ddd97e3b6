#include "mcp/transport/http_client_transport.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <future>
#include <mutex>
#include <vector>

#include "mcp/protocol.h"
#include "mcp/transport/detail/http_exchange.h"
#include "net/client/http_client.h"

namespace woolly::mcp::transport {

using detail::Exchange;
using detail::Outgoing;
namespace nc = net::client;

// The MessageSink the Client writes to, and everything the transport remembers about the server.
struct HttpClientConnection::State : MessageSink, std::enable_shared_from_this<State> {
  HttpClientOptions options;
  nc::HttpClient* http = nullptr;
  Client* client = nullptr;
  std::atomic<bool> closing{false};

  mutable std::mutex mutex;  // guards the members below; never held while calling out
  std::string session_id;
  std::string protocol_version;  // negotiated at initialize (session revisions)
  std::string init_text;         // the last initialize, replayed when the session is renewed
  bool renewing = false;
  uint64_t renewals = 0;
  std::vector<std::shared_ptr<Exchange>> held;  // messages waiting for the renewed session
  std::optional<std::string> lost;
  bool get_running = false;  // the session's GET stream
  std::string get_last_event_id;
  int get_failures = 0;

  void send(std::string text, const json::value& related) override;
  void post(const std::shared_ptr<Exchange>& ex);
  void post_done(const std::shared_ptr<Exchange>& ex, Status status);
  void stream_done(const std::shared_ptr<Exchange>& ex, Status status);
  void resume(const std::shared_ptr<Exchange>& ex);
  void renew(const std::shared_ptr<Exchange>& ex);
  void renewed(Status status);
  void open_session_stream(std::chrono::milliseconds delay,
                           std::shared_ptr<detail::Signal> opened = nullptr);
  void deliver(const Exchange& ex, std::string_view message);
  void fail(const Exchange& ex, Errc code, const std::string& why);
  void mark_lost(const std::string& why);
  nc::HttpRequest request(net::Method method, bool session);
  std::chrono::milliseconds retry_delay(std::optional<std::chrono::milliseconds> server) const;
};

using State = HttpClientConnection::State;

nc::HttpRequest State::request(net::Method method, bool session) {
  nc::HttpRequest r;
  r.method = method;
  r.url = options.url;
  for (const auto& [k, v] : options.headers) r.headers.set(k, v);
  r.connect_timeout = options.connect_timeout;
  // Calls have their own timeouts in the Client; an answer stream may stay quiet for long.
  r.read_timeout = std::chrono::hours(1);
  r.max_retries = 0;  // a POST must not be repeated behind the caller's back
  std::weak_ptr<State> weak = weak_from_this();
  r.cancelled = [weak] {
    auto st = weak.lock();
    return !st || st->closing.load();
  };
  if (session) {
    std::lock_guard lock(mutex);
    if (!session_id.empty()) r.headers.set("Mcp-Session-Id", session_id);
    if (!protocol_version.empty()) r.headers.set("MCP-Protocol-Version", protocol_version);
  }
  return r;
}

std::chrono::milliseconds State::retry_delay(
    std::optional<std::chrono::milliseconds> server) const {
  return std::min(server.value_or(options.default_retry), options.max_retry);
}

void State::mark_lost(const std::string& why) {
  std::lock_guard lock(mutex);
  if (!lost) lost = why;
}

void State::fail(const Exchange& ex, Errc code, const std::string& why) {
  if (ex.out.id)
    client->fail_request(*ex.out.id, Error(code, "MCP server " + options.url + ": " + why));
}

void State::deliver(const Exchange& ex, std::string_view message) {
  if (message.empty()) return;  // an SSE event without data (a stream's priming event)
  if (ex.out.method == "initialize") {
    // The negotiated version goes on every later request: learn it before the Client, woken by
    // this answer, sends the next one.
    if (auto v = detail::initialize_version(message)) {
      std::lock_guard lock(mutex);
      protocol_version = *v;
    }
  }
  client->handle(message);
}

void State::send(std::string text, const json::value&) {
  auto ex = std::make_shared<Exchange>();
  ex->out = detail::describe(text);
  ex->text = std::move(text);
  if (closing) return fail(*ex, Errc::kCancelled, "the connection is closed");
  const bool initialized = ex->out.method == "notifications/initialized" && !ex->out.modern;
  {
    std::lock_guard lock(mutex);
    if (ex->out.method == "initialize") {
      init_text = ex->text;
      session_id.clear();
      protocol_version.clear();
    }
    if (renewing) {
      held.push_back(std::move(ex));
      return;
    }
  }
  if (!initialized) return post(ex);
  // The handshake's last step: wait until the server took it, then open the session's GET stream
  // (and wait until it is open or refused), so that the first request finds both in place.
  // Only Client::connect() sends this, on a caller's thread, so the waits block no I/O.
  ex->acked = std::make_shared<detail::Signal>();
  auto acked = ex->acked;
  post(ex);
  acked->wait_for(options.connect_timeout);
  auto opened = std::make_shared<detail::Signal>();
  open_session_stream(std::chrono::milliseconds(0), opened);
  opened->wait_for(options.connect_timeout);
}

void State::post(const std::shared_ptr<Exchange>& ex) {
  const bool legacy_request = !ex->out.modern && ex->out.method != "initialize";
  nc::HttpRequest r = request(net::Method::kPost, legacy_request);
  ex->sent_session = r.headers.has("Mcp-Session-Id");
  r.body = ex->text;
  r.headers.set("Content-Type", "application/json");
  r.headers.set("Accept", "application/json, text/event-stream");
  if (ex->out.modern) {
    r.headers.set("MCP-Protocol-Version", *ex->out.modern);
    r.headers.set("Mcp-Method", ex->out.method);
    if (ex->out.name) r.headers.set("Mcp-Name", encode_header_value(*ex->out.name));
  }
  auto self = shared_from_this();
  nc::StreamHandlers h;
  h.on_head = [self, ex](int status, const net::Headers& headers) {
    // The parser belongs to the exchange and calls back only while it lives: a shared_ptr to
    // the exchange in its callback would be a cycle, and the exchange would never be freed.
    ex->begin(status, headers, self->options.max_message_bytes,
              [self, e = ex.get()](std::string_view m) { self->deliver(*e, m); });
    if (ex->out.method == "initialize" && status / 100 == 2) {
      if (auto sid = headers.get("Mcp-Session-Id")) {
        std::lock_guard lock(self->mutex);
        self->session_id = std::string(*sid);
      }
    }
  };
  h.on_body = [ex](std::string_view bytes) { ex->feed(bytes); };
  h.on_done = [self, ex](Status s) {
    self->post_done(ex, std::move(s));
    if (ex->acked) ex->acked->set();
  };
  http->stream(std::move(r), std::move(h));
}

void State::post_done(const std::shared_ptr<Exchange>& ex, Status status) {
  if (closing) return;
  if (ex->sse()) return stream_done(ex, std::move(status));
  if (!status.ok()) {
    const Error& e = status.error();
    if (e.code == Errc::kUnavailable) mark_lost(e.message);
    return fail(*ex, e.code, e.message);
  }
  if (ex->status == 404 && ex->sent_session && !ex->retried) return renew(ex);
  if (ex->too_big) {
    return fail(*ex, Errc::kPayloadTooLarge, "the answer is larger than the configured limit");
  }
  if (ex->status / 100 == 2) {
    if (!ex->body.empty()) deliver(*ex, ex->body);
    if (ex->out.id && client->pending(*ex->out.id)) {
      fail(*ex, Errc::kUpstream, "HTTP " + std::to_string(ex->status) + " without an answer");
    }
    return;
  }
  // An error status. Its body may be the JSON-RPC error for our request (2026-07-28 servers
  // answer errors with 4xx/5xx); otherwise its message says what went wrong.
  if (!ex->body.empty()) client->handle(ex->body);
  if (ex->out.id && client->pending(*ex->out.id)) {
    fail(*ex, detail::errc_for_status(ex->status),
         "HTTP " + std::to_string(ex->status) + detail::error_excerpt(ex->body));
  }
}

// An SSE answer ended (cleanly or not). If its response has not come, resume it.
void State::stream_done(const std::shared_ptr<Exchange>& ex, Status status) {
  if (closing) return;
  ex->finish();
  if (!ex->out.id || !client->pending(*ex->out.id)) return;
  if (!status.ok() && status.error().code == Errc::kUnavailable && ex->status == 0) {
    mark_lost(status.error().message);
    return fail(*ex, Errc::kUnavailable, status.error().message);
  }
  if (ex->last_event_id.empty()) {
    return fail(*ex, Errc::kUpstream, "the answer stream ended before the answer");
  }
  if (ex->resumptions >= options.max_resumptions) {
    return fail(*ex, Errc::kUpstream,
                "the answer stream broke off " + std::to_string(ex->resumptions + 1) + " times");
  }
  resume(ex);
}

void State::resume(const std::shared_ptr<Exchange>& ex) {
  ++ex->resumptions;
  nc::HttpRequest r = request(net::Method::kGet, true);
  r.headers.set("Accept", "text/event-stream");
  r.headers.set("Last-Event-ID", ex->last_event_id);
  r.delay = retry_delay(ex->retry);
  auto self = shared_from_this();
  nc::StreamHandlers h;
  h.on_head = [self, ex](int status, const net::Headers& headers) {
    // The parser belongs to the exchange and calls back only while it lives: a shared_ptr to
    // the exchange in its callback would be a cycle, and the exchange would never be freed.
    ex->begin(status, headers, self->options.max_message_bytes,
              [self, e = ex.get()](std::string_view m) { self->deliver(*e, m); });
  };
  h.on_body = [ex](std::string_view bytes) { ex->feed(bytes); };
  h.on_done = [self, ex](Status s) {
    if (self->closing) return;
    if (ex->sse()) return self->stream_done(ex, std::move(s));
    self->fail(*ex, Errc::kUpstream,
               "resuming the answer stream failed: " +
                   (s.ok() ? "HTTP " + std::to_string(ex->status) : s.error().message));
  };
  http->stream(std::move(r), std::move(h));
}

// The server forgot the session (404): initialize again with the same parameters, then send the
// held messages with the new session id.
void State::renew(const std::shared_ptr<Exchange>& ex) {
  ex->retried = true;
  std::string text;
  {
    std::lock_guard lock(mutex);
    held.push_back(ex);
    if (renewing) return;
    renewing = true;
    session_id.clear();
    text = init_text;
    ++renewals;
  }
  auto init = std::make_shared<Exchange>();
  init->text = detail::with_id(text, "woolly-renew-" + std::to_string(renewals));
  init->out = detail::describe(init->text);
  if (init->text.empty()) return renewed(Error(Errc::kUpstream, "no initialize to repeat"));
  nc::HttpRequest r = request(net::Method::kPost, false);
  r.body = init->text;
  r.headers.set("Content-Type", "application/json");
  r.headers.set("Accept", "application/json, text/event-stream");
  auto self = shared_from_this();
  auto answer = std::make_shared<std::string>();
  nc::StreamHandlers h;
  h.on_head = [self, init, answer](int status, const net::Headers& headers) {
    init->begin(status, headers, self->options.max_message_bytes, [answer](std::string_view m) {
      if (!m.empty() && answer->empty()) *answer = std::string(m);
    });
    if (auto sid = headers.get("Mcp-Session-Id")) {
      std::lock_guard lock(self->mutex);
      self->session_id = std::string(*sid);
    }
  };
  h.on_body = [init](std::string_view bytes) { init->feed(bytes); };
  h.on_done = [self, init, answer](Status s) {
    if (self->closing) return;
    init->finish();
    if (!init->sse()) *answer = init->body;
    auto version = detail::initialize_version(*answer);
    if (!s.ok()) return self->renewed(s.take_error());
    if (init->status != 200 || !version) {
      return self->renewed(Error(Errc::kUpstream, "initialize answered HTTP " +
                                                      std::to_string(init->status) +
                                                      detail::error_excerpt(init->body)));
    }
    {
      std::lock_guard lock(self->mutex);
      self->protocol_version = *version;
    }
    auto note = std::make_shared<Exchange>();
    note->text = json::serialize(make_notification("notifications/initialized", {}));
    note->out = detail::describe(note->text);
    nc::HttpRequest n = self->request(net::Method::kPost, true);
    n.body = note->text;
    n.headers.set("Content-Type", "application/json");
    n.headers.set("Accept", "application/json, text/event-stream");
    nc::StreamHandlers nh;
    nh.on_done = [self](Status ns) { self->renewed(std::move(ns)); };
    self->http->stream(std::move(n), std::move(nh));
  };
  http->stream(std::move(r), std::move(h));
}

void State::renewed(Status status) {
  std::vector<std::shared_ptr<Exchange>> todo;
  {
    std::lock_guard lock(mutex);
    renewing = false;
    todo.swap(held);
  }
  if (closing) return;
  if (!status.ok()) {
    mark_lost("the session expired and re-initializing failed: " + status.error().message);
    for (auto& ex : todo)
      fail(*ex, Errc::kUnavailable, "session expired: " + status.error().message);
    return;
  }
  for (auto& ex : todo) {
    ex->retried = true;
    post(ex);
  }
  open_session_stream(std::chrono::milliseconds(0));
}

// The session's GET stream carries server-initiated requests and notifications. Reopened when it
// ends (resuming after its last event id); a server that refuses it (405, 4xx) has none.
void State::open_session_stream(std::chrono::milliseconds delay,
                                std::shared_ptr<detail::Signal> opened) {
  std::string last;
  {
    std::lock_guard lock(mutex);
    if (!options.session_stream || session_id.empty() || get_running || closing) {
      if (opened) opened->set();
      return;
    }
    get_running = true;
    last = get_last_event_id;
  }
  nc::HttpRequest r = request(net::Method::kGet, true);
  r.headers.set("Accept", "text/event-stream");
  if (!last.empty()) r.headers.set("Last-Event-ID", last);
  r.delay = delay;
  auto self = shared_from_this();
  auto stream = std::make_shared<Exchange>();
  nc::StreamHandlers h;
  h.on_head = [self, stream, opened](int status, const net::Headers& headers) {
    stream->begin(status, headers, self->options.max_message_bytes,  // no cycle: as above
                  [self, e = stream.get()](std::string_view m) { self->deliver(*e, m); });
    if (opened) opened->set();
  };
  h.on_body = [stream](std::string_view bytes) { stream->feed(bytes); };
  h.on_done = [self, stream, opened](Status s) {
    if (opened) opened->set();
    stream->finish();
    bool reopen = false;
    std::chrono::milliseconds wait{0};
    {
      std::lock_guard lock(self->mutex);
      self->get_running = false;
      if (!stream->last_event_id.empty()) self->get_last_event_id = stream->last_event_id;
      if (stream->sse() && stream->received > 0) {
        self->get_failures = 0;  // it was open: the server ended it, or the line went quiet
        reopen = true;
        wait = self->retry_delay(stream->retry);
      } else if (!s.ok() || stream->sse()) {
        reopen = ++self->get_failures < 3;  // unreachable, or streams that end at once
        wait = self->options.default_retry * self->get_failures;
      }
    }
    if (self->closing) return;
    if (reopen) return self->open_session_stream(wait);
    if (!s.ok() && s.error().code == Errc::kUnavailable) self->mark_lost(s.error().message);
  };
  http->stream(std::move(r), std::move(h));
}

Result<std::unique_ptr<HttpClientConnection>> HttpClientConnection::open(HttpClientOptions http,
                                                                         ClientOptions client) {
  WOOLLY_TRY(nc::parse_url(http.url));
  std::unique_ptr<HttpClientConnection> c(new HttpClientConnection());
  nc::ClientOptions net_options;
  net_options.verify_peer = http.verify_peer;
  net_options.ca_file = http.ca_file;
  c->http_ = std::make_unique<nc::HttpClient>(net_options);
  c->state_ = std::make_shared<State>();
  c->state_->options = std::move(http);
  c->state_->http = c->http_.get();
  c->client_ = std::make_unique<Client>(std::move(client), c->state_);
  c->state_->client = c->client_.get();
  return c;
}

HttpClientConnection::~HttpClientConnection() {
  std::string sid = session_id();
  state_->closing = true;  // no reconnects from here on; streams in flight are cancelled
  if (!sid.empty()) {
    // Tell the server the session is over (it may answer 405 when it does not allow that).
    nc::HttpRequest r;
    r.method = net::Method::kDelete;
    r.url = state_->options.url;
    for (const auto& [k, v] : state_->options.headers) r.headers.set(k, v);
    r.headers.set("Mcp-Session-Id", sid);
    std::string version;
    {
      std::lock_guard lock(state_->mutex);
      version = state_->protocol_version;
    }
    if (!version.empty()) r.headers.set("MCP-Protocol-Version", version);
    r.connect_timeout = std::chrono::milliseconds(2000);
    r.read_timeout = std::chrono::milliseconds(2000);
    r.max_retries = 0;
    (void)http_->fetch(std::move(r));
  }
  http_.reset();
  client_->close(Error(Errc::kCancelled, "MCP connection to " + state_->options.url + " closed"));
}

std::optional<std::string> HttpClientConnection::lost() const {
  std::lock_guard lock(state_->mutex);
  return state_->lost;
}

std::string HttpClientConnection::session_id() const {
  std::lock_guard lock(state_->mutex);
  return state_->session_id;
}

}  // namespace woolly::mcp::transport
