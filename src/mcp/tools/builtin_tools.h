// The built-in Woolly tools and resources, registered through the normal registries:
//   generate_text {prompt, temperature?, max_tokens?, top_k?, top_p?, stop_sequence?, model?}
//     (progress notifications carry the partial text; notifications/cancelled stops generation)
//   chat {messages:[{role, content}], model?, ...sampling}
//   tokenize_text {text, model?}  -> ids and count
//   embed {text, model?}          -> the vector and its dimension
//   get_model_info {model?}, list_models {}
//   set_generation_params {temperature?, max_tokens?, top_k?, top_p?, stop_sequence?}
//     (defaults for later generate_text/chat calls of the same MCP session only, kept in the
//     session's SessionStore; a call without a session, e.g. the REST mirror, is refused)
//   get_server_status {}          -> whatever `status` returns (uptime, connections, config summary)
// Resources: woolly://models/{name} (model metadata as JSON).
#pragma once

#include <functional>
#include <memory>

#include "mcp/resource_registry.h"
#include "mcp/tool_registry.h"
#include "mcp/tools/model_access.h"

namespace woolly::mcp::tools {

struct BuiltinToolsOptions {
  std::shared_ptr<ModelAccess> models;
  std::function<json::object()> status;  // get_server_status body; unset = {}
};

class BuiltinTools {
 public:
  explicit BuiltinTools(BuiltinToolsOptions options);
  // Adds the tools and the model resource template; fails when a name is already taken.
  Status register_all(ToolRegistry& tools, ResourceRegistry& resources);

 private:
  Result<ToolResult> generate(ToolContext& ctx, bool chat);
  Result<ToolResult> set_defaults(ToolContext& ctx);

  BuiltinToolsOptions options_;
};

// The resource URI of a model's metadata: woolly://models/{name}.
std::string model_uri(std::string_view name);

// Parses the sampling members shared by generate_text, chat and set_generation_params; a
// member of the wrong type or out of range is kInvalidArgument naming it.
Result<GenerationParams> parse_generation_params(const json::object& args);

}  // namespace woolly::mcp::tools
