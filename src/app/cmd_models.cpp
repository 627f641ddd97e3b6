// `woolly-server models`: make models Woolly can run without downloading anything.
//   models create-demo [--out FILE] [--size tiny|small]   the demo model (ChatML, BPE tokenizer)
//   models create-random --out FILE [shape flags]          a random llama of any size and type,
//                                                           for benchmarks (bench/engine/run)
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "app/cli.h"
#include "engine/runtime/demo_model.h"
#include "engine/runtime/random_llama.h"
#include "engine/tokenizer/bpe_builder.h"

namespace woolly::app {

namespace {

struct DemoOptions {
  std::string out;
  std::string size = "tiny";
};

struct RandomOptions {
  std::string out;
  engine::LlamaShape shape{.n_layer = 12, .n_embd = 768, .n_head = 12, .n_head_kv = 4,
                           .n_ff = 2048, .n_ctx = 4096};
  int n_vocab = 128000;
  std::string type = "q8_0";
  uint64_t seed = 1;
};

int report(const Status& st, const std::string& path,
           std::chrono::steady_clock::time_point start) {
  if (!st.ok()) {
    std::fprintf(stderr, "error: %s\n", st.error().message.c_str());
    return 1;
  }
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(path, ec);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("wrote %s (%.2f MB) in %.0f ms\n", path.c_str(), ec ? 0.0 : bytes / 1e6, ms);
  return 0;
}

int run_create_demo(const CLI::App& cmd, const DemoOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  auto size = engine::parse_demo_size(o.size);
  if (!size.ok()) {
    std::fprintf(stderr, "error: %s\n", size.error().message.c_str());
    return 1;
  }
  std::string out = o.out;
  if (out.empty()) {
    auto config = effective_config(cmd);
    if (!config.ok()) {
      print_config_error(config.error(), std::cerr);
      return 1;
    }
    out = (std::filesystem::path(config->server.data_dir) / "models" /
           (std::string("woolly-demo-") + engine::demo_size_name(*size) + ".gguf"))
              .string();
  }
  return report(engine::create_demo_model(out, *size), out, start);
}

int run_create_random(const RandomOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  static const std::map<std::string, engine::TensorType> kTypes = {
      {"f32", engine::TensorType::kF32},   {"f16", engine::TensorType::kF16},
      {"q8_0", engine::TensorType::kQ8_0}, {"q4_0", engine::TensorType::kQ4_0},
      {"q4_k", engine::TensorType::kQ4_K}, {"q6_k", engine::TensorType::kQ6_K}};
  auto type = kTypes.find(o.type);
  if (type == kTypes.end()) {
    std::fprintf(stderr, "error: unknown type '%s' (f32, f16, q8_0, q4_0, q4_k, q6_k)\n",
                 o.type.c_str());
    return 1;
  }
  auto demo = engine::demo_model_spec(engine::DemoSize::kTiny);  // for its learned tokenizer
  if (!demo.ok()) {
    std::fprintf(stderr, "error: %s\n", demo.error().message.c_str());
    return 1;
  }
  engine::RandomLlamaSpec spec;
  spec.name = "woolly-random";
  spec.shape = o.shape;
  spec.type = type->second;
  spec.seed = o.seed;
  spec.vocab = std::move(demo->vocab);
  spec.chat_template = std::move(demo->chat_template);
  engine::pad_vocab(spec.vocab, o.n_vocab);
  std::printf("%lld parameters\n",
              static_cast<long long>(engine::parameter_count(spec.shape, o.n_vocab)));
  return report(engine::write_random_llama(o.out, spec), o.out, start);
}

}  // namespace

void add_models_command(CLI::App& app) {
  auto* models = app.add_subcommand("models", "Create models that need no download");
  models->require_subcommand(1);

  auto demo = std::make_shared<DemoOptions>();
  auto* cd = models->add_subcommand("create-demo", "Write the random-weight demo model");
  cd->add_option("-o,--out", demo->out,
                 "Output file (default: <data_dir>/models/woolly-demo-<size>.gguf)");
  cd->add_option("--size", demo->size, "tiny (about 1 MB) or small (about 30 MB)")
      ->check(CLI::IsMember({"tiny", "small"}))
      ->capture_default_str();
  cd->callback([cd, demo] {
    if (int rc = run_create_demo(*cd, *demo); rc != 0) throw CLI::RuntimeError(rc);
  });

  auto rnd = std::make_shared<RandomOptions>();
  auto* cr = models->add_subcommand("create-random",
                                    "Write a random-weight llama of any shape (for benchmarks)");
  cr->add_option("-o,--out", rnd->out, "Output file")->required();
  cr->add_option("--layers", rnd->shape.n_layer)->capture_default_str();
  cr->add_option("--embd", rnd->shape.n_embd)->capture_default_str();
  cr->add_option("--heads", rnd->shape.n_head)->capture_default_str();
  cr->add_option("--kv-heads", rnd->shape.n_head_kv)->capture_default_str();
  cr->add_option("--ff", rnd->shape.n_ff)->capture_default_str();
  cr->add_option("--ctx", rnd->shape.n_ctx)->capture_default_str();
  cr->add_option("--vocab", rnd->n_vocab, "Vocabulary size (the learned tokens, then padding)")
      ->check(CLI::Range(600, 1 << 20))
      ->capture_default_str();
  cr->add_option("--type", rnd->type, "f32, f16, q8_0, q4_0, q4_k or q6_k")->capture_default_str();
  cr->add_option("--seed", rnd->seed)->capture_default_str();
  cr->callback([rnd] {
    if (int rc = run_create_random(*rnd); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace woolly::app
