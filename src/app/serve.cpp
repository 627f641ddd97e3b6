// `woolly-server serve`: start-up in the documented order, serve, and stop on a signal.
//
// Start-up (docs/DESIGN.md) runs the stages below in order; each one's product is a member of
// `Stack`, declared in start-up order, so that C++ destroys them in reverse: the net::Server (after
// its drain) first, then the MCP server's transports, the models, the MCP host's children and the
// store. A stage that fails logs `start-up failed: <stage>: <why>` and serve() returns 1 after the
// stages already done are undone the same way.
//
//   1. store        (persistence; sessions, keys, ledgers)
//   2. identity     (authenticator, rate limiter, credits: the before hook)
//   3. MCP host     (the MCP servers of the configuration, before the models)
//   4. models       (the model registry; the demo model when none is configured)
//   5. routes       (status, serving surfaces, Woolly's own MCP server)
//   6. listen
//
// Shut-down: the first SIGTERM/SIGINT stops accepting, lets in-flight requests finish (bounded by
// server.drain_timeout) and closes WebSockets with 1001 (net::Server::shutdown); what is still
// queued or running on the tool runner and the store's pool then finishes (Stack::stop), the
// stages are undone in reverse order and logs flushed. A second signal exits at once.
#include "app/serve.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "app/detail/identity_stage.h"
#include "app/detail/mcp_host_stage.h"
#include "app/detail/mcp_surface.h"
#include "app/detail/metering_stage.h"
#include "app/detail/models_stage.h"
#include "app/detail/routes.h"
#include "app/detail/server_options.h"
#include "app/detail/store_stage.h"
#include "net/server.h"
#include "obs/metrics/registry.h"

namespace woolly::app {
namespace {

// Everything serve() starts, in start-up order (destroyed in reverse).
struct Stack {
  obs::Registry metrics;  // the server and the routes record into it
  std::shared_ptr<api::StatusContext> status = std::make_shared<api::StatusContext>();
  detail::StoreStage store;
  detail::IdentityStage identity;
  std::shared_ptr<agent::McpHost> mcp_host;  // null without mcp.servers
  std::shared_ptr<backends::ModelRegistry> models;
  std::shared_ptr<api::ServingContext> serving;
  detail::McpSurface mcp_server;
  std::unique_ptr<net::Server> server;

  ~Stack() { stop(); }

  // Work left after the drain (requests whose clients outlived drain_timeout) still holds
  // responders, which post to the server's I/O context, and references to the identity stage
  // (the store pool's metering, session and token-exchange jobs use the rate limiter, credit
  // gate and authenticator). So it is finished or refused while all of that still exists, each
  // pool before the one it feeds: the tool loops (they wait on models metered through the
  // store's pool), then the store's pool. Only then do the stages go, the server first. The
  // server's I/O threads have stopped by now (wait(), or never started).
  void stop() {
    // The MCP transports hold routes of the server: they go first.
    mcp_server.stop_transports();
    if (serving && serving->tools) serving->tools->stop();
    if (store.store) store.store->stop();
    server.reset();
  }
};

int fail(std::string_view stage, const Error& why) {
  spdlog::error("start-up failed: {}: {}", stage, why.message);
  spdlog::default_logger()->flush();
  return 1;
}

Status start_store(const config::Config& config, Stack& s) {
  WOOLLY_ASSIGN_OR_RETURN(s.store, detail::start_store(config));
  return {};
}

Status start_identity(const config::Config& config, Stack& s) {
  WOOLLY_ASSIGN_OR_RETURN(s.identity,
                          detail::start_identity(config, *s.store.store, s.store.redis.get()));
  return {};
}

Status start_models(const config::Config& config, Stack& s) {
  bool demo = false;
  WOOLLY_ASSIGN_OR_RETURN(s.models, detail::start_models(config, &demo));
  if (demo) {
    spdlog::warn("no model configured: serving the built-in demo model, whose output is RANDOM "
                 "TEXT. Point Woolly at a real model with [models] default_model = "
                 "\"/path/to/model.gguf\" or put GGUF files in models_dir ({})",
                 config.models.models_dir);
    s.status->add_capability("demo-model (output is random text; set models.default_model to a "
                             "GGUF file)");
  }
  return {};
}

Status install_routes(const config::Config& config, Stack& s, net::Router& router) {
  WOOLLY_TRY(detail::install_status_routes(router, s.status));
  WOOLLY_TRY(detail::install_identity_routes(router, s.identity));
  s.serving = detail::make_serving_context(config, s.models, &s.metrics);
  s.serving->tools = detail::make_tool_runner(config, s.mcp_host);
  detail::report_mcp_servers(*s.status, s.mcp_host);
  s.serving->metering = detail::start_metering(config, *s.identity.services, &s.metrics);
  WOOLLY_TRY(detail::install_serving_routes(router, s.serving, s.models));
  WOOLLY_TRY(detail::install_session_routes(router, config, s.serving, *s.store.store));
  if (config.mcp.enabled) {
    WOOLLY_ASSIGN_OR_RETURN(s.mcp_server,
                            detail::mount_mcp_server(config, s.models, s.status, s.mcp_host.get(),
                                                     &s.metrics, router, s.serving->metering));
  }
  return {};
}

Status listen(const config::Config& config, Stack& s, net::Router router) {
  net::ServerOptions options = detail::make_server_options(config);
  WOOLLY_ASSIGN_OR_RETURN(s.server, net::Server::create(options, std::move(router), &s.metrics));
  net::Server* server = s.server.get();
  detail::install_identity_hook(*server, s.identity);
  s.status->set_server_stats([server] { return server->stats(); });
  server->on_signals([server, mcp = &s.mcp_server, drain = config.server.drain_timeout](int sig,
                                                                                   int count) {
    if (count == 1) {
      spdlog::info("signal {}: no longer accepting, draining in-flight requests (up to {}s); "
                   "send it again to exit at once",
                   sig, drain);
      server->shutdown();
      mcp->end_streams();
      return;
    }
    spdlog::warn("signal {} again: exiting now without draining", sig);
    spdlog::default_logger()->flush();
    std::_Exit(128 + sig);
  });
  server->start();
  spdlog::info("listening on {}://{} ({} I/O threads)", options.tls ? "https" : "http",
               server->local_address(), options.threads);
  return {};
}

}  // namespace

int serve(const config::Config& config) {
  Stack s;
  s.status->set_metrics(&s.metrics);
  if (Status st = start_store(config, s); !st.ok()) return fail("store", st.error());
  if (Status st = start_identity(config, s); !st.ok()) return fail("identity", st.error());
  s.mcp_host = detail::start_mcp_host(config);
  if (Status st = start_models(config, s); !st.ok()) return fail("models", st.error());
  net::Router router;
  if (Status st = install_routes(config, s, router); !st.ok()) return fail("routes", st.error());
  if (Status st = listen(config, s, std::move(router)); !st.ok()) return fail("listen", st.error());

  s.server->wait();
  spdlog::info("drained; shutting down");
  s.stop();
  spdlog::default_logger()->flush();
  return 0;
}

}  // namespace woolly::app
