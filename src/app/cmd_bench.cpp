// `woolly-server bench`: prompt processing (pp) and token generation (tg) speed of a local model,
// measured and printed the way llama.cpp's llama-bench does it, so the two can be compared row
// by row: pp = one batch of P tokens from an empty cache; tg = N single-token steps from an
// empty cache; each repeated R times after one warm-up run, mean ± sample standard deviation.
// --parallel N runs tg with N sequences batched together and reports their total tokens/s.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/model/model.h"
#include "engine/runtime/local_model.h"

namespace woolly::app {

namespace {

struct BenchOptions {
  std::string model;
  int n_prompt = 128;
  int n_gen = 64;
  int threads = 0;
  int reps = 5;
  int parallel = 1;
  bool json = false;
};

struct Stat {
  double mean = 0;
  double stdev = 0;
};

Stat stats(const std::vector<double>& v) {
  Stat s;
  for (double x : v) s.mean += x;
  s.mean /= static_cast<double>(v.size());
  if (v.size() > 1) {
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    s.stdev = std::sqrt(ss / static_cast<double>(v.size() - 1));
  }
  return s;
}

// Seconds to run `tokens` through the model from empty caches, `step` tokens per forward. With
// `parallel` > 1 (tg only), that many sequences advance together, one token each per forward,
// as the scheduler batches concurrent requests.
Result<double> timed_run(engine::LocalModel& m, const std::vector<int32_t>& tokens, int step,
                         int parallel) {
  for (int s = 0; s < parallel; ++s) m.clear_sequence(s);
  std::vector<engine::BatchEntry> batch;
  std::vector<float> logits(static_cast<size_t>(m.n_vocab()) * static_cast<size_t>(parallel));
  const auto start = std::chrono::steady_clock::now();
  const auto n = static_cast<int32_t>(tokens.size());
  for (int32_t i = 0; i < n; i += step) {
    batch.clear();
    const int32_t end = std::min(n, i + step);
    for (int s = 0; s < parallel; ++s) {
      for (int32_t p = i; p < end; ++p) batch.push_back({tokens[p], p, s, p + 1 == end});
    }
    WOOLLY_TRY(m.decode(batch, logits));
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int run_bench(const BenchOptions& o) {
  engine::LocalModelOptions mo;
  mo.threads = o.threads;
  mo.n_ctx = std::max(o.n_prompt, o.n_gen) + 16;
  mo.batch_tokens = std::max({o.n_prompt, o.parallel, 1});
  mo.max_sequences = o.parallel;
  auto loaded = engine::LocalModel::load(o.model, mo);
  if (!loaded.ok()) {
    std::fprintf(stderr, "error: %s\n", loaded.error().message.c_str());
    return 1;
  }
  engine::LocalModel& m = **loaded;
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int32_t> pick(0, m.n_vocab() - 1);
  auto random_tokens = [&](int n) {
    std::vector<int32_t> t(static_cast<size_t>(n));
    for (auto& x : t) x = pick(rng);
    return t;
  };

  int64_t params = 0;
  for (const auto& t : m.model().file().tensors()) params += t.n_elements;
  const double size_mib = static_cast<double>(m.model().file().file_size()) / (1024.0 * 1024.0);
  const auto& cfg = m.model().config();

  struct Row {
    std::string test;
    int n;
    Stat tps;
  };
  std::vector<Row> rows;
  for (int pass = 0; pass < 2; ++pass) {
    const int n = pass == 0 ? o.n_prompt : o.n_gen;
    if (n <= 0) continue;
    const int step = pass == 0 ? n : 1;
    const int par = pass == 0 ? 1 : o.parallel;
    std::vector<double> tps;
    for (int r = -1; r < o.reps; ++r) {  // r = -1: warm-up, not counted
      auto secs = timed_run(m, random_tokens(n), step, par);
      if (!secs.ok()) {
        std::fprintf(stderr, "error: %s\n", secs.error().message.c_str());
        return 1;
      }
      if (r >= 0) tps.push_back(n * par / *secs);
    }
    std::string name = (pass == 0 ? "pp" : "tg") + std::to_string(n);
    if (par > 1) name += " x" + std::to_string(par);
    rows.push_back({name, n, stats(tps)});
  }

  if (o.json) {
    std::printf("{\"model\": \"%s\", \"size_bytes\": %zu, \"params\": %lld, \"threads\": %d",
                cfg.arch_name.c_str(), m.model().file().file_size(),
                static_cast<long long>(params), m.threads());
    for (const auto& r : rows) {
      std::printf(", \"%s\": {\"n\": %d, \"mean\": %.3f, \"stdev\": %.3f}",
                  r.test.substr(0, 2).c_str(), r.n, r.tps.mean, r.tps.stdev);
    }
    std::printf("}\n");
    return 0;
  }
  std::printf("| model | size | params | backend | threads | test | t/s |\n");
  std::printf("| ----- | ---: | -----: | ------- | ------: | ---: | --: |\n");
  for (const auto& r : rows) {
    std::printf("| %s %dL/%d | %.2f MiB | %.2f M | woolly CPU | %d | %s | %.2f ± %.2f |\n",
                cfg.arch_name.c_str(), cfg.n_layer, cfg.n_embd, size_mib, params / 1e6,
                m.threads(), r.test.c_str(), r.tps.mean, r.tps.stdev);
  }
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto opts = std::make_shared<BenchOptions>();
  auto* cmd = app.add_subcommand("bench", "Measure prompt and generation speed (llama-bench style)");
  cmd->add_option("-m,--model", opts->model, "GGUF model file")->required();
  cmd->add_option("-p,--n-prompt", opts->n_prompt, "Prompt tokens per pp run (0 = skip)")
      ->check(CLI::Range(0, 65536))->capture_default_str();
  cmd->add_option("-n,--n-gen", opts->n_gen, "Generated tokens per tg run (0 = skip)")
      ->check(CLI::Range(0, 65536))->capture_default_str();
  cmd->add_option("-t,--threads", opts->threads, "Compute threads (0 = all cores)");
  cmd->add_option("-r,--repetitions", opts->reps, "Measured runs per test")
      ->check(CLI::Range(1, 1000))->capture_default_str();
  cmd->add_option("--parallel", opts->parallel,
                  "Sequences generating together in tg (aggregate tokens/s)")
      ->check(CLI::Range(1, 256))->capture_default_str();
  cmd->add_flag("--json", opts->json, "One JSON object instead of the table");
  cmd->callback([opts] {
    if (int rc = run_bench(*opts); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace woolly::app
