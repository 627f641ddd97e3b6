// Cost of one sampling step over a Llama-3-sized vocabulary (128256 logits), per setting.
// What matters: it must stay small next to a forward pass (milliseconds) and must not allocate.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "engine/sampling/sampler.h"

namespace woolly::engine {
namespace {

constexpr int kVocab = 128256;

std::vector<float> random_logits() {
  std::vector<float> logits(kVocab);
  std::mt19937 g(1);
  std::normal_distribution<float> d(0, 3);
  for (auto& l : logits) l = d(g);
  return logits;
}

void run(benchmark::State& state, SamplingParams p, bool masked) {
  const auto logits = random_logits();
  p.seed = 1;
  Sampler s(p, kVocab);
  for (int i = 0; i < 64; ++i) s.accept(i * 7);
  TokenMask mask(kVocab);
  for (int i = 0; i < kVocab; i += 2) mask.allow(i);
  for (auto _ : state) benchmark::DoNotOptimize(s.sample(logits, masked ? &mask : nullptr));
}

void BM_Greedy(benchmark::State& state) {
  SamplingParams p;
  p.temperature = 0;
  run(state, p, false);
}
void BM_Default(benchmark::State& state) { run(state, SamplingParams{}, false); }  // k40 p.95 min_p.05
void BM_TopPOnly(benchmark::State& state) {
  SamplingParams p;
  p.top_k = 0;
  p.min_p = 0;
  run(state, p, false);
}
void BM_DefaultWithPenalties(benchmark::State& state) {
  SamplingParams p;
  p.repetition_penalty = 1.1f;
  p.frequency_penalty = 0.2f;
  p.presence_penalty = 0.2f;
  run(state, p, false);
}
void BM_DefaultWithMask(benchmark::State& state) { run(state, SamplingParams{}, true); }

BENCHMARK(BM_Greedy);
BENCHMARK(BM_Default);
BENCHMARK(BM_TopPOnly);
BENCHMARK(BM_DefaultWithPenalties);
BENCHMARK(BM_DefaultWithMask);

}  // namespace
}  // namespace woolly::engine
