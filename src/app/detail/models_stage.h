// The models stage of start-up, shared by `serve` and `mcp stdio`: the model registry built from
// the configuration.
#pragma once

#include <memory>

#include "backends/model_registry.h"
#include "common/result.h"
#include "config/config.h"

namespace woolly::app::detail {

// [[backends]] entries, every GGUF in models_dir, models.default_model (a name or a GGUF path);
// with no model at all, the demo model under <data_dir>/models (its output is random text) and
// *demo set to true.
Result<std::shared_ptr<backends::ModelRegistry>> start_models(const config::Config& config,
                                                              bool* demo);

}  // namespace woolly::app::detail
