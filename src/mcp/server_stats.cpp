// Server statistics: the woolly_mcp_* metric families are the only record; stats() reads them
// back, so get_server_status and /metrics can never disagree.
#include <boost/json/serialize.hpp>

#include "mcp/server.h"

namespace woolly::mcp {
namespace {

constexpr const char* kConnections = "woolly_mcp_connections";
constexpr const char* kConnectionsTotal = "woolly_mcp_connections_total";
constexpr const char* kMessages = "woolly_mcp_messages_total";
constexpr const char* kErrors = "woolly_mcp_errors_total";
constexpr const char* kToolCalls = "woolly_mcp_tool_calls_total";

obs::Family<obs::Gauge>& connections(obs::Registry& r) {
  return r.gauge(kConnections, "MCP connections open now (core sessions)", {"transport"});
}
obs::Family<obs::Counter>& connections_total(obs::Registry& r) {
  return r.counter(kConnectionsTotal, "MCP connections opened (core sessions)", {"transport"});
}
obs::Family<obs::Counter>& messages(obs::Registry& r) {
  return r.counter(kMessages, "MCP messages received (in) and sent (out)",
                   {"transport", "direction"});
}
obs::Family<obs::Counter>& errors(obs::Registry& r) {
  return r.counter(kErrors, "MCP JSON-RPC error responses sent", {"transport"});
}
obs::Family<obs::Counter>& tool_calls(obs::Registry& r) {
  return r.counter(kToolCalls, "MCP tools/call requests by tool and outcome", {"tool", "status"});
}

// Counts every message the server writes to a session before passing it on.
class CountingSink : public MessageSink {
 public:
  CountingSink(std::shared_ptr<MessageSink> inner, obs::Counter& out)
      : inner_(std::move(inner)), out_(out) {}
  void send(std::string text, const json::value& related) override {
    out_.inc();
    inner_->send(std::move(text), related);
  }

 private:
  std::shared_ptr<MessageSink> inner_;
  obs::Counter& out_;
};

bool is_error_response(const json::value& v) {
  const json::object* o = v.if_object();
  return o && o->contains("error") && !o->contains("method");
}

}  // namespace

Server::TransportMetrics* Server::transport_metrics(std::string_view transport) {
  auto it = transport_metrics_.find(transport);
  if (it != transport_metrics_.end()) return &it->second;
  TransportMetrics m;
  m.open = &connections(metrics_).with({transport});
  m.total = &connections_total(metrics_).with({transport});
  m.in = &messages(metrics_).with({transport, "in"});
  m.out = &messages(metrics_).with({transport, "out"});
  m.errors = &errors(metrics_).with({transport});
  return &transport_metrics_.emplace(std::string(transport), m).first->second;
}

SessionId Server::open_session(std::shared_ptr<MessageSink> sink,
                               std::shared_ptr<const void> caller, std::string_view transport) {
  std::lock_guard lock(mutex_);
  SessionId id = next_session_++;
  Session& s = sessions_[id];
  s.caller = std::move(caller);
  s.metrics = transport_metrics(transport);
  s.metrics->open->inc();
  s.metrics->total->inc();
  s.sink = std::make_shared<CountingSink>(std::move(sink), *s.metrics->out);
  return id;
}

void Server::count_errors(SessionId session, const json::value& sent) {
  uint64_t n = 0;
  if (const json::array* batch = sent.if_array()) {
    for (const json::value& v : *batch) n += is_error_response(v) ? 1 : 0;
  } else {
    n = is_error_response(sent) ? 1 : 0;
  }
  if (n == 0) return;
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(session);
  if (it != sessions_.end()) it->second.metrics->errors->inc(static_cast<double>(n));
}

void Server::count_tool_call(std::string_view tool, std::string_view status) {
  tool_calls(metrics_).with({tool, status}).inc();
}

json::object to_json(const McpStats& stats) {
  json::object transports;
  for (const auto& [name, t] : stats.transports) {
    transports[name] = json::object{{"open", t.open},
                                    {"total", t.total},
                                    {"messages_in", t.messages_in},
                                    {"messages_out", t.messages_out},
                                    {"errors", t.errors}};
  }
  json::object tools;
  for (const auto& [tool, by_status] : stats.tool_calls) {
    json::object o;
    for (const auto& [status, n] : by_status) o[status] = n;
    tools[tool] = std::move(o);
  }
  return {{"connections", std::move(transports)}, {"tool_calls", std::move(tools)}};
}

McpStats Server::stats() const {
  obs::Registry& r = metrics_;  // a family lookup registers it when missing (under its lock)
  McpStats out;
  auto count = [](double v) { return static_cast<uint64_t>(v); };
  connections(r).for_each([&](const std::vector<std::string>& l, const obs::Gauge& g) {
    out.transports[l[0]].open = static_cast<int64_t>(g.value());
  });
  connections_total(r).for_each([&](const std::vector<std::string>& l, const obs::Counter& c) {
    out.transports[l[0]].total = count(c.value());
  });
  messages(r).for_each([&](const std::vector<std::string>& l, const obs::Counter& c) {
    TransportStats& t = out.transports[l[0]];
    (l[1] == "in" ? t.messages_in : t.messages_out) = count(c.value());
  });
  errors(r).for_each([&](const std::vector<std::string>& l, const obs::Counter& c) {
    out.transports[l[0]].errors = count(c.value());
  });
  tool_calls(r).for_each([&](const std::vector<std::string>& l, const obs::Counter& c) {
    out.tool_calls[l[0]][l[1]] = count(c.value());
  });
  return out;
}

}  // namespace woolly::mcp
