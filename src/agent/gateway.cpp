#include "agent/gateway.h"

#include <boost/json.hpp>
#include <thread>

#include "agent/detail/host_resources.h"
#include "obs/log/log.h"

namespace woolly::agent {
namespace json = boost::json;

Gateway::Gateway(McpHost& host, mcp::ToolRegistry& tools, mcp::ResourceRegistry* resources,
                 mcp::PromptRegistry* prompts)
    : host_(host), tools_(tools), resources_(resources), prompts_(prompts) {
  if (resources_) {
    resource_provider_ = std::make_shared<detail::HostResources>(host_);
    resources_->add_provider(resource_provider_);
  }
  host_.on_tools_changed([this] { sync(); });
  sync();
}

Gateway::~Gateway() {
  host_.on_tools_changed({});
  std::unique_lock lock(mutex_);
  closing_ = true;
  for (const auto& name : exported_) tools_.remove(name);
  exported_.clear();
  if (prompts_) {
    for (const auto& name : exported_prompts_) prompts_->remove(name);
  }
  if (resources_ && resource_provider_) {
    resources_->remove_provider(resource_provider_.get());
    resources_->notify_list_changed();
  }
  idle_.wait(lock, [this] { return in_flight_ == 0; });
}

void Gateway::set_caller_filter(CallerFilter filter) {
  std::lock_guard lock(mutex_);
  caller_filter_ = std::move(filter);
}

void Gateway::sync() {
  std::lock_guard lock(mutex_);
  if (closing_) return;
  std::set<std::string> now;
  for (const auto& t : host_.tools()) {
    now.insert(t.qualified);
    if (exported_.count(t.qualified)) continue;
    mcp::ToolSpec spec;
    spec.name = t.qualified;
    if (auto* d = t.definition.if_contains("description"); d && d->is_string())
      spec.description = std::string(d->as_string());
    if (auto* s = t.definition.if_contains("inputSchema"); s && s->is_object())
      spec.input_schema = s->as_object();
    std::string qualified = t.qualified;
    // A caller sees only the re-exported tools its API key allows.
    spec.visible_to = [this, qualified](const std::shared_ptr<const void>& caller) {
      std::lock_guard l(mutex_);
      return !caller_filter_ || tool_allowed(caller_filter_(caller), qualified);
    };
    spec.handler = [this, qualified](std::shared_ptr<mcp::ToolContext> ctx) {
      {
        std::lock_guard l(mutex_);
        if (closing_) return ctx->fail("the gateway is shutting down");
        if (caller_filter_ && !tool_allowed(caller_filter_(ctx->caller()), qualified)) {
          return ctx->fail("the tool " + qualified + " is not allowed for this API key");
        }
        ++in_flight_;
      }
      std::thread([this, qualified, ctx] {
        ToolOutcome o = host_.call(qualified, json::serialize(ctx->arguments()), ctx->cancel_flag());
        mcp::ToolResult r;
        if (const json::value* c = o.raw.if_contains("content"); c && c->is_array()) {
          r.content = c->as_array();
          if (const json::value* sc = o.raw.if_contains("structuredContent"))
            r.structured_content = *sc;
          r.is_error = o.is_error;
          ctx->complete(std::move(r));
        } else {
          ctx->fail(o.text);
        }
        std::lock_guard l(mutex_);
        if (--in_flight_ == 0) idle_.notify_all();
      }).detach();
    };
    Status st = tools_.replace(std::move(spec));
    if (st.ok()) exported_.insert(t.qualified);
    else obs::logger()->warn("gateway: cannot export {}: {}", t.qualified, st.error().message);
  }
  for (auto it = exported_.begin(); it != exported_.end();) {
    if (now.count(*it)) {
      ++it;
      continue;
    }
    tools_.remove(*it);
    it = exported_.erase(it);
  }
  sync_prompts();
  sync_resources();
}

// Prompts render on the MCP server's workers; the renderer holds only the host, which outlives
// the server that calls it.
void Gateway::sync_prompts() {
  if (!prompts_) return;
  std::set<std::string> now;
  for (const HostPrompt& p : host_.prompts()) {
    now.insert(p.qualified);
    if (exported_prompts_.count(p.qualified)) continue;
    mcp::PromptSpec spec;
    spec.name = p.qualified;
    if (auto* d = p.definition.if_contains("description"); d && d->is_string())
      spec.description = std::string(d->as_string());
    if (auto* t = p.definition.if_contains("title"); t && t->is_string())
      spec.title = std::string(t->as_string());
    if (auto* args = p.definition.if_contains("arguments"); args && args->is_array()) {
      for (const auto& a : args->as_array()) {
        const json::object* o = a.if_object();
        const json::value* name = o ? o->if_contains("name") : nullptr;
        if (!name || !name->is_string()) continue;
        mcp::PromptArgument arg;
        arg.name = std::string(name->as_string());
        if (auto* d = o->if_contains("description"); d && d->is_string())
          arg.description = std::string(d->as_string());
        if (auto* r = o->if_contains("required"); r && r->is_bool()) arg.required = r->as_bool();
        spec.arguments.push_back(std::move(arg));
      }
    }
    McpHost* host = &host_;
    std::string qualified = p.qualified;
    spec.render = [host, qualified](
                      const mcp::PromptArgs& args) -> Result<std::vector<mcp::PromptMessage>> {
      json::object arguments;
      for (const auto& [k, v] : args) arguments[k] = v;
      WOOLLY_ASSIGN_OR_RETURN(json::object r, host->get_prompt(qualified, std::move(arguments)));
      std::vector<mcp::PromptMessage> out;
      if (const json::value* m = r.if_contains("messages"); m && m->is_array()) {
        for (const auto& item : m->as_array()) {
          const json::object* o = item.if_object();
          const json::value* role = o ? o->if_contains("role") : nullptr;
          const json::value* content = o ? o->if_contains("content") : nullptr;
          if (!role || !role->is_string() || !content || !content->is_object()) continue;
          out.push_back({std::string(role->as_string()), content->as_object()});
        }
      }
      return out;
    };
    Status st = prompts_->add(std::move(spec));
    if (st.ok()) exported_prompts_.insert(p.qualified);
    else obs::logger()->warn("gateway: cannot export prompt {}: {}", p.qualified, st.error().message);
  }
  for (auto it = exported_prompts_.begin(); it != exported_prompts_.end();) {
    if (now.count(*it)) {
      ++it;
      continue;
    }
    prompts_->remove(*it);
    it = exported_prompts_.erase(it);
  }
}

// The provider reads the host live; the registry only needs telling when the listing changed.
void Gateway::sync_resources() {
  if (!resources_) return;
  std::string listing;
  for (const auto& r : resource_provider_->list()) listing += r.name + '\n';
  for (const auto& t : resource_provider_->templates()) listing += t.name + '\n';
  if (listing == resource_listing_) return;
  resource_listing_ = std::move(listing);
  resources_->notify_list_changed();
}

}  // namespace woolly::agent
