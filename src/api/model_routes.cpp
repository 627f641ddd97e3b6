// Model management over the registry (/api/v1/models...), and the ServingContext the inference
// surfaces use to reach it. Operations that may block (loading a model, an upstream health check)
// run on a short-lived worker thread so that they never stall an I/O thread.
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <thread>

#include "api/detail/request_parse.h"
#include "api/model_routes.h"
#include "backends/model_registry.h"

namespace woolly::api {
namespace {
namespace json = boost::json;
using backends::ModelRegistry;

json::object caps_json(const backends::Capabilities& c) {
  return {{"chat", c.chat}, {"completion", c.completion}, {"embeddings", c.embeddings},
          {"tokenize", c.tokenize}, {"tools", c.tools}, {"json_output", c.json_output}};
}

json::object info_json(const backends::ModelInfo& m) {
  json::object o{{"id", m.id}, {"name", m.name}, {"backend_type", m.type},
                 {"capabilities", caps_json(m.capabilities)}, {"loaded", m.loaded},
                 {"memory_bytes", m.memory_bytes}, {"persistent", m.persistent}};
  if (!m.base_url.empty()) o["base_url"] = m.base_url;
  if (!m.path.empty()) o["path"] = m.path;
  return o;
}

// "capabilities": either an array of names ("chat", "embeddings", ...) or an object of booleans.
Result<backends::Capabilities> parse_caps(const json::object& o) {
  backends::Capabilities c;
  auto it = o.find("capabilities");
  if (it == o.end() || it->value().is_null()) return c;
  auto set = [&c](std::string_view name, bool v) -> bool {
    if (name == "chat") c.chat = v;
    else if (name == "completion") c.completion = v;
    else if (name == "embeddings" || name == "embedding") c.embeddings = v;
    else if (name == "tokenize") c.tokenize = v;
    else if (name == "tools") c.tools = v;
    else if (name == "json_output") c.json_output = v;
    else return false;
    return true;
  };
  std::string msg = "'capabilities' must list chat, completion, embeddings, tokenize, tools or json_output";
  if (it->value().is_array()) {
    c = backends::Capabilities{false, false, false, false, false, false};
    for (const auto& v : it->value().get_array()) {
      if (!v.is_string() || !set(v.get_string(), true)) return Error(Errc::kInvalidArgument, msg);
    }
    return c;
  }
  if (!it->value().is_object()) return Error(Errc::kInvalidArgument, msg);
  for (const auto& [k, v] : it->value().get_object()) {
    if (!v.is_bool() || !set(k, v.get_bool())) return Error(Errc::kInvalidArgument, msg);
  }
  return c;
}

Result<backends::BackendSpec> parse_spec(std::string_view text) {
  WOOLLY_ASSIGN_OR_RETURN(auto o, detail::parse_object(text));
  backends::BackendSpec spec;
  WOOLLY_ASSIGN_OR_RETURN(auto name, detail::optional_string(o, "name"));
  if (!name || name->empty()) return Error(Errc::kInvalidArgument, "'name' is required");
  WOOLLY_ASSIGN_OR_RETURN(auto type, detail::optional_string(o, "backend_type"));
  if (!type) return Error(Errc::kInvalidArgument, "'backend_type' is required");
  if (*type != "openai" && *type != "ollama" && *type != "anthropic") {
    return Error(Errc::kInvalidArgument, "'backend_type' must be openai, ollama or anthropic");
  }
  WOOLLY_ASSIGN_OR_RETURN(spec.capabilities, parse_caps(o));
  const json::value* cfg = o.if_contains("config");
  if (!cfg || !cfg->is_object()) return Error(Errc::kInvalidArgument, "'config' must be an object");
  // The registry owns the config format (base_url, model_name, api_key, ...): it validates it.
  WOOLLY_ASSIGN_OR_RETURN(auto parsed, backends::from_config_json(*name, *type, json::serialize(*cfg)));
  parsed.capabilities = spec.capabilities;
  parsed.persistent = true;
  return parsed;
}

// Runs `fn` off the I/O thread and answers with what it returns.
void off_thread(net::Responder res, std::function<net::Response()> fn) {
  auto r = std::make_shared<net::Responder>(std::move(res));
  std::thread([r, fn = std::move(fn)] { r->send(fn()); }).detach();
}

net::Response error_json(const Error& e) { return net::json_error_response(e); }

}  // namespace

ServingContext serving_context_from_registry(std::shared_ptr<ModelRegistry> registry) {
  ServingContext ctx;
  ctx.resolve = [registry](std::string_view model) { return registry->get(model); };
  ctx.model_name = [registry](std::string_view model) {
    auto info = registry->info(model);
    return info.ok() ? info->name : std::string(model);
  };
  ctx.list_models = [registry] {
    std::vector<ModelSummary> out;
    for (const auto& m : registry->list()) out.push_back({m.id, m.name, m.type});
    return out;
  };
  return ctx;
}

Status install_model_routes(net::Router& router, std::shared_ptr<ModelRegistry> registry) {
  net::RouteMeta read;
  read.scope = "models:read";
  net::RouteMeta admin;
  admin.scope = "models:admin";
  WOOLLY_TRY(router.get("/api/v1/models", [registry](const net::Request&) {
    json::array data;
    for (const auto& m : registry->list()) data.push_back(info_json(m));
    return net::Response::json(200, json::serialize(json::object{{"models", std::move(data)}}));
  }, read));
  WOOLLY_TRY(router.get("/api/v1/models/:id", [registry](const net::Request& req) {
    auto m = registry->info(req.param("id"));
    if (!m.ok()) return error_json(m.error());
    return net::Response::json(200, json::serialize(info_json(*m)));
  }, read));
  WOOLLY_TRY(router.add(net::Method::kPost, "/api/v1/models/register",
      [registry](net::Request req, net::Responder res) {
    auto spec = parse_spec(req.body);
    if (!spec.ok()) return res.send_error(spec.error());
    off_thread(std::move(res), [registry, spec = std::move(*spec)]() mutable {
      auto id = registry->register_model(std::move(spec));
      if (!id.ok()) return error_json(id.error());
      auto m = registry->info(*id);
      json::object body{{"id", *id}};
      if (m.ok()) body["model"] = info_json(*m);
      return net::Response::json(201, json::serialize(body));
    });
  }, admin));
  WOOLLY_TRY(router.add(net::Method::kDelete, "/api/v1/models/:id",
      [registry](net::Request req, net::Responder res) {
    std::string id(req.param("id"));
    off_thread(std::move(res), [registry, id] {
      auto st = registry->remove(id);
      if (!st.ok()) return error_json(st.error());
      return net::Response::empty(204);
    });
  }, admin));
  WOOLLY_TRY(router.add(net::Method::kGet, "/api/v1/health/models/:id",
      [registry](net::Request req, net::Responder res) {
    std::string id(req.param("id"));
    off_thread(std::move(res), [registry, id] {
      if (auto m = registry->info(id); !m.ok()) return error_json(m.error());
      auto st = registry->health(id);
      json::object body{{"id", id}, {"status", st.ok() ? "healthy" : "unhealthy"}};
      if (!st.ok()) body["error"] = st.error().message;
      return net::Response::json(st.ok() ? 200 : 503, json::serialize(body));
    });
  }, read));
  for (bool load : {true, false}) {
    std::string pattern = load ? "/api/v1/models/:id/load" : "/api/v1/models/:id/unload";
    WOOLLY_TRY(router.add(net::Method::kPost, pattern,
        [registry, load](net::Request req, net::Responder res) {
      std::string id(req.param("id"));
      off_thread(std::move(res), [registry, id, load] {
        auto st = load ? registry->load(id) : registry->unload(id);
        if (!st.ok()) return error_json(st.error());
        auto m = registry->info(id);
        if (!m.ok()) return error_json(m.error());
        return net::Response::json(200, json::serialize(info_json(*m)));
      });
    }, admin));
  }
  return {};
}

}  // namespace woolly::api
