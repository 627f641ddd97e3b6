// The built-in MCP tools' view of the models (mcp::tools::ModelAccess) over the serving layer's
// ModelRegistry: the same backends, queues and cancellation as the HTTP surfaces, and the same
// metering: a generation or embedding for a known caller (an MCP session opened by an
// authenticated request) is charged to that caller like one on the HTTP surfaces.
#pragma once

#include <memory>

#include "api/metering.h"
#include "backends/model_registry.h"
#include "mcp/tools/model_access.h"

namespace woolly::app::detail {

class RegistryModelAccess : public mcp::tools::ModelAccess {
 public:
  // `metering` null = unmetered (mcp stdio, or no store).
  explicit RegistryModelAccess(std::shared_ptr<backends::ModelRegistry> registry,
                               std::shared_ptr<api::Metering> metering = nullptr)
      : registry_(std::move(registry)), metering_(std::move(metering)) {}

  std::vector<mcp::tools::ModelSummary> list_models() override;
  Result<mcp::tools::ModelSummary> model_info(std::string_view name) override;
  // Blocking (MCP tool handlers run on the MCP server's worker threads, never on I/O threads).
  Result<mcp::tools::GenerateResult> generate(
      const mcp::tools::GenerateRequest& request,
      const std::function<void(std::string_view)>& on_text) override;
  Result<std::vector<int32_t>> tokenize(std::string_view model, std::string_view text) override;
  Result<std::vector<float>> embed(std::string_view model, std::string_view text,
                                   const std::shared_ptr<const void>& caller) override;

 private:
  // The backend for `model`, metered for `caller` (an auth::Identity) when there is metering.
  Result<std::shared_ptr<backends::Backend>> backend_for(std::string_view model,
                                                         const std::shared_ptr<const void>& caller);

  std::shared_ptr<backends::ModelRegistry> registry_;
  std::shared_ptr<api::Metering> metering_;
};

}  // namespace woolly::app::detail
