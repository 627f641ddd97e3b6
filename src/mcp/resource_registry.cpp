#include "mcp/resource_registry.h"

#include <algorithm>

#include "mcp/protocol.h"

namespace woolly::mcp {

json::object ResourceInfo::to_json() const {
  json::object o;
  o["uri"] = uri;
  o["name"] = name.empty() ? uri : name;
  if (!title.empty()) o["title"] = title;
  if (!description.empty()) o["description"] = description;
  if (!mime_type.empty()) o["mimeType"] = mime_type;
  if (size) o["size"] = *size;
  return o;
}

json::object ResourceTemplateInfo::to_json() const {
  json::object o;
  o["uriTemplate"] = uri_template;
  o["name"] = name.empty() ? uri_template : name;
  if (!title.empty()) o["title"] = title;
  if (!description.empty()) o["description"] = description;
  if (!mime_type.empty()) o["mimeType"] = mime_type;
  return o;
}

json::object ResourceContents::to_json() const {
  json::object o;
  o["uri"] = uri;
  if (!mime_type.empty()) o["mimeType"] = mime_type;
  if (text) o["text"] = *text;
  if (blob) o["blob"] = base64_encode(*blob);
  return o;
}

std::optional<std::map<std::string, std::string>> match_uri_template(std::string_view tmpl,
                                                                     std::string_view uri) {
  std::map<std::string, std::string> vars;
  size_t t = 0;
  size_t u = 0;
  while (t < tmpl.size()) {
    if (tmpl[t] != '{') {
      if (u >= uri.size() || uri[u] != tmpl[t]) return std::nullopt;
      ++t, ++u;
      continue;
    }
    size_t close = tmpl.find('}', t);
    if (close == std::string_view::npos) return std::nullopt;
    std::string name(tmpl.substr(t + 1, close - t - 1));
    t = close + 1;
    // A variable runs to the next literal character of the template (or the end); it never
    // spans a '/', so `a/{x}` cannot swallow deeper paths.
    char stop = t < tmpl.size() ? tmpl[t] : '\0';
    size_t end = u;
    while (end < uri.size() && uri[end] != '/' && (stop == '\0' || uri[end] != stop)) ++end;
    if (end == u) return std::nullopt;
    vars[name] = std::string(uri.substr(u, end - u));
    u = end;
  }
  if (u != uri.size()) return std::nullopt;
  return vars;
}

void StaticResources::add(ResourceInfo info, Reader reader) {
  std::lock_guard lock(mutex_);
  resources_.emplace_back(std::move(info), std::move(reader));
}

void StaticResources::add_text(ResourceInfo info, std::string text) {
  std::string uri = info.uri;
  std::string mime = info.mime_type.empty() ? "text/plain" : info.mime_type;
  add(std::move(info), [uri, mime, text = std::move(text)](std::string_view) {
    return Result<std::vector<ResourceContents>>(
        std::vector<ResourceContents>{{uri, mime, text, std::nullopt}});
  });
}

void StaticResources::add_template(ResourceTemplateInfo info, TemplateReader reader,
                                   Completer completer) {
  std::lock_guard lock(mutex_);
  templates_.push_back({std::move(info), std::move(reader), std::move(completer)});
}

std::vector<ResourceInfo> StaticResources::list() const {
  std::lock_guard lock(mutex_);
  std::vector<ResourceInfo> out;
  for (const auto& [info, reader] : resources_) out.push_back(info);
  return out;
}

std::vector<ResourceTemplateInfo> StaticResources::templates() const {
  std::lock_guard lock(mutex_);
  std::vector<ResourceTemplateInfo> out;
  for (const auto& t : templates_) out.push_back(t.info);
  return out;
}

Result<std::vector<ResourceContents>> StaticResources::read(std::string_view uri) const {
  std::unique_lock lock(mutex_);
  for (const auto& [info, reader] : resources_) {
    if (info.uri == uri) {
      Reader r = reader;
      lock.unlock();
      return r(uri);
    }
  }
  for (const auto& t : templates_) {
    if (auto vars = match_uri_template(t.info.uri_template, uri)) {
      TemplateReader r = t.reader;
      lock.unlock();
      return r(uri, *vars);
    }
  }
  return make_error(Errc::kNotFound, "Resource not found");
}

std::vector<std::string> StaticResources::complete(std::string_view uri_template,
                                                   std::string_view variable,
                                                   std::string_view prefix) const {
  std::lock_guard lock(mutex_);
  for (const auto& t : templates_) {
    if (t.info.uri_template == uri_template && t.completer) return t.completer(variable, prefix);
  }
  return {};
}

void ResourceRegistry::add_provider(std::shared_ptr<ResourceProvider> provider) {
  {
    std::lock_guard lock(mutex_);
    providers_.push_back(std::move(provider));
  }
  list_changes_.notify();
}

bool ResourceRegistry::remove_provider(const ResourceProvider* provider) {
  {
    std::lock_guard lock(mutex_);
    auto it = std::find_if(providers_.begin(), providers_.end(),
                           [&](const auto& p) { return p.get() == provider; });
    if (it == providers_.end()) return false;
    providers_.erase(it);
  }
  list_changes_.notify();
  return true;
}

std::vector<std::shared_ptr<ResourceProvider>> ResourceRegistry::snapshot() const {
  std::lock_guard lock(mutex_);
  return providers_;
}

std::vector<ResourceInfo> ResourceRegistry::list() const {
  std::vector<ResourceInfo> out;
  for (const auto& p : snapshot()) {
    auto part = p->list();
    out.insert(out.end(), std::make_move_iterator(part.begin()),
               std::make_move_iterator(part.end()));
  }
  return out;
}

std::vector<ResourceTemplateInfo> ResourceRegistry::templates() const {
  std::vector<ResourceTemplateInfo> out;
  for (const auto& p : snapshot()) {
    auto part = p->templates();
    out.insert(out.end(), std::make_move_iterator(part.begin()),
               std::make_move_iterator(part.end()));
  }
  return out;
}

Result<std::vector<ResourceContents>> ResourceRegistry::read(std::string_view uri) const {
  for (const auto& p : snapshot()) {
    auto r = p->read(uri);
    if (r.ok() || r.error().code != Errc::kNotFound) return r;
  }
  return make_error(Errc::kNotFound, "Resource not found");
}

std::vector<std::string> ResourceRegistry::complete(std::string_view uri_template,
                                                    std::string_view variable,
                                                    std::string_view prefix) const {
  for (const auto& p : snapshot()) {
    auto values = p->complete(uri_template, variable, prefix);
    if (!values.empty()) return values;
  }
  return {};
}

}  // namespace woolly::mcp
