#include "api/hub_ws.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "api/detail/request_parse.h"
#include "api/tool_chat.h"

namespace woolly::api {
namespace {
namespace json = boost::json;

// In-flight generations of every connection, so that "cancel" and a closed connection can stop
// them. One mutex: entries change a few times per request, never per token.
class Flights {
 public:
  bool add(uint64_t conn, const std::string& id, backends::CancelToken token) {
    std::lock_guard lock(mu_);
    return flights_[conn].emplace(id, token).second;
  }
  void remove(uint64_t conn, const std::string& id) {
    std::lock_guard lock(mu_);
    auto it = flights_.find(conn);
    if (it == flights_.end()) return;
    it->second.erase(id);
    if (it->second.empty()) flights_.erase(it);
  }
  bool cancel(uint64_t conn, const std::string& id) {
    std::lock_guard lock(mu_);
    auto it = flights_.find(conn);
    if (it == flights_.end()) return false;
    auto f = it->second.find(id);
    if (f == it->second.end()) return false;
    f->second.cancel();
    return true;
  }
  int cancel_all(uint64_t conn) {
    std::lock_guard lock(mu_);
    auto it = flights_.find(conn);
    if (it == flights_.end()) return 0;
    for (auto& [id, token] : it->second) token.cancel();
    int n = static_cast<int>(it->second.size());
    flights_.erase(it);
    return n;
  }

 private:
  std::mutex mu_;  // guards flights_
  std::map<uint64_t, std::map<std::string, backends::CancelToken>> flights_;
};

// `code` is given in lower case and sent in upper case, like every Woolly error code.
std::string error_text(const json::value& id, std::string_view code, std::string_view message) {
  std::string upper(code);
  for (char& ch : upper) ch = static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
  return json::serialize(json::object{
      {"id", id}, {"type", "error"}, {"error", {{"code", upper}, {"message", message}}},
      {"timestamp", detail::unix_millis()}});
}

void send_error(const net::WsConnection& c, const json::value& id, std::string_view code,
                std::string_view message) {
  c.send_text(error_text(id, code, message));
}

// The connection as a generation's callbacks hold it, let go by the final answer. A backend may
// destroy its copies of the callbacks later on a thread of its own, possibly after the server is
// gone; they must not own the WebSocket session then, whose destruction needs the server.
class ConnRef {
 public:
  explicit ConnRef(net::WsConnection c) : c_(std::move(c)) {}
  void send(const std::string& text) {
    std::lock_guard lock(mu_);
    if (c_) c_->send_text(text);
  }
  void release() {
    std::optional<net::WsConnection> gone;
    std::lock_guard lock(mu_);
    gone.swap(c_);  // destroyed after the lock is released (declared first)
  }

