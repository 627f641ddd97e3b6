// Resources an MCP server exposes, from any number of providers: files under configured roots
// (file_resources.h), fixed in-memory resources and URI templates (StaticResources), and later
// the serving layer's `woolly://models/{name}` metadata, each a ResourceProvider.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "mcp/change_notifier.h"
#include "mcp/json_rpc.h"

namespace woolly::mcp {

struct ResourceInfo {
  std::string uri;
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  std::optional<int64_t> size;
  json::object to_json() const;
};

struct ResourceTemplateInfo {
  std::string uri_template;  // RFC 6570 level 1: `{var}` expansions only
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  json::object to_json() const;
};

struct ResourceContents {
  std::string uri;
  std::string mime_type;
  std::optional<std::string> text;
  std::optional<std::string> blob;  // raw bytes; sent base64-encoded
  json::object to_json() const;
};

class ResourceProvider {
 public:
  virtual ~ResourceProvider() = default;
  virtual std::vector<ResourceInfo> list() const = 0;
  virtual std::vector<ResourceTemplateInfo> templates() const { return {}; }
  // kNotFound when the URI is not one of this provider's (the registry then asks the next).
  virtual Result<std::vector<ResourceContents>> read(std::string_view uri) const = 0;
  // Values for a template variable starting with `prefix` (completion/complete).
  virtual std::vector<std::string> complete(std::string_view uri_template,
                                            std::string_view variable,
                                            std::string_view prefix) const {
    (void)uri_template, (void)variable, (void)prefix;
    return {};
  }
};

// Matches `uri` against a level-1 URI template; the variables on success.
std::optional<std::map<std::string, std::string>> match_uri_template(std::string_view uri_template,
                                                                     std::string_view uri);

// Fixed resources and templates backed by callbacks.
class StaticResources : public ResourceProvider {
 public:
  using Reader = std::function<Result<std::vector<ResourceContents>>(std::string_view uri)>;
  using TemplateReader = std::function<Result<std::vector<ResourceContents>>(
      std::string_view uri, const std::map<std::string, std::string>& vars)>;
  using Completer = std::function<std::vector<std::string>(std::string_view variable,
                                                           std::string_view prefix)>;

  void add(ResourceInfo info, Reader reader);
  void add_text(ResourceInfo info, std::string text);
  void add_template(ResourceTemplateInfo info, TemplateReader reader, Completer completer = {});

  std::vector<ResourceInfo> list() const override;
  std::vector<ResourceTemplateInfo> templates() const override;
  Result<std::vector<ResourceContents>> read(std::string_view uri) const override;
  std::vector<std::string> complete(std::string_view uri_template, std::string_view variable,
                                    std::string_view prefix) const override;

 private:
  struct Template {
    ResourceTemplateInfo info;
    TemplateReader reader;
    Completer completer;
  };
  mutable std::mutex mutex_;  // guards both vectors
  std::vector<std::pair<ResourceInfo, Reader>> resources_;
  std::vector<Template> templates_;
};

class ResourceRegistry {
 public:
  void add_provider(std::shared_ptr<ResourceProvider> provider);
  bool remove_provider(const ResourceProvider* provider);
  // Call when a provider's list changed (sends notifications/resources/list_changed).
  void notify_list_changed() { list_changes_.notify(); }

  std::vector<ResourceInfo> list() const;
  std::vector<ResourceTemplateInfo> templates() const;
  Result<std::vector<ResourceContents>> read(std::string_view uri) const;
  std::vector<std::string> complete(std::string_view uri_template, std::string_view variable,
                                    std::string_view prefix) const;

  ChangeNotifier& list_changes() { return list_changes_; }

 private:
  std::vector<std::shared_ptr<ResourceProvider>> snapshot() const;

  mutable std::mutex mutex_;  // guards providers_
  std::vector<std::shared_ptr<ResourceProvider>> providers_;
  ChangeNotifier list_changes_;
};

}  // namespace woolly::mcp
