#include "mcp/transport/streamable_http.h"

#include <boost/json/serialize.hpp>
#include <map>
#include <mutex>
#include <random>

#include "mcp/json_rpc.h"
#include "mcp/protocol.h"
#include "mcp/transport/http_session.h"

namespace woolly::mcp::transport {

using detail::HttpSession;

struct StreamableHttp::State {
  State(Server& s, StreamableHttpOptions o) : server(s), options(std::move(o)) {}
  Server& server;
  StreamableHttpOptions options;
  std::shared_ptr<detail::Counters> counters = std::make_shared<detail::Counters>();
  mutable std::mutex mutex;
  std::map<std::string, std::shared_ptr<HttpSession>, std::less<>> sessions;
};

namespace {

using net::Request;
using net::Responder;
using net::Response;
using State = StreamableHttp::State;

constexpr int kSessionNotFound = -32001;  // the code MCP SDKs use with 404

Response rpc_error(int status, int code, std::string message,
                   const json::value& id = nullptr) {
  RpcError e{code, std::move(message), nullptr};
  return Response::json(status, json::serialize(make_error(id, e)));
}

std::string new_session_id() {
  // 128 random bits: session ids must be unguessable (they are the only session credential).
  thread_local std::mt19937_64 rng{std::random_device{}() ^
                                   (static_cast<uint64_t>(std::random_device{}()) << 32)};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 2; ++i) {
    uint64_t v = rng();
    for (int j = 0; j < 16; ++j, v >>= 4) out.push_back(kHex[v & 15]);
  }
  return out;
}

bool origin_allowed(const State& st, const Request& req) {
  auto origin = req.header("Origin");
  if (!origin) return true;  // not a browser: no rebinding risk
  for (const std::string& a : st.options.allowed_origins) {
    if (a == "*" || a == *origin) return true;
  }
  return st.options.allow_loopback_origins && is_loopback_origin(*origin);
}

bool known_revision(std::string_view v) { return is_legacy_revision(v) || is_modern_revision(v); }

std::shared_ptr<HttpSession> find_session(State& st, std::string_view id) {
  std::lock_guard lock(st.mutex);
  auto it = st.sessions.find(id);
  return it == st.sessions.end() ? nullptr : it->second;
}

// Common checks for every method; answers and returns false when the request must stop here.
// Who the auth hook admitted the request as (opaque here); the session's tools act for them.
std::shared_ptr<const void> caller_of(const Request& req) {
  return req.principal ? req.principal->detail : nullptr;
}

bool precheck(State& st, const Request& req, Responder& res) {
  if (!origin_allowed(st, req)) {
    res.send(rpc_error(403, rpc_code::kInvalidRequest, "Forbidden: origin not allowed"));
    return false;
  }
  if (auto pv = req.header("MCP-Protocol-Version"); pv && !known_revision(*pv)) {
    res.send(rpc_error(400, rpc_code::kInvalidRequest,
                       "Bad Request: unsupported MCP-Protocol-Version " + std::string(*pv)));
    return false;
  }
  return true;
}

void handle_post(const std::shared_ptr<State>& st, Request req, Responder res) {
  st->counters->posts.fetch_add(1, std::memory_order_relaxed);
  if (!precheck(*st, req, res)) return;
  ParsedPayload payload = parse_payload(req.body);
  if (payload.parse_error || payload.items.empty()) {
    return res.send(Response::json(400, json::serialize(payload.error_response)));
  }
  bool init = false, modern = false;
  std::vector<json::value> ids;
  json::array invalid;
  for (const ParsedItem& item : payload.items) {
    if (!item.valid) {
      invalid.push_back(item.error_response);
      continue;
    }
    const Message& m = item.message;
    if (m.is_request()) {
      ids.push_back(m.id);
      if (m.method == "initialize") init = true;
    }
    if (!m.is_response()) {
      if (auto v = declared_protocol_version(m.params); v && is_modern_revision(*v)) modern = true;
    }
  }
  auto pv = req.header("MCP-Protocol-Version");
  if (pv && is_modern_revision(*pv)) modern = true;
  if (ids.empty() && !invalid.empty()) {
    json::value body = payload.batch ? json::value(invalid) : invalid.front();
    return res.send(Response::json(400, json::serialize(body)));
  }
  if (modern) {
    for (const ParsedItem& item : payload.items) {
      if (!item.valid || item.message.is_response()) continue;
      if (auto err = validate_standard_headers(item.message, req.header("Mcp-Method"),
                                               req.header("Mcp-Name"))) {
        return res.send(Response::json(http_status_for_error(err->code, true),
                                       json::serialize(make_error(item.message.id, *err))));
      }
    }
  }

  std::shared_ptr<HttpSession> session;
  bool transient = false;
  if (auto sid = req.header("Mcp-Session-Id")) {
    session = find_session(*st, *sid);
    if (!session) return res.send(rpc_error(404, kSessionNotFound, "Session not found"));
  } else if (init) {
    std::lock_guard lock(st->mutex);
    if (st->sessions.size() >= st->options.max_sessions) {
      return res.send(rpc_error(503, rpc_code::kInternalError, "Too many MCP sessions"));
    }
    session = std::make_shared<HttpSession>(new_session_id(), st->options.replay_events,
                                            st->counters);
    session->core_id = st->server.open_session(session, caller_of(req), "http");
    st->sessions.emplace(session->id(), session);
  } else if (modern) {
    // Stateless request: a core session for this POST only, closed once it is answered.
    transient = true;
    auto holder = std::make_shared<SessionId>(0);
    Server* server = &st->server;
    session = std::make_shared<HttpSession>(
        std::string(), st->options.replay_events, st->counters,
        [server, holder] { server->close_session(*holder); });
    session->core_id = st->server.open_session(session, caller_of(req), "http");
    *holder = session->core_id;
  } else {
    return res.send(rpc_error(400, rpc_code::kInvalidRequest,
                              "Bad Request: Mcp-Session-Id header is required"));
  }

  const SessionId core = session->core_id;
  if (ids.empty()) {
    st->server.handle(core, req.body);
    if (transient) st->server.close_session(core);
    Response r = Response::empty(202);
    if (!transient) r.headers.set("Mcp-Session-Id", session->id());
    return res.send(std::move(r));
  }
  if (transient) {
    // A client that goes away abandons a stateless request: cancel what it started.
    Server* server = &st->server;
    res.on_cancel([server, core] { server->close_session(core); });
  }
  net::Headers headers;
  if (!transient) headers.set("Mcp-Session-Id", session->id());
  if (!session->add_post(ids, std::move(res), std::move(headers), payload.batch, modern)) {
    if (transient) st->server.close_session(core);
    return;
  }
  st->server.handle(core, req.body);
}

void handle_get(const std::shared_ptr<State>& st, Request req, Responder res) {
  if (!precheck(*st, req, res)) return;
  if (auto accept = req.header("Accept");
      accept && accept->find("text/event-stream") == std::string_view::npos &&
      accept->find("*/*") == std::string_view::npos) {
    return res.send(rpc_error(406, rpc_code::kInvalidRequest,
                              "Not Acceptable: the client must accept text/event-stream"));
  }
  auto sid = req.header("Mcp-Session-Id");
  if (!sid) {
    auto pv = req.header("MCP-Protocol-Version");
    if (pv && is_modern_revision(*pv)) {
      Response r = rpc_error(405, rpc_code::kInvalidRequest, "Method Not Allowed");
      r.headers.set("Allow", "POST");
      return res.send(std::move(r));
    }
    return res.send(rpc_error(400, rpc_code::kInvalidRequest,
                              "Bad Request: Mcp-Session-Id header is required"));
  }
  auto session = find_session(*st, *sid);
  if (!session) return res.send(rpc_error(404, kSessionNotFound, "Session not found"));
  net::Headers h;
  h.set("Content-Type", "text/event-stream");
  h.set("Cache-Control", "no-cache");
  h.set("Mcp-Session-Id", session->id());
  net::StreamWriter writer = res.start_stream(200, std::move(h));
  // An SSE comment right away lets the client see the stream is open before any message.
  writer.write_comment("stream open");
  session->open_get(std::move(writer), req.header("Last-Event-ID").value_or(""));
}

void handle_delete(const std::shared_ptr<State>& st, Request req, Responder res) {
  if (!precheck(*st, req, res)) return;
  auto sid = req.header("Mcp-Session-Id");
  if (!sid) {
    return res.send(rpc_error(400, rpc_code::kInvalidRequest,
                              "Bad Request: Mcp-Session-Id header is required"));
  }
  std::shared_ptr<HttpSession> session;
  {
    std::lock_guard lock(st->mutex);
    auto it = st->sessions.find(*sid);
    if (it != st->sessions.end()) {
      session = it->second;
      st->sessions.erase(it);
    }
  }
  if (!session) return res.send(rpc_error(404, kSessionNotFound, "Session not found"));
  st->server.close_session(session->core_id);
  session->close();
  res.send(Response::empty(200));
}

}  // namespace