 private:
  std::mutex mu_;  // guards c_ (callbacks of one request may run on different threads)
  std::optional<net::WsConnection> c_;
};

std::string_view code_of(Errc e) {
  switch (e) {
    case Errc::kInvalidArgument:
    case Errc::kOutOfRange: return "invalid_request";
    case Errc::kNotFound: return "model_not_found";
    case Errc::kUnavailable: return "unavailable";
    case Errc::kTimeout: return "timeout";
    case Errc::kCancelled: return "cancelled";
    case Errc::kUpstream: return "upstream_error";
    case Errc::kInsufficientCredits: return "insufficient_credits";
    case Errc::kRateLimited: return "rate_limited";
    default: return "internal_error";
  }
}

// The provider names of the protocol -> the registry's backend types.
std::string_view backend_type(std::string_view provider) {
  if (provider == "claude") return "anthropic";
  return provider;
}

// Picks the backend: the named model, else the first model of the provider's type; "auto" (or no
// provider) takes the first model whose health check passes. May block (health checks), so it
// runs on a worker thread.
Result<std::pair<std::string, std::shared_ptr<backends::Backend>>> pick(
    const ServingContext& ctx, const std::string& provider, const std::string& model) {
  if (!model.empty()) {
    WOOLLY_ASSIGN_OR_RETURN(auto b, ctx.resolve(model));
    return std::make_pair(model, b);
  }
  bool any = provider.empty() || provider == "auto";
  for (const auto& m : ctx.list_models()) {
    if (!any && m.type != backend_type(provider)) continue;
    auto b = ctx.resolve(m.id);
    if (!b.ok()) continue;
    if (any && !(*b)->health().ok()) continue;
    return std::make_pair(m.id, *b);
  }
  return Error(Errc::kNotFound, any ? "no healthy provider is available"
                                    : "no model is configured for provider '" + provider + "'");
}

struct HubRequest {
  json::value id;
  std::string key;  // id as text, for the flight table
  bool chat = false;
  std::string provider;
  std::string model;
  backends::ChatRequest chat_request;
  backends::CompletionRequest completion_request;
  std::optional<agent::ToolFilter> tools;  // chat: the MCP tools it may use (nullopt = none)
  bool stream = true;
};

Result<HubRequest> parse_request(const json::object& o, json::value id) {
  HubRequest r;
  r.id = std::move(id);
  r.key = r.id.is_string() ? std::string(r.id.get_string()) : json::serialize(r.id);
  std::string type(o.at("type").get_string());
  r.chat = type == "chat";
  WOOLLY_ASSIGN_OR_RETURN(auto provider, detail::optional_string(o, "provider"));
  r.provider = provider.value_or("auto");
  if (r.provider != "auto" && r.provider != "local" && r.provider != "openai" &&
      r.provider != "claude" && r.provider != "ollama") {
    return Error(Errc::kInvalidArgument, "'provider' must be local, openai, claude, ollama or auto");
  }
  WOOLLY_ASSIGN_OR_RETURN(auto model, detail::optional_string(o, "model"));
  r.model = model.value_or("");
  WOOLLY_ASSIGN_OR_RETURN(auto stream, detail::optional_bool(o, "stream"));
  r.stream = stream.value_or(true);
  // The protocol's camelCase names, mapped onto the shared sampling parser's.
  json::object sampling;
  if (auto v = o.if_contains("maxTokens")) sampling["max_tokens"] = *v;
  if (auto v = o.if_contains("temperature")) sampling["temperature"] = *v;
  WOOLLY_ASSIGN_OR_RETURN(auto s, detail::parse_sampling(sampling));
  if (r.chat) {
    if (o.contains("messages")) {
      WOOLLY_ASSIGN_OR_RETURN(r.chat_request.messages, detail::parse_messages(o));
    } else {
      WOOLLY_ASSIGN_OR_RETURN(auto prompt, detail::optional_string(o, "prompt"));
      if (!prompt) return Error(Errc::kInvalidArgument, "'messages' or 'prompt' is required");
      r.chat_request.messages.push_back({"user", *prompt});
    }
    r.chat_request.sampling = s;
    WOOLLY_ASSIGN_OR_RETURN(r.tools, parse_mcp_tools(o, false));
  } else {
    WOOLLY_ASSIGN_OR_RETURN(auto prompt, detail::optional_string(o, "prompt"));
    if (!prompt) return Error(Errc::kInvalidArgument, "'prompt' must be a string");
    r.completion_request.prompt = *prompt;
    r.completion_request.sampling = s;
  }
  return r;
}

json::object usage_json(const backends::Usage& u) {
  return {{"promptTokens", u.prompt_tokens}, {"completionTokens", u.completion_tokens},
          {"totalTokens", u.total_tokens()}};
}

void start(std::shared_ptr<ServingContext> ctx, std::shared_ptr<Flights> flights,
           net::WsConnection c, HubRequest r) {
  backends::CancelToken token = r.chat ? r.chat_request.cancel : r.completion_request.cancel;
  if (!flights->add(c.id(), r.key, token)) {
    return send_error(c, r.id, "duplicate_id", "a request with this id is already in flight");
  }
  // Resolving may load a model or check health: off the connection's I/O thread.
  std::thread([ctx, flights, c, r = std::move(r)]() mutable {
    auto picked = pick(*ctx, r.provider, r.model);
    if (!picked.ok()) {
      flights->remove(c.id(), r.key);
      return send_error(c, r.id, code_of(picked.error().code), picked.error().message);
    }
    auto& [model, resolved] = *picked;
    if (Status allowed = model_allowed(*ctx, c.request(), model); !allowed.ok()) {
      flights->remove(c.id(), r.key);
      return send_error(c, r.id, "permission_denied", allowed.error().message);
    }
    // Paid for by the identity the connection was opened with (the upgrade request's).
    auto backend = metered(*ctx, c.request(), model, resolved);
    json::value id = r.id;
    auto conn = std::make_shared<ConnRef>(c);
    backends::StreamCallback on_event;
    if (r.stream) {
      on_event = [conn, id](const backends::StreamEvent& ev) {
        if (ev.kind != backends::StreamEvent::Kind::kText) return;
        conn->send(json::serialize(json::object{{"id", id}, {"type", "chunk"}, {"data", ev.text},
                                                {"timestamp", detail::unix_millis()}}));
      };
    }
    auto finish = [conn, conn_id = c.id(), id, flights, key = r.key](Result<std::string> text,
                                                                      backends::Usage usage) {
      flights->remove(conn_id, key);
      if (!text.ok()) {
        conn->send(error_text(id, code_of(text.error().code), text.error().message));
      } else {
        conn->send(json::serialize(json::object{{"id", id}, {"type", "done"}, {"data", *text},
                                                {"usage", usage_json(usage)},
                                                {"timestamp", detail::unix_millis()}}));
      }
      conn->release();
    };
    if (r.chat) {
      r.chat_request.model = model;
      ToolEventCallback on_tool;
      if (r.stream) {
        on_tool = [conn, id](const agent::ToolEvent& e) {
          conn->send(json::serialize(json::object{{"id", id}, {"type", agent::tool_event_name(e.kind)},
                                                  {"tool", tool_event_json(e)},
                                                  {"timestamp", detail::unix_millis()}}));
        };
      }
      start_chat(*ctx, backend, std::move(r.chat_request), allowed_tools(c.request(), r.tools),
                 {on_event, std::move(on_tool), {}, [finish](Result<backends::ChatResponse> out) {
                   if (!out.ok()) return finish(out.take_error(), {});
                   finish(out->message.content, out->usage);
                 }});
    } else {
      r.completion_request.model = model;
      backend->complete_async(std::move(r.completion_request), on_event,
                              [finish](Result<backends::CompletionResponse> out) {
        if (!out.ok()) return finish(out.take_error(), {});
        finish(out->text, out->usage);
      });
    }
  }).detach();
}

void on_message(const std::shared_ptr<ServingContext>& ctx, const std::shared_ptr<Flights>& flights,
                const net::WsConnection& c, const std::string& text) {
  auto o = detail::parse_object(text);
  if (!o.ok()) return send_error(c, nullptr, "invalid_message", o.error().message);
  json::value id = nullptr;
  if (auto v = o->if_contains("id"); v && (v->is_string() || v->is_int64() || v->is_uint64())) id = *v;
  const json::value* type = o->if_contains("type");
  if (!type || !type->is_string()) {
    return send_error(c, id, "invalid_message", "'type' must be completion, chat or cancel");
  }
  if (id.is_null()) return send_error(c, id, "invalid_message", "'id' must be a string or a number");
  std::string_view t = type->get_string();
  if (t == "cancel") {
    std::string key = id.is_string() ? std::string(id.get_string()) : json::serialize(id);
    if (!flights->cancel(c.id(), key)) {
      send_error(c, id, "not_found", "no request with this id is in flight");
    }
    return;  // the cancelled generation answers with its own "cancelled" error
  }
  if (t != "completion" && t != "chat") {
    return send_error(c, id, "invalid_message", "'type' must be completion, chat or cancel");
  }
  auto r = parse_request(*o, id);
  if (!r.ok()) return send_error(c, id, "invalid_request", r.error().message);
  start(ctx, flights, c, std::move(*r));
}

}  // namespace

Status install_hub_ws(net::Router& router, std::shared_ptr<ServingContext> ctx) {
  auto flights = std::make_shared<Flights>();
  net::WsHandlers h;
  h.select_subprotocol = [](const std::vector<std::string>& offered) -> std::string {
    for (const auto& p : offered) {
      if (p == "Bearer" || p == "bearer") return p;
    }
    return "";
  };
  h.on_message = [ctx, flights](const net::WsConnection& c, std::string message, bool) {
    on_message(ctx, flights, c, message);
  };
  h.on_close = [ctx, flights](const net::WsConnection& c, uint16_t) {
    int n = flights->cancel_all(c.id());
    for (int i = 0; i < n; ++i) detail::count_cancelled(ctx->metrics, "ws");
  };
  net::RouteMeta meta;
  meta.scope = "inference";
  WOOLLY_TRY(router.add_ws("/api/v1/ws", h, meta));
  return router.add_ws("/", h, meta);
}

}  // namespace woolly::api
