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
// --- serving (models stage + inference routes) ---
#include <filesystem>

#include "api/hub_ws.h"
#include "api/model_routes.h"
#include "api/serving.h"
#include "backends/model_registry.h"
#include "engine/runtime/demo_model.h"
// --- end serving ---
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

// --- serving (models stage + inference routes) ---
// The models stage: [[backends]] entries, every GGUF in models_dir, models.default_model (a name
// or a GGUF path); with no model at all, the demo model under <data_dir>/models (random text).
Result<std::shared_ptr<backends::ModelRegistry>> start_models(const config::Config& config,
                                                              bool* demo) {
  backends::RegistryOptions ro;
  ro.memory_budget = config.models.memory_budget;
  ro.lazy_load = config.models.lazy_load;
  ro.local.model.threads = config.engine.threads;
  ro.local.model.n_ctx = config.engine.context_length;
  ro.local.model.batch_tokens = config.engine.batch_size;
  ro.local.model.max_sequences = 8;  // parallel streams decoded together
  ro.local.max_queue = config.engine.max_queue;
  ro.local.chat_template = config.engine.chat_template;
  auto registry = std::make_shared<backends::ModelRegistry>(
      ro, std::make_shared<net::client::HttpClient>());
  auto seconds = [](double s) { return std::chrono::milliseconds(static_cast<int64_t>(s * 1000)); };
  for (const auto& b : config.backends) {
    backends::BackendSpec spec;
    spec.name = b.name;
    spec.type = b.type;
    spec.upstream.base_url = b.base_url;
    spec.upstream.api_key = b.api_key;
    spec.upstream.model_name = b.model_name;
    spec.upstream.connect_timeout = seconds(b.connect_timeout);
    spec.upstream.read_timeout = seconds(b.read_timeout);
    spec.upstream.max_retries = b.max_retries;
    spec.path = b.path;
    spec.fallback = b.fallback;
    WOOLLY_TRY(registry->add(std::move(spec)));
  }
  if (std::filesystem::is_directory(config.models.models_dir)) {
    WOOLLY_TRY(registry->scan_models_dir(config.models.models_dir));
  }
  std::string default_model = config.models.default_model;
  if (default_model.ends_with(".gguf")) {
    backends::BackendSpec spec;
    spec.name = std::filesystem::path(default_model).stem().string();
    spec.type = "local";
    spec.path = default_model;
    if (!registry->info(spec.name).ok()) WOOLLY_TRY(registry->add(spec));
    default_model = spec.name;
  }
  if (registry->list().empty()) {
    std::string path = config.server.data_dir + "/models/demo-tiny.gguf";
    if (!std::filesystem::exists(path)) {
      WOOLLY_TRY(engine::create_demo_model(path, engine::DemoSize::kTiny));
    }
    backends::BackendSpec spec;
    spec.name = "demo";
    spec.type = "local";
    spec.path = path;
    WOOLLY_TRY(registry->add(spec));
    default_model = "demo";
    *demo = true;
  }
  if (default_model.empty()) default_model = registry->list().front().id;
  registry->set_default_model(default_model);
  return registry;
}

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

}  // namespace

int serve(const config::Config& config) {
  // Outlive the server: handlers hold the status context, the server records into the registry.
  obs::Registry metrics;
  auto status = std::make_shared<api::StatusContext>();
  status->set_metrics(&metrics);

  // --- models (serving) ---
  bool demo = false;
  auto models = start_models(config, &demo);
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
