// The HTTP surfaces the serve command installs over the stages before it: health, stats and
// metrics; the inference surfaces (OpenAI-compatible, REST, prompt API, hub WebSocket) and the
// model routes over the model registry.
#pragma once

#include <memory>

#include "api/serving.h"
#include "api/status_context.h"
#include "backends/model_registry.h"
#include "common/result.h"
#include "config/config.h"
#include "net/router.h"
#include "store/store.h"

namespace woolly::app::detail {

Status install_status_routes(net::Router& router, const std::shared_ptr<api::StatusContext>& status);

// The serving context the inference surfaces share: the registry plus the configured system
// prompt and sampling defaults. Later stages (identity, tools) add to it before the routes go in.
std::shared_ptr<api::ServingContext> make_serving_context(
    const config::Config& config, const std::shared_ptr<backends::ModelRegistry>& registry,
    obs::Registry* metrics);

Status install_serving_routes(net::Router& router,
                              const std::shared_ptr<api::ServingContext>& serving,
                              const std::shared_ptr<backends::ModelRegistry>& registry);

// The chat sessions (/api/v1/sessions) over the store, with models.max_sessions,
// store.zero_retention and engine.context_length (assumed for upstream models).
Status install_session_routes(net::Router& router, const config::Config& config,
                              const std::shared_ptr<api::ServingContext>& serving,
                              store::Store& store);

}  // namespace woolly::app::detail
