#include "agent/host_catalog.h"

#include "agent/mcp_host.h"

namespace woolly::agent {
namespace json = boost::json;

namespace {

bool has_string(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() && !v->as_string().empty();
}

}  // namespace

ServerCatalog list_catalog(mcp::Client& client, const mcp::ServerDescription& description,
                           const std::string& server, std::vector<std::string>& problems) {
  ServerCatalog out;
  if (description.capabilities.contains("resources")) {
    if (auto r = client.list_resources(); r.ok()) {
      for (auto& def : *r)
        if (has_string(def, "uri")) out.resources.push_back({server, std::move(def)});
    } else {
      problems.push_back("resources/list failed: " + r.error().message);
    }
    if (auto t = client.list_resource_templates(); t.ok()) {
      for (auto& def : *t)
        if (has_string(def, "uriTemplate")) out.templates.push_back({server, std::move(def)});
    } else if (t.error().code != Errc::kUnsupported) {  // templates are optional
      problems.push_back("resources/templates/list failed: " + t.error().message);
    }
  }
  if (description.capabilities.contains("prompts")) {
    if (auto p = client.list_prompts(); p.ok()) {
      for (auto& def : *p) {
        if (!has_string(def, "name")) continue;
        std::string name(def.at("name").as_string());
        out.prompts.push_back(
            {server + std::string(kToolSeparator) + name, server, name, std::move(def)});
      }
    } else {
      problems.push_back("prompts/list failed: " + p.error().message);
    }
  }
  return out;
}

}  // namespace woolly::agent
