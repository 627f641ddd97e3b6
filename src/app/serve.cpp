// `woolly-server serve`: start-up in the documented order, serve, and stop on a signal.
//
// Start-up (docs/DESIGN.md): store -> MCP servers -> models -> listen. Each stage is one block
// below, run in that order; a stage that fails logs a clear message and serve() returns 1 after
// undoing the stages already done. Only `listen` exists so far; the store, MCP and model stages
// go in front of it, in that order, as their parts land.
//
// Shut-down: the first SIGTERM/SIGINT stops accepting, lets in-flight requests finish (bounded by
// server.drain_timeout) and closes WebSockets with 1001 (net::Server::shutdown); then the stages
// are undone in reverse order (models unloaded, MCP children stopped) and logs flushed. A second
// signal exits at once.
#include "app/serve.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <csignal>
#include <cstdlib>

#include "api/status_context.h"
// --- serving (models stage + inference routes) ---

#include "api/hub_ws.h"
#include "api/model_routes.h"
#include "api/serving.h"
#include "backends/model_registry.h"
// --- end serving ---
#include "app/detail/model_access.h"
#include "app/detail/models_stage.h"
#include "app/detail/server_options.h"
#include "config/render.h"
#include "mcp/service.h"
#include "mcp/tools/builtin_tools.h"
#include "mcp/transport/rest_mirror.h"
#include "mcp/transport/streamable_http.h"
#include "mcp/transport/websocket.h"
#include "net/server.h"
#include "obs/metrics/registry.h"

