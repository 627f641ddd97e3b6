// Woolly's own MCP server as the serve command mounts it: the built-in tools over the model
// registry and the MCP host's tools, prompts and resources re-exported (agent::Gateway; `host` may be
// null, else it must outlive the surface), served as Streamable HTTP at /mcp, WebSocket at
// /api/v1/mcp/ws and the REST mirror under /api/v1/mcp (all with scope "mcp").
#pragma once

#include <memory>

#include "agent/gateway.h"
#include "agent/mcp_host.h"
#include "api/metering.h"
#include "api/status_context.h"
#include "backends/model_registry.h"
#include "common/result.h"
#include "config/config.h"
#include "mcp/service.h"
#include "mcp/tools/builtin_tools.h"
#include "mcp/transport/streamable_http.h"
#include "mcp/transport/websocket.h"
#include "net/router.h"
#include "obs/metrics/registry.h"

namespace woolly::app::detail {

// The transports hold routes of the net::Server and must go before it; the service after both.
// Members are declared in the order they must be destroyed last-to-first.
struct McpSurface {
  std::unique_ptr<mcp::Service> service;
  std::unique_ptr<mcp::tools::BuiltinTools> tools;
  std::unique_ptr<agent::Gateway> gateway;  // the host's tools, prompts and resources
  std::unique_ptr<mcp::transport::StreamableHttp> http;
  std::unique_ptr<mcp::transport::WebSocketTransport> ws;
  // Unregisters the model registry observer that announces model changes to MCP clients; last,
  // so it goes first, while the service it reaches is still there.
  std::shared_ptr<void> model_watch;

  // At the start of the drain: ends the long-lived server-to-client streams (subscriptions/listen,
  // Streamable HTTP GET streams), which would otherwise hold the drain until its timeout.
  void end_streams();
  // Ends open subscription streams and drops the transports (before the net::Server goes).
  void stop_transports();
};

Result<McpSurface> mount_mcp_server(const config::Config& config,
                                    const std::shared_ptr<backends::ModelRegistry>& registry,
                                    const std::shared_ptr<api::StatusContext>& status,
                                    agent::McpHost* host, obs::Registry* metrics,
                                    net::Router& router,
                                    std::shared_ptr<api::Metering> metering = nullptr);

}  // namespace woolly::app::detail
