#include "mcp/service.h"

#include <filesystem>

#include "mcp/file_resources.h"
#include "mcp/test_fixtures.h"

namespace woolly::mcp {

Result<std::unique_ptr<Service>> Service::create(ServiceOptions options) {
  std::unique_ptr<Service> s(new Service());
  if (!options.resource_roots.empty()) {
    for (const std::string& root : options.resource_roots) {
      std::error_code ec;
      if (!std::filesystem::is_directory(root, ec)) {
        return make_error(Errc::kInvalidArgument,
                          "mcp.resource_roots: not a directory: " + root);
      }
    }
    s->resources_->add_provider(std::make_shared<FileResourceProvider>(
        FileResourceOptions{.roots = options.resource_roots}));
  }
  if (!options.prompts_dir.empty()) {
    auto loaded = s->prompts_->load_directory(options.prompts_dir);
    if (!loaded.ok()) {
      return make_error(loaded.error().code, "mcp.prompts_dir: " + loaded.error().message);
    }
  }
  if (options.enable_test_fixtures) {
    WOOLLY_TRY(register_conformance_fixtures(*s->tools_, *s->resources_, *s->prompts_));
  }
  s->server_ = std::make_unique<Server>(std::move(options.server), s->tools_, s->resources_,
                                        s->prompts_);
  return s;
}

int serve_stdio(Service& service, StdioServerOptions options) {
  return run_stdio_server(service.server(), 0, 1, options);
}

}  // namespace woolly::mcp
