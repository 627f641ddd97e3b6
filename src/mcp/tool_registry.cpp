#include "mcp/tool_registry.h"

#include <algorithm>

#include "mcp/param_headers.h"

namespace woolly::mcp {

bool is_valid_tool_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '.';
  });
}

ToolHandler sync_tool(std::function<Result<ToolResult>(ToolContext&)> fn) {
  return [fn = std::move(fn)](std::shared_ptr<ToolContext> ctx) {
    Result<ToolResult> r = fn(*ctx);
    if (r.ok()) {
      ctx->complete(std::move(r).value());
    } else {
      ctx->fail(r.error().message);
    }
  };
}

namespace {

json::object annotations_json(const ToolAnnotations& a) {
  json::object o;
  if (!a.title.empty()) o["title"] = a.title;
  if (a.read_only_hint) o["readOnlyHint"] = *a.read_only_hint;
  if (a.destructive_hint) o["destructiveHint"] = *a.destructive_hint;
  if (a.idempotent_hint) o["idempotentHint"] = *a.idempotent_hint;
  if (a.open_world_hint) o["openWorldHint"] = *a.open_world_hint;
  return o;
}

}  // namespace

Status ToolRegistry::insert(ToolSpec spec, bool allow_replace) {
  if (!is_valid_tool_name(spec.name)) {
    return make_error(Errc::kInvalidArgument, "invalid tool name '" + spec.name + "'");
  }
  if (!spec.handler) return make_error(Errc::kInvalidArgument, "tool '" + spec.name + "' has no handler");
  if (spec.input_schema.empty()) spec.input_schema["type"] = "object";
  auto input = SchemaValidator::compile(spec.input_schema);
  if (!input.ok()) {
    return make_error(Errc::kInvalidArgument, spec.name + " inputSchema: " + input.error().message);
  }
  if (Status s = validate_param_header_annotations(spec.input_schema); !s.ok()) {
    return make_error(Errc::kInvalidArgument, spec.name + " inputSchema: " + s.error().message);
  }
  std::optional<SchemaValidator> output;
  if (spec.output_schema) {
    auto compiled = SchemaValidator::compile(*spec.output_schema);
    if (!compiled.ok()) {
      return make_error(Errc::kInvalidArgument,
                        spec.name + " outputSchema: " + compiled.error().message);
    }
    output = std::move(compiled).value();
  }
  json::object listing;
  listing["name"] = spec.name;
  if (!spec.title.empty()) listing["title"] = spec.title;
  if (!spec.description.empty()) listing["description"] = spec.description;
  listing["inputSchema"] = spec.input_schema;
  if (spec.output_schema) listing["outputSchema"] = *spec.output_schema;
  if (json::object a = annotations_json(spec.annotations); !a.empty()) listing["annotations"] = a;

  auto entry = std::make_shared<Entry>(
      Entry{std::move(spec), std::move(input).value(), std::move(output), std::move(listing)});
  {
    std::lock_guard lock(mutex_);
    auto it = tools_.find(entry->spec.name);
    if (it != tools_.end() && !allow_replace) {
      return make_error(Errc::kAlreadyExists, "tool '" + entry->spec.name + "' already exists");
    }
    tools_[entry->spec.name] = std::move(entry);
  }
  changes_.notify();
  return {};
}

Status ToolRegistry::add(ToolSpec spec) { return insert(std::move(spec), false); }
Status ToolRegistry::replace(ToolSpec spec) { return insert(std::move(spec), true); }

bool ToolRegistry::remove(std::string_view name) {
  {
    std::lock_guard lock(mutex_);
    auto it = tools_.find(name);
    if (it == tools_.end()) return false;
    tools_.erase(it);
  }
  changes_.notify();
  return true;
}

std::vector<std::shared_ptr<const ToolRegistry::Entry>> ToolRegistry::list() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<const Entry>> out;
  out.reserve(tools_.size());
  for (const auto& [name, e] : tools_) out.push_back(e);
  return out;
}

std::shared_ptr<const ToolRegistry::Entry> ToolRegistry::find(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto it = tools_.find(name);
  return it == tools_.end() ? nullptr : it->second;
}

}  // namespace woolly::mcp
