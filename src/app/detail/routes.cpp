#include "app/detail/routes.h"

#include "api/hub_ws.h"
#include "api/model_routes.h"
#include "api/session_routes.h"

namespace woolly::app::detail {

Status install_status_routes(net::Router& router,
                             const std::shared_ptr<api::StatusContext>& status) {
  WOOLLY_TRY(api::install_health_routes(router, status));
  WOOLLY_TRY(api::install_stats_routes(router, status));
  WOOLLY_TRY(api::install_metrics_routes(router, status));
  return {};
}

std::shared_ptr<api::ServingContext> make_serving_context(
    const config::Config& config, const std::shared_ptr<backends::ModelRegistry>& registry,
    obs::Registry* metrics) {
  auto ctx = std::make_shared<api::ServingContext>(api::serving_context_from_registry(registry));
  ctx->system_prompt = config.generation.system_prompt;
  ctx->defaults.temperature = static_cast<float>(config.generation.temperature);
  ctx->defaults.top_p = static_cast<float>(config.generation.top_p);
  ctx->defaults.top_k = config.generation.top_k;
  ctx->defaults.min_p = static_cast<float>(config.generation.min_p);
  ctx->metrics = metrics;
  return ctx;
}

Status install_serving_routes(net::Router& router,
                              const std::shared_ptr<api::ServingContext>& serving,
                              const std::shared_ptr<backends::ModelRegistry>& registry) {
  WOOLLY_TRY(api::install_openai_routes(router, serving));
  WOOLLY_TRY(api::install_inference_routes(router, serving));
  WOOLLY_TRY(api::install_prompt_routes(router, serving));
  WOOLLY_TRY(api::install_hub_ws(router, serving));
  return api::install_model_routes(router, registry);
}

Status install_session_routes(net::Router& router, const config::Config& config,
                              const std::shared_ptr<api::ServingContext>& serving,
                              store::Store& store) {
  api::SessionSettings settings;
  settings.max_sessions = config.models.max_sessions;
  settings.zero_retention = config.store.zero_retention;
  settings.assumed_context = config.engine.context_length;
  return api::install_session_routes(router, serving, store, settings);
}

}  // namespace woolly::app::detail
