#include "app/detail/mcp_host_stage.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>


namespace woolly::app::detail {

std::shared_ptr<agent::McpHost> start_mcp_host(const config::Config& config) {
  if (config.mcp.servers.empty()) return nullptr;
  agent::HostOptions options;
  options.client.name = config.mcp.server_info.name;
  options.client.version = config.mcp.server_info.version;
  auto host = std::make_shared<agent::McpHost>(config.mcp, options);
  host->start();
  // The host has logged each failure; this line says what the server starts serving with.
  size_t ready = 0, tools = 0;
  std::string missing;
  for (const auto& s : host->servers()) {
    if (s.state == agent::ServerState::kReady) {
      ++ready;
      tools += s.tools;
    } else if (s.state != agent::ServerState::kDisabled) {
      missing += (missing.empty() ? "" : ", ") + s.name;
    }
  }
  if (missing.empty()) {
    spdlog::info("MCP host: {} of {} servers ready, {} tools", ready, config.mcp.servers.size(),
                 tools);
  } else {
    spdlog::warn("MCP host: {} of {} servers ready, {} tools; serving without {} until they "
                 "answer (retried in the background)",
                 ready, config.mcp.servers.size(), tools, missing);
  }
  return host;
}

std::shared_ptr<api::ToolRunner> make_tool_runner(const config::Config& config,
                                                  std::shared_ptr<agent::McpHost> host) {
  if (!host) return nullptr;
  api::ToolRunnerOptions o;
  o.max_rounds = config.mcp.max_tool_rounds;
  // Loops wait on models and tools, not on CPU; the queue behind them is as deep as the number
  // of requests the server takes at once.
  o.workers = std::clamp(config.limits.max_concurrent_requests, 1, 16);
  o.max_queue = static_cast<size_t>(std::max(config.limits.max_concurrent_requests, 1));
  return std::make_shared<api::ToolRunner>(std::move(host), o);
}

void report_mcp_servers(api::StatusContext& status, std::shared_ptr<agent::McpHost> host) {
  if (!host) return;
  status.add_info("mcp_servers", [host] {
    boost::json::array out;
    for (const auto& s : host->servers()) {
      boost::json::object o{{"name", s.name}, {"state", agent::server_state_name(s.state)},
                            {"tools", s.tools}, {"restarts", s.restarts}};
      if (!s.last_error.empty()) o["last_error"] = s.last_error;
      out.push_back(std::move(o));
    }
    return boost::json::value(std::move(out));
  });
}

}  // namespace woolly::app::detail
