// The tools an MCP server offers. Other parts (the serving layer's built-in Woolly tools, the
// conformance fixtures, embedding programs) register tools here at runtime; the server lists and
// calls them and tells clients when the set changes.
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
#include "mcp/schema_validator.h"
#include "mcp/tool_context.h"

namespace woolly::mcp {

// Hints for clients (MCP ToolAnnotations); unset fields are omitted from tools/list.
struct ToolAnnotations {
  std::string title;
  std::optional<bool> read_only_hint;
  std::optional<bool> destructive_hint;
  std::optional<bool> idempotent_hint;
  std::optional<bool> open_world_hint;
};

// Runs one call. It may finish inline or keep the context and finish later from another thread.
using ToolHandler = std::function<void(std::shared_ptr<ToolContext>)>;

// Adapts a handler that returns at once: an Error becomes a tool execution error (isError).
ToolHandler sync_tool(std::function<Result<ToolResult>(ToolContext&)> fn);

struct ToolSpec {
  std::string name;  // 1-128 of [A-Za-z0-9_.-]
  std::string title;
  std::string description;
  json::object input_schema;                // empty = {"type":"object"}
  std::optional<json::object> output_schema;  // when set, results carry structuredContent
  ToolAnnotations annotations;
  // Client capabilities the tool cannot work without (e.g. "sampling"). A call from a client
  // that did not declare them fails before the handler runs: -32021 with
  // data.requiredCapabilities in 2026-07-28, a tool execution error in the session revisions.
  std::vector<std::string> required_client_capabilities;
  ToolHandler handler;
  // Whether tools/list shows the tool to a session's caller (the opaque principal the transport
  // authenticated, null when none); unset = shown to everyone. Listing only: the handler still
  // checks what a caller may call.
  std::function<bool(const std::shared_ptr<const void>& caller)> visible_to;
};

class ToolRegistry {
 public:
  struct Entry {
    ToolSpec spec;
    SchemaValidator input;
    std::optional<SchemaValidator> output;
    json::object listing;  // the tools/list element, built once
  };

  // kInvalidArgument for a bad name, a missing handler or a schema that does not compile;
  // kAlreadyExists when the name is taken (use replace() to swap).
  Status add(ToolSpec spec);
  Status replace(ToolSpec spec);
  bool remove(std::string_view name);

  // Sorted by name: a deterministic order keeps client caches and prompt caches warm.
  std::vector<std::shared_ptr<const Entry>> list() const;
  std::shared_ptr<const Entry> find(std::string_view name) const;

  ChangeNotifier& changes() { return changes_; }

 private:
  Status insert(ToolSpec spec, bool allow_replace);

  mutable std::mutex mutex_;  // guards tools_; entries are immutable once inserted
  std::map<std::string, std::shared_ptr<const Entry>, std::less<>> tools_;
  ChangeNotifier changes_;
};

bool is_valid_tool_name(std::string_view name);

}  // namespace woolly::mcp
