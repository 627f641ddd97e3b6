// Re-exports the host's tools on Woolly's own MCP server, named "<server>__<tool>": the tools of a
// server that goes down are removed from the registry and come back when it is restarted (the
// registry sends tools/list_changed on each change).
//
//   agent::Gateway gateway(host, service.tools());   // keeps itself in sync via on_tools_changed
//
// Calls run on a thread of their own (a host call blocks until the server answers); the
// destructor removes the tools and waits for calls in flight. The host must outlive the gateway.
#pragma once

#include <condition_variable>
#include <mutex>
#include <set>
#include <string>

#include "agent/mcp_host.h"
#include "mcp/tool_registry.h"

namespace woolly::agent {

class Gateway {
 public:
  Gateway(McpHost& host, mcp::ToolRegistry& tools);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Adds the host's current tools and removes withdrawn ones; runs on every host change.
  void sync();

 private:
  McpHost& host_;
  mcp::ToolRegistry& tools_;
  std::mutex mutex_;
  std::condition_variable idle_;
  std::set<std::string> exported_;
  int in_flight_ = 0;
  bool closing_ = false;
};

}  // namespace woolly::agent
