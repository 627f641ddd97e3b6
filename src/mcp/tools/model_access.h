// What the built-in tools need from the serving side: the models, generation, tokenization and
// embeddings. The app implements it over backends::ModelRegistry; tests use a fake.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "mcp/json_rpc.h"
#include "mcp/tool_context.h"

namespace woolly::mcp::tools {

struct ModelSummary {
  std::string id;
  std::string name;
  std::string type;  // local | openai | ollama | anthropic
  bool loaded = false;
  bool chat = true, completion = true, embeddings = false, tokenize = false;
  json::object details;  // anything else worth showing (path, base_url, memory)
};

struct GenerationParams {
  std::optional<double> temperature;
  std::optional<int> max_tokens;
  std::optional<int> top_k;
  std::optional<double> top_p;
  std::vector<std::string> stop;
};

struct ChatTurn {
  std::string role;
  std::string content;
};

struct GenerateRequest {
  std::string model;            // "" = the default model
  std::string prompt;           // completion when `messages` is empty
  std::vector<ChatTurn> messages;
  GenerationParams params;
  CancelFlag cancel;            // set when the MCP request is cancelled
  std::shared_ptr<const void> caller;  // ToolContext::caller(): who pays; null = nobody known
};

struct GenerateResult {
  std::string model;
  std::string text;
  std::string finish_reason;  // stop | length | cancelled | ...
  int prompt_tokens = 0;
  int completion_tokens = 0;
};

class ModelAccess {
 public:
  virtual ~ModelAccess() = default;
  virtual std::vector<ModelSummary> list_models() = 0;
  virtual Result<ModelSummary> model_info(std::string_view name) = 0;  // "" = default model
  // Blocking; `on_text` gets each new piece of text as it is produced.
  virtual Result<GenerateResult> generate(const GenerateRequest& request,
                                          const std::function<void(std::string_view)>& on_text) = 0;
  virtual Result<std::vector<int32_t>> tokenize(std::string_view model, std::string_view text) = 0;
  // `caller` as in GenerateRequest.
  virtual Result<std::vector<float>> embed(std::string_view model, std::string_view text,
                                           const std::shared_ptr<const void>& caller) = 0;
};

}  // namespace woolly::mcp::tools