namespace woolly::app {
namespace {

namespace json = boost::json;

Status install_routes(net::Router& router, const std::shared_ptr<api::StatusContext>& status) {
  WOOLLY_TRY(api::install_health_routes(router, status));
  WOOLLY_TRY(api::install_stats_routes(router, status));
  WOOLLY_TRY(api::install_metrics_routes(router, status));
  return {};
}

// --- serving (inference routes) ---
Status install_serving_routes(net::Router& router, const config::Config& config,
                              const std::shared_ptr<backends::ModelRegistry>& registry,
                              obs::Registry* metrics) {
  auto ctx = std::make_shared<api::ServingContext>(api::serving_context_from_registry(registry));
  ctx->system_prompt = config.generation.system_prompt;
  ctx->defaults.temperature = static_cast<float>(config.generation.temperature);
  ctx->defaults.top_p = static_cast<float>(config.generation.top_p);
  ctx->defaults.top_k = config.generation.top_k;
  ctx->defaults.min_p = static_cast<float>(config.generation.min_p);
  ctx->metrics = metrics;
  WOOLLY_TRY(api::install_openai_routes(router, ctx));
  WOOLLY_TRY(api::install_inference_routes(router, ctx));
  WOOLLY_TRY(api::install_prompt_routes(router, ctx));
  WOOLLY_TRY(api::install_hub_ws(router, ctx));
  return api::install_model_routes(router, registry);
}
// --- end serving ---

// Woolly's own MCP server: the built-in tools over the model registry, mounted as Streamable
// HTTP at /mcp, WebSocket at /api/v1/mcp/ws and the REST mirror under /api/v1/mcp. The transports
// must be destroyed before the net::Server and the service after both (see serve()).
struct McpSurface {
  std::unique_ptr<mcp::Service> service;
  std::unique_ptr<mcp::tools::BuiltinTools> tools;
  std::unique_ptr<mcp::transport::StreamableHttp> http;
  std::unique_ptr<mcp::transport::WebSocketTransport> ws;
};

Result<McpSurface> start_mcp(const config::Config& config,
                             const std::shared_ptr<backends::ModelRegistry>& registry,
                             const std::shared_ptr<api::StatusContext>& status,
                             net::Router& router) {
  McpSurface mcp;
  mcp::ServiceOptions so;
  so.server.name = config.mcp.server_info.name;
  so.server.version = config.mcp.server_info.version;
  so.resource_roots = config.mcp.resource_roots;
  so.prompts_dir = config.mcp.prompts_dir;
  so.enable_test_fixtures = config.mcp.enable_test_fixtures;
  WOOLLY_ASSIGN_OR_RETURN(mcp.service, mcp::Service::create(std::move(so)));

  mcp::tools::BuiltinToolsOptions to;
  to.models = std::make_shared<detail::RegistryModelAccess>(registry);
  to.status = [status, summary = config::redacted_json(config)] {
    json::object o;
    const net::ServerStats st = status->server_stats();
    o["uptime_seconds"] = status->uptime_seconds();
    o["connections"] = json::object{{"open", st.open_connections},
                                    {"total", st.total_connections},
                                    {"websocket", st.ws_connections}};
    o["requests"] = json::object{{"total", st.total_requests}, {"in_flight", st.in_flight_requests}};
    o["configuration"] = json::parse(summary);
    return o;
  };
  mcp.tools = std::make_unique<mcp::tools::BuiltinTools>(std::move(to));
  WOOLLY_TRY(mcp.tools->register_all(mcp.service->tools(), mcp.service->resources()));

  net::RouteMeta meta;
  meta.scope = "mcp";
  mcp::transport::StreamableHttpOptions ho;
  ho.allowed_origins = config.cors.allowed_origins;
  ho.meta = meta;
  mcp.http = std::make_unique<mcp::transport::StreamableHttp>(mcp.service->server(), ho);
  WOOLLY_TRY(mcp.http->mount(router));
  mcp::transport::WebSocketOptions wo;
  wo.max_connections = config.mcp.max_ws_connections;
  wo.max_message_size = static_cast<uint64_t>(config.mcp.max_message_size);
  wo.meta = meta;
  mcp.ws = std::make_unique<mcp::transport::WebSocketTransport>(mcp.service->server(), wo);
  WOOLLY_TRY(mcp.ws->mount(router));
  mcp::transport::RestMirrorOptions ro;
  ro.meta = meta;
  WOOLLY_TRY(mcp::transport::mount_rest_mirror(router, mcp.service->tools(),
                                               mcp.service->resources(),
                                               mcp.service->prompts(), ro));
  return mcp;
}

}  // namespace

int serve(const config::Config& config) {
  // Outlive the server: handlers hold the status context, the server records into the registry.
  obs::Registry metrics;
  auto status = std::make_shared<api::StatusContext>();
  status->set_metrics(&metrics);

  // --- models (serving) ---
  bool demo = false;
  auto models = detail::start_models(config, &demo);
  if (!models.ok()) {
    spdlog::error("start-up failed: models: {}", models.error().message);
    return 1;
  }
  if (demo) {
    spdlog::warn("no model configured: serving the built-in demo model, whose output is RANDOM "
                 "TEXT. Point Woolly at a real model with [models] default_model = "
                 "\"/path/to/model.gguf\" or put GGUF files in models_dir ({})",
                 config.models.models_dir);
    status->add_capability("demo-model (output is random text; set models.default_model to a "
                           "GGUF file)");
  }
  // --- end models (serving) ---

  // --- listen ---
  net::Router router;
  if (Status st = install_routes(router, status); !st.ok()) {
    spdlog::error("start-up failed: routes: {}", st.error().message);
    return 1;
  }
  // --- serving routes ---
  if (Status st = install_serving_routes(router, config, *models, &metrics); !st.ok()) {
    spdlog::error("start-up failed: serving routes: {}", st.error().message);
    return 1;
  }
  // --- end serving routes ---
  McpSurface mcp;
  if (config.mcp.enabled) {
    auto started = start_mcp(config, *models, status, router);
    if (!started.ok()) {
      spdlog::error("start-up failed: mcp: {}", started.error().message);
      return 1;
    }
    mcp = std::move(started).value();
  }
  net::ServerOptions options = detail::make_server_options(config);
  auto created = net::Server::create(options, std::move(router), &metrics);
  if (!created.ok()) {
    spdlog::error("start-up failed: {}", created.error().message);
    return 1;
  }
  std::unique_ptr<net::Server> server = std::move(created).value();
  status->set_server_stats([s = server.get()] { return s->stats(); });
  server->on_signals([s = server.get(), drain = config.server.drain_timeout](int sig, int count) {
    if (count == 1) {
      spdlog::info("signal {}: no longer accepting, draining in-flight requests (up to {}s); "
                   "send it again to exit at once",
                   sig, drain);
      s->shutdown();
      return;
    }
    spdlog::warn("signal {} again: exiting now without draining", sig);
    spdlog::default_logger()->flush();
    std::_Exit(128 + sig);
  });
  server->start();
  spdlog::info("listening on {}://{} ({} I/O threads)", options.tls ? "https" : "http",
               server->local_address(), options.threads);

  server->wait();
  // MCP transports go before the net::Server that holds their routes; the service after both.
  if (mcp.service) mcp.service->server().end_subscriptions();
  mcp.ws.reset();
  mcp.http.reset();
  server.reset();
  // Stages are undone here in reverse start-up order (models, then MCP children, then store).
  spdlog::info("drained; shutting down");
  spdlog::default_logger()->flush();
  return 0;
}

}  // namespace woolly::app
