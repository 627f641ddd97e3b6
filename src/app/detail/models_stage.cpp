#include "app/detail/models_stage.h"

#include <filesystem>

#include "engine/runtime/demo_model.h"
#include "net/client/http_client.h"

namespace woolly::app::detail {

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
  auto registry =
      std::make_shared<backends::ModelRegistry>(ro, std::make_shared<net::client::HttpClient>());
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

}  // namespace woolly::app::detail
