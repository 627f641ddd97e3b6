// The server's method handlers: one function per MCP method, each turning a Call into a result.
#include <boost/json/serialize.hpp>

#include "mcp/server.h"

namespace woolly::mcp {

namespace {

// Cursors are opaque to clients; ours encode the offset of the next page.
std::string make_cursor(size_t offset) { return base64_encode("o:" + std::to_string(offset)); }

Result<size_t> cursor_offset(const json::object& params) {
  const json::value* cursor = params.if_contains("cursor");
  if (!cursor || cursor->is_null()) return size_t{0};
  auto bad = [] { return make_error(Errc::kInvalidArgument, "Invalid cursor"); };
  if (!cursor->is_string()) return bad();
  Result<std::string> decoded = base64_decode(cursor->as_string());
  if (!decoded.ok() || !decoded->starts_with("o:") || decoded->size() > 22) return bad();
  size_t offset = 0;
  for (char c : decoded->substr(2)) {
    if (c < '0' || c > '9') return bad();
    offset = offset * 10 + size_t(c - '0');
  }
  return offset;
}

// Fills `out[key]` with one page of `items` and sets nextCursor when more remain.
template <typename T, typename ToJson>
Status paginate(const json::object& params, const std::vector<T>& items, size_t page_size,
                std::string_view key, ToJson to_json, json::object& out) {
  WOOLLY_ASSIGN_OR_RETURN(size_t offset, cursor_offset(params));
  if (offset > items.size()) return make_error(Errc::kInvalidArgument, "Invalid cursor");
  size_t end = std::min(items.size(), offset + std::max<size_t>(1, page_size));
  json::array page;
  for (size_t i = offset; i < end; ++i) page.push_back(to_json(items[i]));
  out[key] = std::move(page);
  if (end < items.size()) out["nextCursor"] = make_cursor(end);
  return {};
}

std::string string_param(const json::object& params, std::string_view key) {
  const json::value* v = params.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

Result<json::object> Server::list_tools(const Call& call) {
  json::object out;
  const bool strip_output = call.version == kRev20250326;  // outputSchema came in 2025-06-18
  std::vector<std::shared_ptr<const ToolRegistry::Entry>> tools = tools_->list();
  std::erase_if(tools, [&](const std::shared_ptr<const ToolRegistry::Entry>& e) {
    return e->spec.visible_to && !e->spec.visible_to(call.caller);
  });
  WOOLLY_TRY(paginate(
      call.params, tools, options_.page_size, "tools",
      [strip_output](const std::shared_ptr<const ToolRegistry::Entry>& e) {
        json::object t = e->listing;
        if (strip_output) {
          t.erase("outputSchema");
          t.erase("title");
        }
        return t;
      },
      out));
  if (call.modern) {
    out["ttlMs"] = options_.list_ttl_ms;
    out["cacheScope"] = "private";
  }
  return out;
}

void Server::call_tool(std::shared_ptr<Call> call) {
  std::string name = string_param(call->params, "name");
  if (name.empty()) {
    count_tool_call("(unknown)", "invalid");
    return fail(*call, RpcError::invalid_params("tools/call: name (string) is required",
                                                json::object{{"path", "/name"}}));
  }
  auto tool = tools_->find(name);
  if (!tool) {
    // Not the caller's name as a label: made-up names would grow the metrics without bound.
    count_tool_call("(unknown)", "invalid");
    return fail(*call, RpcError::invalid_params("Unknown tool: " + name));
  }
  json::object missing;
  for (const std::string& cap : tool->spec.required_client_capabilities) {
    if (!call->client_capabilities.contains(cap)) missing[cap] = json::object{};
  }
  if (!missing.empty()) {
    count_tool_call(name, "invalid");
    std::string names;
    for (const auto& [cap, v] : missing) names += (names.empty() ? "" : ", ") + std::string(cap);
    if (call->modern) {
      return fail(*call, {rpc_code::kMissingRequiredClientCapability,
                          "Missing required client capability: " + names,
                          json::object{{"requiredCapabilities", std::move(missing)}}});
    }
    return finish(*call, ToolResult::error("Tool '" + name + "' needs the client capability: " +
                                           names).to_json());
  }
  json::object args;
  if (const json::value* a = call->params.if_contains("arguments")) {
    if (!a->is_object() && !a->is_null()) {
      count_tool_call(name, "invalid");
      return fail(*call, RpcError::invalid_params("tools/call: arguments must be an object",
                                                  json::object{{"path", "/arguments"}}));
    }
    if (a->is_object()) args = a->as_object();
  }
  if (auto violation = tool->input.validate(args)) {
    count_tool_call(name, "invalid");
    // Since 2025-11-25 the spec wants argument validation failures as tool execution errors the
    // model can read and fix; older revisions get the JSON-RPC invalid-params error.
    std::string where = violation->path.empty() ? "arguments" : "argument " + violation->path;
    if (call->modern || call->version == kRev20251125) {
      return finish(*call, ToolResult::error("Invalid " + where + ": " + violation->reason).to_json());
    }
    return fail(*call, RpcError::invalid_params(
                           "Invalid params: " + where + ": " + violation->reason,
                           json::object{{"path", violation->path}, {"reason", violation->reason}}));
  }

  const bool keep_structured = call->version != kRev20250326;
  ToolContext::Hooks hooks;
  hooks.notify = [this, life = lifeline_, call](json::object notification) {
    std::shared_lock lock(life->mutex);
    if (life->alive && !call->cancel->load()) send(call->session, notification, call->id);
  };
  hooks.finish = [this, life = lifeline_, call, tool, keep_structured](ToolResult result) {
    std::shared_lock lock(life->mutex);
    if (!life->alive) return;
    count_tool_call(tool->spec.name, call->cancel->load() ? "cancelled"
                                     : result.needs_input() ? "input_required"
                                     : result.is_error      ? "error"
                                                            : "ok");
    if (result.needs_input()) {
      if (call->modern) return finish(*call, result.to_json());
      // Session revisions have no InputRequiredResult; such tools use request_client there.
      return finish(*call, ToolResult::error("Tool '" + tool->spec.name +
                                             "' needs client input this protocol revision cannot "
                                             "carry").to_json());
    }
    if (tool->output && !result.is_error) {
      auto violation = result.structured_content.is_null()
                           ? std::optional<SchemaViolation>(SchemaViolation{"", "missing"})
                           : tool->output->validate(result.structured_content);
      if (violation) {
        // The tool broke its own contract: a server bug, not something the caller can fix.
        return fail(*call, RpcError::internal());
      }
    }
    if (!result.structured_content.is_null() && result.content.empty()) {
      // Clients that predate structuredContent still see the data as text.
      result.content.push_back(json::object{
          {"type", "text"}, {"text", json::serialize(result.structured_content)}});
    }
    if (!keep_structured) result.structured_content = nullptr;
    finish(*call, result.to_json());
  };
  hooks.request = [this, life = lifeline_, call](std::string method, json::object params,
                                                ClientReply done) {
    {
      std::shared_lock lock(life->mutex);
      if (life->alive) return request_client(*call, std::move(method), std::move(params), done);
    }
    done(make_error(Errc::kCancelled, "the server is shutting down"));
  };
  auto ctx = std::make_shared<ToolContext>(name, std::move(args), call->progress_token,
                                           call->log_threshold, call->cancel, std::move(hooks));
  ctx->set_caller(call->caller);
  {
    std::lock_guard lock(mutex_);
    if (auto it = sessions_.find(call->session); it != sessions_.end()) {
      ctx->set_session_store(it->second.store);
    }
  }
  if (call->modern) {
    const json::value* responses = call->params.if_contains("inputResponses");
    const json::value* state = call->params.if_contains("requestState");
    ctx->set_retry(responses && responses->is_object() ? responses->as_object() : json::object{},
                   state && state->is_string() ? std::string(state->as_string()) : std::string());
  }
  try {
    tool->spec.handler(ctx);
  } catch (const std::exception&) {
    // A throwing handler is a bug; the client gets a tool error without the exception text.
    ctx->fail("Tool '" + name + "' failed");
  }
}

Result<json::object> Server::list_resources(const Call& call) {
  json::object out;
  WOOLLY_TRY(paginate(call.params, resources_->list(), options_.page_size, "resources",
                      [](const ResourceInfo& r) { return r.to_json(); }, out));
  if (call.modern) {
    out["ttlMs"] = options_.list_ttl_ms;
    out["cacheScope"] = "private";
  }
  return out;
}

Result<json::object> Server::list_resource_templates(const Call& call) {
  json::object out;
  WOOLLY_TRY(paginate(call.params, resources_->templates(), options_.page_size,
                      "resourceTemplates", [](const ResourceTemplateInfo& r) { return r.to_json(); },
                      out));
  if (call.modern) {
    out["ttlMs"] = options_.list_ttl_ms;
    out["cacheScope"] = "private";
  }
  return out;
}

Result<json::object> Server::read_resource(const Call& call) {
  std::string uri = string_param(call.params, "uri");
  if (uri.empty()) return make_error(Errc::kInvalidArgument, "resources/read: uri is required");
  auto contents = resources_->read(uri);
  if (!contents.ok()) return contents.take_error();
  json::array arr;
  for (const ResourceContents& c : *contents) arr.push_back(c.to_json());
  json::object out{{"contents", std::move(arr)}};
  if (call.modern) {
    out["ttlMs"] = options_.list_ttl_ms;
    out["cacheScope"] = "private";
  }
  return out;
}

Result<json::object> Server::subscribe_resource(const Call& call, bool subscribe) {
  std::string uri = string_param(call.params, "uri");
  if (uri.empty()) return make_error(Errc::kInvalidArgument, "uri is required");
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(call.session);
  if (it == sessions_.end()) return make_error(Errc::kCancelled, "session closed");
  if (subscribe) {
    it->second.resource_subscriptions.insert(uri);
  } else {
    it->second.resource_subscriptions.erase(uri);
  }
  return json::object{};
}

Result<json::object> Server::list_prompts(const Call& call) {
  json::object out;
  WOOLLY_TRY(paginate(
      call.params, prompts_->list(), options_.page_size, "prompts",
      [](const std::shared_ptr<const PromptSpec>& p) {
        json::object o{{"name", p->name}};
        if (!p->title.empty()) o["title"] = p->title;
        if (!p->description.empty()) o["description"] = p->description;
        json::array args;
        for (const PromptArgument& a : p->arguments) {
          json::object ao{{"name", a.name}, {"required", a.required}};
          if (!a.description.empty()) ao["description"] = a.description;
          args.push_back(std::move(ao));
        }
        if (!args.empty()) o["arguments"] = std::move(args);
        return o;
      },
      out));
  if (call.modern) {
    out["ttlMs"] = options_.list_ttl_ms;
    out["cacheScope"] = "private";
  }
  return out;
}

Result<json::object> Server::get_prompt(const Call& call) {
  std::string name = string_param(call.params, "name");
  if (name.empty()) return make_error(Errc::kInvalidArgument, "prompts/get: name is required");
  PromptArgs args;
  if (const json::value* a = call.params.if_contains("arguments"); a && a->is_object()) {
    for (const auto& [k, v] : a->as_object()) {
      if (!v.is_string()) {
        return make_error(Errc::kInvalidArgument,
                          "prompts/get: argument '" + std::string(k) + "' must be a string");
      }
      args[std::string(k)] = std::string(v.as_string());
    }
  }
  WOOLLY_ASSIGN_OR_RETURN(RenderedPrompt rendered, prompts_->get(name, args));
  json::array messages;
  for (const PromptMessage& m : rendered.messages) {
    messages.push_back(json::object{{"role", m.role}, {"content", m.content}});
  }
  json::object out{{"messages", std::move(messages)}};
  if (!rendered.description.empty()) out["description"] = rendered.description;
  return out;
}

Result<json::object> Server::complete(const Call& call) {
  const json::value* ref = call.params.if_contains("ref");
  const json::value* arg = call.params.if_contains("argument");
  if (!ref || !ref->is_object() || !arg || !arg->is_object()) {
    return make_error(Errc::kInvalidArgument, "completion/complete: ref and argument are required");
  }
  std::string type = string_param(ref->as_object(), "type");
  std::string arg_name = string_param(arg->as_object(), "name");
  std::string prefix = string_param(arg->as_object(), "value");
  std::vector<std::string> candidates;
  if (type == "ref/prompt") {
    auto prompt = prompts_->find(string_param(ref->as_object(), "name"));
    if (!prompt) return make_error(Errc::kInvalidArgument, "Unknown prompt");
    for (const PromptArgument& a : prompt->arguments) {
      if (a.name != arg_name) continue;
      for (const std::string& s : a.suggestions) {
        if (s.starts_with(prefix)) candidates.push_back(s);
      }
    }
  } else if (type == "ref/resource") {
    candidates = resources_->complete(string_param(ref->as_object(), "uri"), arg_name, prefix);
  } else {
    return make_error(Errc::kInvalidArgument, "completion/complete: unknown ref type");
  }
  constexpr size_t kMaxValues = 100;  // the spec's cap per response
  json::array values;
  for (size_t i = 0; i < candidates.size() && i < kMaxValues; ++i) values.emplace_back(candidates[i]);
  json::object completion{{"values", std::move(values)},
                          {"total", candidates.size()},
                          {"hasMore", candidates.size() > kMaxValues}};
  return json::object{{"completion", std::move(completion)}};
}

Result<json::object> Server::set_log_level(const Call& call) {
  auto level = parse_log_level(string_param(call.params, "level"));
  if (!level) return make_error(Errc::kInvalidArgument, "logging/setLevel: unknown level");
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(call.session);
  if (it != sessions_.end()) it->second.log_level = *level;
  return json::object{};
}

Result<json::object> Server::discover(const Call&) {
  json::array versions;
  for (auto v : modern_revisions()) versions.emplace_back(v);
  for (auto v : legacy_revisions()) versions.emplace_back(v);
  json::object out{{"supportedVersions", std::move(versions)}, {"capabilities", capabilities()}};
  out["capabilities"].as_object().erase("logging");  // per-request `_meta` logLevel instead
  if (!options_.instructions.empty()) out["instructions"] = options_.instructions;
  out["ttlMs"] = options_.list_ttl_ms;
  out["cacheScope"] = "public";
  return out;
}

void Server::listen(const Call& call) {
  const json::value* filter = call.params.if_contains("notifications");
  Subscription sub;
  sub.id = call.id;
  json::object ack;
  if (filter && filter->is_object()) {
    const json::object& f = filter->as_object();
    auto flag = [&](std::string_view key, bool& out) {
      if (const json::value* v = f.if_contains(key); v && v->is_bool() && v->as_bool()) {
        out = true;
        ack[key] = true;
      }
    };
    flag("toolsListChanged", sub.tools);
    flag("promptsListChanged", sub.prompts);
    flag("resourcesListChanged", sub.resources);
    if (const json::value* uris = f.if_contains("resourceSubscriptions"); uris && uris->is_array()) {
      json::array acked;
      for (const json::value& u : uris->as_array()) {
        if (u.is_string()) {
          sub.uris.insert(std::string(u.as_string()));
          acked.push_back(u);
        }
      }
      ack["resourceSubscriptions"] = std::move(acked);
    }
  }
  json::object params{{"_meta", json::object{{kMetaSubscriptionId, call.id}}},
                      {"notifications", std::move(ack)}};
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(call.session);
    if (it == sessions_.end()) return;
    std::string key = id_key(call.id);
    it->second.running.erase(key);  // a subscription lives in `subscriptions`, not `running`
    it->second.subscriptions[key] = std::move(sub);
  }
  // The acknowledgment comes first on the stream; the response only when the server ends it.
  send(call.session, make_notification("notifications/subscriptions/acknowledged", params),
       call.id);
}

}  // namespace woolly::mcp
