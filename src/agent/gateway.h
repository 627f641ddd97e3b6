// Re-exports the host's tools on Woolly's own MCP server, named "<server>__<tool>", and, when
// given the registries, its servers' prompts ("<server>__<prompt>") and resources (URIs as the
// servers gave them, names prefixed "<server>__"; see detail/host_resources.h). What a server
// that goes down offered is removed and comes back when it is restarted (the registries send
// list_changed on each change).
//
//   agent::Gateway gateway(host, service.tools(), &service.resources(), &service.prompts());
//
// Calls run on a thread of their own (a host call blocks until the server answers); the
// destructor removes the tools and waits for calls in flight. The host must outlive the gateway.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "agent/mcp_host.h"
#include "mcp/prompt_registry.h"
#include "mcp/resource_registry.h"
#include "mcp/tool_registry.h"

namespace woolly::agent {

class Gateway {
 public:
  // `resources` and `prompts` may be null: then only tools are re-exported.
  Gateway(McpHost& host, mcp::ToolRegistry& tools, mcp::ResourceRegistry* resources = nullptr,
          mcp::PromptRegistry* prompts = nullptr);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Adds the host's current tools, prompts and resources and removes withdrawn ones; runs on
  // every host change.
  void sync();

  // Which host tools the caller of a tools/call may use, from ToolContext::caller() (opaque to
  // the agent; the app maps it to the API key's allowed tools). A call outside it fails with a
  // tool error. Unset = every tool for every caller. Listing is not filtered: the MCP server has
  // one tool list for all sessions.
  using CallerFilter = std::function<ToolFilter(const std::shared_ptr<const void>& caller)>;
  void set_caller_filter(CallerFilter filter);

 private:
  void sync_prompts();
  void sync_resources();

  McpHost& host_;
  mcp::ToolRegistry& tools_;
  mcp::ResourceRegistry* resources_;
  mcp::PromptRegistry* prompts_;
  std::shared_ptr<mcp::ResourceProvider> resource_provider_;
  std::mutex mutex_;  // guards everything below (sync runs on the host's threads)
  std::condition_variable idle_;
  std::set<std::string> exported_;
  std::set<std::string> exported_prompts_;
  std::string resource_listing_;  // what the resource provider listed last, to notice changes
  CallerFilter caller_filter_;
  int in_flight_ = 0;
  bool closing_ = false;
};

}  // namespace woolly::agent
