// The effective configuration as JSON, secrets redacted, for status reports
// (get_server_status, /health details). Same shape as the TOML form.
#include <boost/json.hpp>

#include "config/detail/schema.h"
#include "config/render.h"

namespace woolly::config {
namespace {

namespace json = boost::json;
using detail::Field;
using detail::FieldRef;
using detail::StringMap;

std::string hide(std::string_view value, bool secret) {
  if (!secret) return std::string(value);
  return value.find("://") != std::string_view::npos ? redact_url_password(value) : redact(value);
}

json::value to_json(const FieldRef& ref, bool secret) {
  struct Visitor {
    bool secret;
    json::value operator()(std::string* s) const { return json::value(hide(*s, secret)); }
    json::value operator()(int* i) const { return json::value(*i); }
    json::value operator()(int64_t* i) const { return json::value(*i); }
    json::value operator()(double* d) const { return json::value(*d); }
    json::value operator()(bool* b) const { return json::value(*b); }
    json::value operator()(std::vector<std::string>* list) const {
      json::array out;
      for (const std::string& s : *list) out.emplace_back(hide(s, secret));
      return out;
    }
    json::value operator()(StringMap* map) const {
      json::object out;
      for (const auto& [k, v] : *map) out[k] = hide(v, secret);
      return out;
    }
  };
  return std::visit(Visitor{secret}, ref);
}

// The object for a dotted table name, created on the way.
json::object& table_object(json::object& root, std::string_view table) {
  json::object* current = &root;
  while (!table.empty()) {
    size_t dot = table.find('.');
    std::string_view part = table.substr(0, dot);
    json::value& next = (*current)[part];
    if (!next.is_object()) next = json::object();
    current = &next.as_object();
    table = dot == std::string_view::npos ? std::string_view() : table.substr(dot + 1);
  }
  return *current;
}

template <typename Owner>
json::object entry_object(std::span<const Field<Owner>> fields, Owner& owner) {
  json::object out;
  for (const Field<Owner>& f : fields) out[f.key] = to_json(f.ref(owner), f.secret);
  return out;
}

}  // namespace

std::string redacted_json(const Config& config_in) {
  Config config = config_in;  // the field table hands out mutable references
  json::object root;
  for (const Field<Config>& f : detail::config_fields()) {
    table_object(root, f.table)[f.key] = to_json(f.ref(config), f.secret);
  }
  json::object servers;
  for (auto& [name, server] : config.mcp.servers) {
    servers[name] = entry_object(detail::mcp_server_fields(), server);
  }
  table_object(root, "mcp")["servers"] = std::move(servers);
  json::array backends;
  for (BackendEntry& b : config.backends) {
    backends.push_back(entry_object(detail::backend_fields(), b));
  }
  root["backends"] = std::move(backends);
  json::object pricing;
  for (auto& [model, price] : config.pricing) {
    pricing[model] = entry_object(detail::pricing_fields(), price);
  }
  root["pricing"] = std::move(pricing);
  return json::serialize(root);
}

}  // namespace woolly::config
