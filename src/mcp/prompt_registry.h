// MCP prompts: templates a client can list and fetch with arguments. Loaded from a directory of
// JSON files (format in docs/MCP.md) or registered in code.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "mcp/change_notifier.h"
#include "mcp/json_rpc.h"

namespace woolly::mcp {

struct PromptArgument {
  std::string name;
  std::string description;
  bool required = false;
  std::vector<std::string> suggestions;  // offered by completion/complete
};

struct PromptMessage {
  std::string role;      // "user" | "assistant"
  json::object content;  // a ContentBlock
};

using PromptArgs = std::map<std::string, std::string>;
using PromptRenderer = std::function<Result<std::vector<PromptMessage>>(const PromptArgs&)>;

struct PromptSpec {
  std::string name;
  std::string title;
  std::string description;
  std::vector<PromptArgument> arguments;
  PromptRenderer render;
};

struct RenderedPrompt {
  std::string description;
  std::vector<PromptMessage> messages;
};

class PromptRegistry {
 public:
  Status add(PromptSpec spec);  // kAlreadyExists for a taken name
  bool remove(std::string_view name);
  std::vector<std::shared_ptr<const PromptSpec>> list() const;  // sorted by name
  std::shared_ptr<const PromptSpec> find(std::string_view name) const;
  // kNotFound for an unknown prompt; kInvalidArgument naming a missing required argument.
  Result<RenderedPrompt> get(std::string_view name, const PromptArgs& args) const;

  // Adds every `*.json` prompt in `dir`. Returns how many were loaded; a malformed file fails the
  // whole load with its name in the message (a typo should not silently drop a prompt).
  Result<size_t> load_directory(const std::string& dir);

  ChangeNotifier& changes() { return changes_; }

 private:
  mutable std::mutex mutex_;  // guards prompts_
  std::map<std::string, std::shared_ptr<const PromptSpec>, std::less<>> prompts_;
  ChangeNotifier changes_;
};

// Parses one prompt file's JSON; renders messages by substituting `{{name}}` with arguments.
Result<PromptSpec> parse_prompt_file(const json::value& doc, std::string default_name);
std::string substitute_arguments(std::string_view text, const PromptArgs& args);

}  // namespace woolly::mcp
