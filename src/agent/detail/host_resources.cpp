#include "agent/detail/host_resources.h"

#include "mcp/protocol.h"

namespace woolly::agent::detail {
namespace json = boost::json;

namespace {

std::string str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string prefixed(const HostResource& r) {
  std::string name = str(r.definition, "name");
  return r.server + std::string(kToolSeparator) + (name.empty() ? str(r.definition, "uri") : name);
}

}  // namespace

std::vector<mcp::ResourceInfo> HostResources::list() const {
  std::vector<mcp::ResourceInfo> out;
  for (const HostResource& r : host_.resources()) {
    mcp::ResourceInfo info;
    info.uri = str(r.definition, "uri");
    info.name = prefixed(r);
    info.title = str(r.definition, "title");
    info.description = str(r.definition, "description");
    info.mime_type = str(r.definition, "mimeType");
    if (const json::value* size = r.definition.if_contains("size"); size && size->is_int64()) {
      info.size = size->as_int64();
    }
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<mcp::ResourceTemplateInfo> HostResources::templates() const {
  std::vector<mcp::ResourceTemplateInfo> out;
  for (const HostResource& r : host_.resource_templates()) {
    mcp::ResourceTemplateInfo info;
    info.uri_template = str(r.definition, "uriTemplate");
    info.name = prefixed(r);
    info.title = str(r.definition, "title");
    info.description = str(r.definition, "description");
    info.mime_type = str(r.definition, "mimeType");
    out.push_back(std::move(info));
  }
  return out;
}

Result<std::vector<mcp::ResourceContents>> HostResources::read(std::string_view uri) const {
  std::string server;
  for (const HostResource& r : host_.resources()) {
    if (str(r.definition, "uri") == uri) {
      server = r.server;
      break;
    }
  }
  if (server.empty()) {
    for (const HostResource& t : host_.resource_templates()) {
      if (mcp::match_uri_template(str(t.definition, "uriTemplate"), uri)) {
        server = t.server;
        break;
      }
    }
  }
  if (server.empty()) return make_error(Errc::kNotFound, "no resource " + std::string(uri));
  WOOLLY_ASSIGN_OR_RETURN(json::object result, host_.read_resource(server, std::string(uri)));
  return contents_of(result);
}

Result<std::vector<mcp::ResourceContents>> contents_of(const json::object& result) {
  std::vector<mcp::ResourceContents> out;
  const json::value* contents = result.if_contains("contents");
  if (!contents || !contents->is_array()) {
    return make_error(Errc::kUpstream, "resources/read answered without contents");
  }
  for (const json::value& item : contents->as_array()) {
    const json::object* o = item.if_object();
    if (!o) continue;
    mcp::ResourceContents c;
    c.uri = str(*o, "uri");
    c.mime_type = str(*o, "mimeType");
    if (const json::value* text = o->if_contains("text"); text && text->is_string()) {
      c.text = std::string(text->as_string());
    } else if (const json::value* blob = o->if_contains("blob"); blob && blob->is_string()) {
      WOOLLY_ASSIGN_OR_RETURN(c.blob, mcp::base64_decode(blob->as_string()));
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace woolly::agent::detail
