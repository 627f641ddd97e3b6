// `woolly-server generate`: complete a prompt with a local model, streaming the text to stdout,
// then report prompt and generation speed (stderr, or all of it as one JSON object).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "app/detail/json_text.h"
#include "engine/runtime/generator.h"
#include "engine/runtime/local_model.h"

namespace woolly::app {

namespace {

struct GenerateOptions {
  std::string model;
  std::string prompt;
  int n_predict = 128;
  engine::SamplingParams sampling;
  int64_t seed = -1;
  int threads = 0;
  int ctx = 0;
  bool parse_special = false;
  bool ignore_eos = false;
  std::vector<std::string> stop;
  bool json = false;
};

using detail::json_quoted;

int run_generate(GenerateOptions o) {
  engine::LocalModelOptions mo;
  mo.threads = o.threads;
  mo.n_ctx = o.ctx;
  auto loaded = engine::LocalModel::load(o.model, mo);
  if (!loaded.ok()) {
    std::fprintf(stderr, "error: %s\n", loaded.error().message.c_str());
    return 1;
  }
  engine::LocalModel& model = **loaded;
  engine::GenerationRequest req;
  req.prompt = model.encode_prompt(o.prompt, o.parse_special);
  req.sampling = o.sampling;
  req.sampling.seed = o.seed < 0 ? engine::kRandomSeed : static_cast<uint64_t>(o.seed);
  req.stop.max_tokens = o.n_predict;
  req.stop.stop_strings = o.stop;
  req.stop.ignore_eos = o.ignore_eos;
  std::string text;
  std::vector<int32_t> tokens;
  req.on_piece = [&](const engine::GeneratedPiece& p) {
    if (p.token >= 0) tokens.push_back(p.token);
    if (o.json) {
      text += p.text;
    } else {
      std::fwrite(p.text.data(), 1, p.text.size(), stdout);
      std::fflush(stdout);
    }
  };
  engine::Generator gen(model, &model.text(), model.options().batch_tokens);
  auto res = gen.run(std::move(req));
  if (!res.ok()) {
    std::fprintf(stderr, "error: %s\n", res.error().message.c_str());
    return 1;
  }
  const auto& r = *res;
  if (r.finish == engine::FinishReason::kError) {
    std::fprintf(stderr, "\nerror: %s\n", r.error.message.c_str());
    return 1;
  }
  const double pp = r.timings.prompt_tokens_per_s(r.usage.prompt_tokens);
  const double tg = r.timings.generate_tokens_per_s(r.usage.completion_tokens);
  if (o.json) {
    std::string out = "{\"text\": " + json_quoted(text) + ", \"tokens\": [";
    for (size_t i = 0; i < tokens.size(); ++i) out += (i ? ", " : "") + std::to_string(tokens[i]);
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "], \"finish_reason\": \"%s\", \"prompt_tokens\": %d, \"completion_tokens\": %d, "
                  "\"prompt_ms\": %.3f, \"generation_ms\": %.3f, \"prompt_tokens_per_s\": %.2f, "
                  "\"generation_tokens_per_s\": %.2f}\n",
                  engine::finish_reason_name(r.finish), r.usage.prompt_tokens,
                  r.usage.completion_tokens, r.timings.prompt_ms, r.timings.generate_ms, pp, tg);
    out += buf;
    std::fputs(out.c_str(), stdout);
    return 0;
  }
  std::printf("\n");
  std::fprintf(stderr,
               "prompt: %d tokens, %.1f ms, %.2f tokens/s\n"
               "generation: %d tokens, %.1f ms, %.2f tokens/s (%s)\n",
               r.usage.prompt_tokens, r.timings.prompt_ms, pp, r.usage.completion_tokens,
               r.timings.generate_ms, tg, engine::finish_reason_name(r.finish));
  return 0;
}

}  // namespace

void add_generate_command(CLI::App& app) {
  auto opts = std::make_shared<GenerateOptions>();
  auto& s = opts->sampling;
  auto* cmd = app.add_subcommand("generate", "Complete a prompt with a local GGUF model");
  cmd->add_option("-m,--model", opts->model, "GGUF model file")->required();
  cmd->add_option("-p,--prompt", opts->prompt, "Prompt text (used byte for byte)")->required();
  cmd->add_option("-n,--n-predict", opts->n_predict, "Tokens to generate at most")
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--temperature,--temp", s.temperature, "0 = greedy")->capture_default_str();
  cmd->add_option("--top-k", s.top_k, "0 = off")->capture_default_str();
  cmd->add_option("--top-p", s.top_p, "1 = off")->capture_default_str();
  cmd->add_option("--min-p", s.min_p, "0 = off")->capture_default_str();
  cmd->add_option("--repeat-penalty", s.repetition_penalty, "1 = off")->capture_default_str();
  cmd->add_option("--repeat-last-n", s.penalty_last_n, "Penalty window; -1 = all")
      ->capture_default_str();
  cmd->add_option("--frequency-penalty", s.frequency_penalty)->capture_default_str();
  cmd->add_option("--presence-penalty", s.presence_penalty)->capture_default_str();
  cmd->add_option("-s,--seed", opts->seed, "Sampling seed; -1 = random");
  cmd->add_option("-t,--threads", opts->threads, "Compute threads (0 = all cores)");
  cmd->add_option("-c,--ctx-size", opts->ctx, "Context length (0 = model's, at most 4096)");
  cmd->add_option("--stop", opts->stop, "Stop string (repeatable); not part of the output");
  cmd->add_flag("--parse-special", opts->parse_special,
                "Turn control-token text in the prompt into those tokens");
  cmd->add_flag("--ignore-eos", opts->ignore_eos, "Keep generating past end-of-generation tokens");
  cmd->add_flag("--json", opts->json, "Print one JSON object with text, tokens and timings");
  cmd->callback([opts] {
    if (auto st = engine::validate(opts->sampling); !st.ok()) {
      throw CLI::ValidationError("generate", st.error().message);
    }
    if (int rc = run_generate(*opts); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace woolly::app
