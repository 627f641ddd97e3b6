#include "agent/gateway.h"

#include <boost/json.hpp>
#include <thread>

#include "obs/log/log.h"

namespace woolly::agent {
namespace json = boost::json;

Gateway::Gateway(McpHost& host, mcp::ToolRegistry& tools) : host_(host), tools_(tools) {
  host_.on_tools_changed([this] { sync(); });
  sync();
}

Gateway::~Gateway() {
  host_.on_tools_changed({});
  std::unique_lock lock(mutex_);
  closing_ = true;
  for (const auto& name : exported_) tools_.remove(name);
  exported_.clear();
  idle_.wait(lock, [this] { return in_flight_ == 0; });
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
    spec.handler = [this, qualified](std::shared_ptr<mcp::ToolContext> ctx) {
      {
        std::lock_guard l(mutex_);
        if (closing_) return ctx->fail("the gateway is shutting down");
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
}

}  // namespace woolly::agent
