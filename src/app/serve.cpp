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

#include <csignal>
#include <cstdlib>

#include "api/status_context.h"
#include "app/detail/server_options.h"
#include "net/server.h"
#include "obs/metrics/registry.h"

namespace woolly::app {
namespace {

Status install_routes(net::Router& router, const std::shared_ptr<api::StatusContext>& status) {
  WOOLLY_TRY(api::install_health_routes(router, status));
  WOOLLY_TRY(api::install_stats_routes(router, status));
  WOOLLY_TRY(api::install_metrics_routes(router, status));
  return {};
}

}  // namespace

int serve(const config::Config& config) {
  // Outlive the server: handlers hold the status context, the server records into the registry.
  obs::Registry metrics;
  auto status = std::make_shared<api::StatusContext>();
  status->set_metrics(&metrics);

  // --- listen ---
  net::Router router;
  if (Status st = install_routes(router, status); !st.ok()) {
    spdlog::error("start-up failed: routes: {}", st.error().message);
    return 1;
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
  // Stages are undone here in reverse start-up order (models, then MCP children, then store).
  spdlog::info("drained; shutting down");
  spdlog::default_logger()->flush();
  return 0;
}

}  // namespace woolly::app
