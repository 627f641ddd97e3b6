// A ready-to-serve MCP server: the registries, the server core, and what configuration asks for
// (file resource roots, a prompts directory, the conformance fixtures). The app builds one from
// Config (mcp.*) and either serves stdio with it or hands it to the HTTP/WebSocket adapters; the
// serving layer registers the built-in Woolly tools on tools().
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "mcp/server.h"
#include "mcp/stdio_server.h"

namespace woolly::mcp {

struct ServiceOptions {
  ServerOptions server;
  std::vector<std::string> resource_roots;  // config mcp.resource_roots
  std::string prompts_dir;                  // config mcp.prompts_dir ("" = none)
  bool enable_test_fixtures = false;        // config mcp.enable_test_fixtures
};

class Service {
 public:
  // Fails when the prompts directory is missing or holds a malformed prompt, or a resource root
  // is not a directory: configuration mistakes should stop start-up with a clear message.
  static Result<std::unique_ptr<Service>> create(ServiceOptions options);

  Server& server() { return *server_; }
  ToolRegistry& tools() { return *tools_; }
  ResourceRegistry& resources() { return *resources_; }
  PromptRegistry& prompts() { return *prompts_; }

 private:
  Service() = default;
  std::shared_ptr<ToolRegistry> tools_ = std::make_shared<ToolRegistry>();
  std::shared_ptr<ResourceRegistry> resources_ = std::make_shared<ResourceRegistry>();
  std::shared_ptr<PromptRegistry> prompts_ = std::make_shared<PromptRegistry>();
  std::unique_ptr<Server> server_;
};

// `woolly-server mcp stdio`: serves `service` on stdin/stdout until stdin closes. The caller
// must have pointed every log sink at stderr first.
int serve_stdio(Service& service, StdioServerOptions options = {});

}  // namespace woolly::mcp
