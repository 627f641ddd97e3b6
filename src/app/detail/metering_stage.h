// Metering for the serving surfaces (api/metering.h), built over the identity stage's store and
// rate limiter from [pricing], [rate_limit] tokens_per_minute and [limits] max_tokens.
#pragma once

#include <memory>

#include "api/auth_routes.h"
#include "api/metering.h"
#include "config/config.h"

namespace woolly::obs {
class Registry;
}

namespace woolly::app::detail {

// The metering the serving context carries; null (unmetered) when there is no store.
std::shared_ptr<api::Metering> start_metering(const config::Config& config,
                                              const api::AuthServices& services,
                                              obs::Registry* metrics);

}  // namespace woolly::app::detail
