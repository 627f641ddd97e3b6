// The built-in MCP tools' view of the models (mcp::tools::ModelAccess) over the serving layer's
// ModelRegistry: the same backends, queues and cancellation as the HTTP surfaces.
#pragma once

#include <memory>

#include "backends/model_registry.h"
#include "mcp/tools/model_access.h"

namespace woolly::app::detail {

class RegistryModelAccess : public mcp::tools::ModelAccess {
 public:
  explicit RegistryModelAccess(std::shared_ptr<backends::ModelRegistry> registry)
      : registry_(std::move(registry)) {}

  std::vector<mcp::tools::ModelSummary> list_models() override;
  Result<mcp::tools::ModelSummary> model_info(std::string_view name) override;
  // Blocking (MCP tool handlers run on the MCP server's worker threads, never on I/O threads).
  Result<mcp::tools::GenerateResult> generate(
      const mcp::tools::GenerateRequest& request,
      const std::function<void(std::string_view)>& on_text) override;
  Result<std::vector<int32_t>> tokenize(std::string_view model, std::string_view text) override;
  Result<std::vector<float>> embed(std::string_view model, std::string_view text) override;

 private:
  std::shared_ptr<backends::ModelRegistry> registry_;
};

}  // namespace woolly::app::detail
