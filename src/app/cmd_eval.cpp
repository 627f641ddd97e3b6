// `woolly-server eval`: run a prompt through the model once and report the logits of its last
// position: the raw float32 vector to a file, the top K and the prompt tokens as JSON on stdout.
// This is how the engine is compared with llama.cpp's reference outputs.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <numeric>
#include <string>

#include "engine/runtime/generator.h"
#include "engine/runtime/local_model.h"

namespace woolly::app {

namespace {

struct EvalOptions {
  std::string model;
  std::string prompt;
  bool parse_special = false;
  int threads = 0;
  std::string logits_out;
  int top = 10;
  bool f32_kv = false;
};

int run_eval(const EvalOptions& o) {
  engine::LocalModelOptions mo;
  mo.threads = o.threads;
  mo.f32_kv = o.f32_kv;
  auto model = engine::LocalModel::load(o.model, mo);
  if (!model.ok()) {
    std::fprintf(stderr, "error: %s\n", model.error().message.c_str());
    return 1;
  }
  const auto tokens = (*model)->encode_prompt(o.prompt, o.parse_special);
  auto logits = engine::prompt_logits(**model, tokens);
  if (!logits.ok()) {
    std::fprintf(stderr, "error: %s\n", logits.error().message.c_str());
    return 1;
  }
  if (!o.logits_out.empty()) {
    // Raw little-endian float32, index = token id, no header (x86 and ARM are little-endian).
    std::FILE* f = std::fopen(o.logits_out.c_str(), "wb");
    if (f == nullptr || std::fwrite(logits->data(), sizeof(float), logits->size(), f) !=
                            logits->size()) {
      std::fprintf(stderr, "error: cannot write %s\n", o.logits_out.c_str());
      if (f != nullptr) std::fclose(f);
      return 1;
    }
    if (std::fclose(f) != 0) {
      std::fprintf(stderr, "error: cannot write %s\n", o.logits_out.c_str());
      return 1;
    }
  }
  std::vector<int32_t> order(logits->size());
  std::iota(order.begin(), order.end(), 0);
  const size_t k = std::min(order.size(), static_cast<size_t>(std::max(0, o.top)));
  std::partial_sort(order.begin(), order.begin() + static_cast<long>(k), order.end(),
                    [&](int32_t a, int32_t b) {
                      const float la = (*logits)[a], lb = (*logits)[b];
                      return la != lb ? la > lb : a < b;
                    });
  std::string out = "{\"tokens\": [";
  for (size_t i = 0; i < tokens.size(); ++i) out += (i ? ", " : "") + std::to_string(tokens[i]);
  out += "], \"top\": [";
  char buf[64];
  for (size_t i = 0; i < k; ++i) {
    std::snprintf(buf, sizeof buf, "%s[%d, %.9g]", i ? ", " : "", order[i], (*logits)[order[i]]);
    out += buf;
  }
  out += "]}\n";
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto opts = std::make_shared<EvalOptions>();
  auto* cmd = app.add_subcommand("eval", "Evaluate a prompt and print its last-position logits");
  cmd->add_option("-m,--model", opts->model, "GGUF model file")->required();
  cmd->add_option("-p,--prompt", opts->prompt, "Prompt text (used byte for byte)")->required();
  cmd->add_flag("--parse-special", opts->parse_special,
                "Turn control-token text such as <|eot_id|> into that token");
  cmd->add_option("-t,--threads", opts->threads, "Compute threads (0 = all cores)");
  cmd->add_option("--logits-out", opts->logits_out,
                  "Write the n_vocab float32 logits (little-endian, no header) to this file");
  cmd->add_option("--top", opts->top, "How many of the largest logits to print")
      ->check(CLI::Range(0, 1000000));
  cmd->add_flag("--f32-kv", opts->f32_kv, "F32 KV cache instead of F16");
  cmd->callback([opts] {
    if (int rc = run_eval(*opts); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace woolly::app
