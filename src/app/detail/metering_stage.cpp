#include "app/detail/metering_stage.h"

#include <map>
#include <string>
#include <utility>

namespace woolly::app::detail {

std::shared_ptr<api::Metering> start_metering(const config::Config& config,
                                              const api::AuthServices& services,
                                              obs::Registry* metrics) {
  if (!services.store) return nullptr;
  std::map<std::string, std::pair<double, double>> prices;
  for (const auto& [model, p] : config.pricing) {
    prices[model] = {p.prompt_per_1k, p.completion_per_1k};
  }
  api::MeteringOptions o;
  o.store = services.store;
  o.prices = limits::PriceTable::from_credits(prices);
  o.limiter = services.limiter;
  o.tokens_per_minute = config.rate_limit.tokens_per_minute;
  o.default_max_tokens = config.limits.max_tokens;
  o.metrics = metrics;
  return std::make_shared<api::Metering>(std::move(o));
}

}  // namespace woolly::app::detail
