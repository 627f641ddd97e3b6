#include "mcp/transport/websocket.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <mutex>

#include "mcp/envelope.h"
#include "mcp/json_rpc.h"

namespace woolly::mcp::transport {

struct WebSocketTransport::State {
  State(Server& s, WebSocketOptions o) : server(s), options(std::move(o)) {}
  Server& server;
  WebSocketOptions options;
  struct Conn {
    SessionId session = 0;  // 0 until the first frame chose the framing
    bool envelope = false;
  };
  mutable std::mutex mutex;
  std::map<uint64_t, Conn> conns;  // by WsConnection::id()
  std::atomic<uint64_t> total{0}, refused{0}, messages_in{0};
  std::shared_ptr<std::atomic<uint64_t>> messages_out = std::make_shared<std::atomic<uint64_t>>(0);
};

namespace {

using State = WebSocketTransport::State;

// Writes each outgoing message as one text frame.
class WsSink : public MessageSink {
 public:
  WsSink(net::WsConnection conn, std::shared_ptr<std::atomic<uint64_t>> out)
      : conn_(std::move(conn)), out_(std::move(out)) {}
  void send(std::string text, const json::value&) override {
    out_->fetch_add(1, std::memory_order_relaxed);
    conn_.send_text(std::move(text));
  }

 private:
  net::WsConnection conn_;
  std::shared_ptr<std::atomic<uint64_t>> out_;
};

// A Woolly 0.1.0 envelope frame is an object with "type" and no "jsonrpc".
bool looks_like_envelope(std::string_view frame) {
  boost::system::error_code ec;
  json::value v = json::parse(frame, ec);
  if (ec || !v.is_object()) return false;
  const json::object& o = v.as_object();
  return o.contains("type") && !o.contains("jsonrpc");
}

void on_message(const std::shared_ptr<State>& st, const net::WsConnection& conn,
                std::string message, bool binary) {
  st->messages_in.fetch_add(1, std::memory_order_relaxed);
  if (binary) return conn.close(net::WsCloseCode::kUnsupportedData, "MCP frames are text");
  if (message.size() > st->options.max_message_size) {
    return conn.close(net::WsCloseCode::kTooBig, "message too large");
  }
  SessionId session = 0;
  bool envelope = false;
  {
    std::lock_guard lock(st->mutex);
    auto it = st->conns.find(conn.id());
    if (it == st->conns.end()) return;  // closed meanwhile
    if (it->second.session == 0) {
      it->second.envelope = looks_like_envelope(message);
      std::shared_ptr<MessageSink> sink = std::make_shared<WsSink>(conn, st->messages_out);
      if (it->second.envelope) sink = std::make_shared<EnvelopeSink>(std::move(sink));
      // The connection's caller is the one its upgrade request was authenticated as.
      const auto& principal = conn.request().principal;
      it->second.session = st->server.open_session(
          std::move(sink), principal ? principal->detail : nullptr, "websocket");
    }
    session = it->second.session;
    envelope = it->second.envelope;
  }
  if (!envelope) return st->server.handle(session, message);
  auto rpc = envelope_to_jsonrpc(message);
  if (!rpc.ok()) {
    json::value id = nullptr;
    boost::system::error_code ec;
    json::value v = json::parse(message, ec);
    if (!ec && v.is_object()) {
      if (const json::value* i = v.as_object().if_contains("id")) id = *i;
    }
    RpcError e{rpc_code::kInvalidRequest, rpc.error().message, nullptr};
    st->messages_out->fetch_add(1, std::memory_order_relaxed);
    return conn.send_text(json::serialize(envelope_error(id, e)));
  }
  st->server.handle(session, *rpc);
}

}  // namespace

WebSocketTransport::WebSocketTransport(Server& server, WebSocketOptions options)
    : state_(std::make_shared<State>(server, std::move(options))) {}

WebSocketTransport::~WebSocketTransport() {
  std::map<uint64_t, State::Conn> conns;
  {
    std::lock_guard lock(state_->mutex);
    conns.swap(state_->conns);
  }
  for (auto& [id, c] : conns) {
    if (c.session != 0) state_->server.close_session(c.session);
  }
}

Status WebSocketTransport::mount(net::Router& router) {
  auto st = state_;
  net::WsHandlers h;
  // `Sec-WebSocket-Protocol: Bearer, <token>` carries a credential for the auth hook; the
  // answer must still name `mcp` (or nothing when the client did not offer it).
  h.select_subprotocol = [](const std::vector<std::string>& offered) -> std::string {
    for (const std::string& p : offered) {
      if (p == "mcp") return p;
    }
    return {};
  };
  h.on_open = [st](const net::WsConnection& conn) {
    st->total.fetch_add(1, std::memory_order_relaxed);
    {
      std::lock_guard lock(st->mutex);
      if (static_cast<int>(st->conns.size()) < st->options.max_connections) {
        st->conns.emplace(conn.id(), State::Conn{});
        return;
      }
    }
    st->refused.fetch_add(1, std::memory_order_relaxed);
    conn.close(net::WsCloseCode::kTryAgainLater, "too many MCP connections");
  };
  h.on_message = [st](const net::WsConnection& conn, std::string message, bool binary) {
    on_message(st, conn, std::move(message), binary);
  };
  h.on_close = [st](const net::WsConnection& conn, uint16_t) {
    SessionId session = 0;
    {
      std::lock_guard lock(st->mutex);
      auto it = st->conns.find(conn.id());
      if (it == st->conns.end()) return;
      session = it->second.session;
      st->conns.erase(it);
    }
    if (session != 0) st->server.close_session(session);
  };
  return router.add_ws(st->options.path, std::move(h), st->options.meta);
}

WebSocketStats WebSocketTransport::stats() const {
  WebSocketStats s;
  {
    std::lock_guard lock(state_->mutex);
    s.open_connections = static_cast<int64_t>(state_->conns.size());
  }
  s.total_connections = state_->total.load(std::memory_order_relaxed);
  s.refused_connections = state_->refused.load(std::memory_order_relaxed);
  s.messages_in = state_->messages_in.load(std::memory_order_relaxed);
  s.messages_out = state_->messages_out->load(std::memory_order_relaxed);
  return s;
}

}  // namespace woolly::mcp::transport