bool is_loopback_origin(std::string_view origin) {
  auto scheme = origin.find("://");
  if (scheme == std::string_view::npos) return false;
  std::string_view rest = origin.substr(scheme + 3);
  std::string_view host;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return false;
    host = rest.substr(0, close + 1);
    rest = rest.substr(close + 1);
  } else {
    auto colon = rest.find_first_of(":/");
    host = rest.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon);
  }
  if (!rest.empty() && rest.front() != ':' && rest.front() != '/') return false;
  return net::iequals(host, "localhost") || host == "127.0.0.1" || host == "[::1]";
}

StreamableHttp::StreamableHttp(Server& server, StreamableHttpOptions options)
    : state_(std::make_shared<State>(server, std::move(options))) {}

StreamableHttp::~StreamableHttp() {
  std::map<std::string, std::shared_ptr<HttpSession>, std::less<>> sessions;
  {
    std::lock_guard lock(state_->mutex);
    sessions.swap(state_->sessions);
  }
  for (auto& [id, s] : sessions) {
    state_->server.close_session(s->core_id);
    s->close();
  }
}

void StreamableHttp::end_get_streams() {
  std::vector<std::shared_ptr<HttpSession>> sessions;
  {
    std::lock_guard lock(state_->mutex);
    for (auto& [id, s] : state_->sessions) sessions.push_back(s);
  }
  for (auto& s : sessions) s->end_get_stream();
}

Status StreamableHttp::mount(net::Router& router) {
  auto st = state_;
  const std::string& path = st->options.path;
  WOOLLY_TRY(router.add(
      net::Method::kPost, path,
      [st](Request req, Responder res) { handle_post(st, std::move(req), std::move(res)); },
      st->options.meta));
  WOOLLY_TRY(router.add(
      net::Method::kGet, path,
      [st](Request req, Responder res) { handle_get(st, std::move(req), std::move(res)); },
      st->options.meta));
  WOOLLY_TRY(router.add(
      net::Method::kDelete, path,
      [st](Request req, Responder res) { handle_delete(st, std::move(req), std::move(res)); },
      st->options.meta));
  return {};
}

StreamableHttpStats StreamableHttp::stats() const {
  StreamableHttpStats s;
  {
    std::lock_guard lock(state_->mutex);
    s.sessions = state_->sessions.size();
  }
  s.posts = state_->counters->posts.load(std::memory_order_relaxed);
  s.sse_streams = state_->counters->sse_streams.load(std::memory_order_relaxed);
  return s;
}

}  // namespace woolly::mcp::transport
