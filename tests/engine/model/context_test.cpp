// Behaviour of the forward-pass API on small random models: batching several sequences gives the
// same results as running them alone, prompts may be split arbitrarily, caches can be truncated,
// limits produce clear errors.
#include "engine/model/context.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "engine/model/synthetic_model.h"

namespace woolly::engine {
namespace {

std::unique_ptr<Model> make_model(SyntheticModelSpec spec, ModelOptions opt = {}) {
  GgufWriter w;
  EXPECT_TRUE(add_synthetic_model(w, spec).ok());
  auto file = GgufFile::from_buffer(w.to_bytes());
  EXPECT_TRUE(file.ok()) << file.error().message;
  auto model = Model::from_file(std::move(*file), opt);
  EXPECT_TRUE(model.ok()) << model.error().message;
  return model.ok() ? std::move(*model) : nullptr;
}

// Runs `tokens` as one sequence from position 0 in one decode call; returns the last logits.
std::vector<float> run_prompt(Context& ctx, KvCache& cache, const std::vector<int32_t>& tokens) {
  std::vector<BatchItem> batch;
  for (size_t i = 0; i < tokens.size(); ++i) {
    batch.push_back(
        {&cache, tokens[i], static_cast<int32_t>(cache.size() + i), i + 1 == tokens.size()});
  }
  std::vector<float> logits(ctx.model().config().n_vocab);
  EXPECT_TRUE(ctx.decode(batch, logits).ok());
  return logits;
}

void expect_close(const std::vector<float>& a, const std::vector<float>& b, float tol) {
  ASSERT_EQ(a.size(), b.size());
  float worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
  EXPECT_LE(worst, tol);
}

class ContextTest : public ::testing::TestWithParam<SyntheticModelSpec> {};

TEST_P(ContextTest, InterleavedSequencesMatchSeparateRuns) {
  auto model = make_model(GetParam());
  ThreadPool pool(2);
  Context ctx(*model, pool);
  const std::vector<int32_t> a = {1, 5, 9, 33, 7, 100, 2}, b = {4, 4, 200, 17, 3};
  auto ca = model->new_cache(), cb = model->new_cache();
  const std::vector<float> la = run_prompt(ctx, *ca, a), lb = run_prompt(ctx, *cb, b);

  auto ca2 = model->new_cache(), cb2 = model->new_cache();
  std::vector<BatchItem> batch;
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    if (i < a.size())
      batch.push_back({ca2.get(), a[i], static_cast<int32_t>(i), i + 1 == a.size()});
    if (i < b.size())
      batch.push_back({cb2.get(), b[i], static_cast<int32_t>(i), i + 1 == b.size()});
  }
  const int n_vocab = model->config().n_vocab;
  std::vector<float> both(2 * n_vocab);
  ASSERT_TRUE(ctx.decode(batch, both).ok());
  // b ends first in batch order, so its row comes first.
  expect_close(std::vector<float>(both.begin(), both.begin() + n_vocab), lb, 1e-5f);
  expect_close(std::vector<float>(both.begin() + n_vocab, both.end()), la, 1e-5f);
  EXPECT_EQ(ca2->size(), static_cast<int>(a.size()));
  EXPECT_EQ(cb2->size(), static_cast<int>(b.size()));

  // One more token for each sequence, decoded together and apart.
  std::vector<BatchItem> step = {{ca2.get(), 8, ca2->size(), true},
                                 {cb2.get(), 9, cb2->size(), true}};
  ASSERT_TRUE(ctx.decode(step, both).ok());
  expect_close(std::vector<float>(both.begin(), both.begin() + n_vocab), run_prompt(ctx, *ca, {8}),
               1e-5f);
  expect_close(std::vector<float>(both.begin() + n_vocab, both.end()), run_prompt(ctx, *cb, {9}),
               1e-5f);
}

TEST_P(ContextTest, PromptSplitIntoStepsGivesTheSameLogits) {
  auto model = make_model(GetParam());
  ThreadPool pool(2);
  Context ctx(*model, pool);
  const std::vector<int32_t> prompt = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3};
  auto whole = model->new_cache();
  const std::vector<float> want = run_prompt(ctx, *whole, prompt);
  auto steps = model->new_cache();
  std::vector<float> got;
  for (int32_t t : prompt) got = run_prompt(ctx, *steps, {t});
  expect_close(got, want, 1e-4f);

  // A batch limit smaller than the prompt splits it internally.
  ModelOptions small;
  small.max_batch = 3;
  auto model_small = make_model(GetParam(), small);
  Context ctx_small(*model_small, pool);
  auto c = model_small->new_cache();
  expect_close(run_prompt(ctx_small, *c, prompt), want, 1e-4f);
}

TEST_P(ContextTest, TruncateRewindsTheSequence) {
  auto model = make_model(GetParam());
  ThreadPool pool(1);
  Context ctx(*model, pool);
  auto cache = model->new_cache();
  const std::vector<float> want = run_prompt(ctx, *cache, {10, 20, 30, 40, 50});
  cache->truncate(2);
  EXPECT_EQ(cache->size(), 2);
  expect_close(run_prompt(ctx, *cache, {30, 40, 50}), want, 1e-5f);
  cache->clear();
  EXPECT_EQ(cache->size(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Archs, ContextTest,
    ::testing::Values(SyntheticModelSpec{.arch = "llama", .weight_type = TensorType::kQ8_0},
                      SyntheticModelSpec{.arch = "qwen2",
                                         .n_head_kv = 1,
                                         .weight_type = TensorType::kQ4_0,
                                         .tied_output = false},
                      SyntheticModelSpec{.arch = "qwen3",
                                         .n_embd = 256,
                                         .n_ff = 512,
                                         .weight_type = TensorType::kQ4_K}),
    [](const ::testing::TestParamInfo<SyntheticModelSpec>& info) { return info.param.arch; });

TEST(Context, MixedWeightTypesInOneLayerGiveTheSameModel) {
  // attn_v and ffn_up stored as F16 while the rest is Q8_0: those projections cannot share one
  // encoded input with Q/K or gate, so they take the one-after-the-other path. The same weights
  // stored uniformly as Q8_0 differ only by Q8 rounding, far less than any wiring mistake.
  SyntheticModelSpec spec{.n_embd = 128, .n_ff = 256, .weight_type = TensorType::kQ8_0};
  auto uniform = make_model(spec);
  spec.type_overrides = {{"blk.0.attn_v.weight", TensorType::kF16},
                         {"blk.1.ffn_up.weight", TensorType::kF16}};
  auto mixed = make_model(spec);
  ThreadPool pool(2);
  Context cu(*uniform, pool), cm(*mixed, pool);
  auto a = uniform->new_cache(), b = mixed->new_cache();
  const std::vector<int32_t> prompt = {5, 6, 7, 8, 9, 10, 11, 12};
  const std::vector<float> lu = run_prompt(cu, *a, prompt), lm = run_prompt(cm, *b, prompt);
  double dot = 0, nu = 0, nm = 0;
  for (size_t i = 0; i < lu.size(); ++i) {
    dot += lu[i] * lm[i];
    nu += lu[i] * lu[i];
    nm += lm[i] * lm[i];
  }
  EXPECT_GT(dot / std::sqrt(nu * nm), 0.999);
  EXPECT_GT(std::fabs(lu[0] - lm[0]) + std::fabs(lu[1] - lm[1]), 0.f) << "types were not mixed";
}

TEST(Context, ContextOverflowIsOutOfRangeAndLeavesTheCacheAlone) {
  auto model = make_model({});
  ThreadPool pool(1);
  Context ctx(*model, pool);
  auto cache = model->new_cache(4);
  run_prompt(ctx, *cache, {1, 2, 3});
  std::vector<BatchItem> batch = {{cache.get(), 4, 3, false}, {cache.get(), 5, 4, true}};
  std::vector<float> logits(model->config().n_vocab);
  Status s = ctx.decode(batch, logits);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kOutOfRange);
  EXPECT_EQ(cache->size(), 3);
}

TEST(Context, BadTokensPositionsAndBuffersAreInvalidArguments) {
  auto model = make_model({});
  ThreadPool pool(1);
  Context ctx(*model, pool);
  auto cache = model->new_cache();
  std::vector<float> logits(model->config().n_vocab);
  BatchItem bad_token{cache.get(), model->config().n_vocab, 0, true};
  EXPECT_EQ(ctx.decode({&bad_token, 1}, logits).error().code, Errc::kInvalidArgument);
  BatchItem gap{cache.get(), 1, 5, true};
  EXPECT_EQ(ctx.decode({&gap, 1}, logits).error().code, Errc::kInvalidArgument);
  BatchItem ok{cache.get(), 1, 0, true};
  EXPECT_EQ(ctx.decode({&ok, 1}, std::span<float>(logits.data(), 3)).error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(cache->size(), 0);
}

TEST(Context, EmbeddingIsTheMeanOfFinalHiddenStates) {
  auto model = make_model({});
  ThreadPool pool(2);
  Context ctx(*model, pool);
  auto cache = model->new_cache();
  const std::vector<int32_t> tokens = {7, 8, 9};
  auto emb = ctx.embed(tokens, *cache);
  ASSERT_TRUE(emb.ok());
  const int e = model->config().n_embd;
  ASSERT_EQ(emb->size(), static_cast<size_t>(e));
  cache->clear();
  std::vector<BatchItem> batch;
  for (int i = 0; i < 3; ++i) batch.push_back({cache.get(), tokens[i], i, false});
  std::vector<float> hidden(3 * e);
  ASSERT_TRUE(ctx.decode(batch, {}, hidden).ok());
  for (int i = 0; i < e; ++i) {
    EXPECT_NEAR((*emb)[i], (hidden[i] + hidden[e + i] + hidden[2 * e + i]) / 3, 1e-5);
  }
}

TEST(Model, UnknownArchitectureIsNamed) {
  GgufWriter w;
  ASSERT_TRUE(add_synthetic_model(w, {.arch = "mamba"}).ok());
  auto model = Model::from_file(std::move(*GgufFile::from_buffer(w.to_bytes())), {});
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.error().code, Errc::kUnsupported);
  EXPECT_NE(model.error().message.find("'mamba'"), std::string::npos) << model.error().message;
}

TEST(Model, MissingTensorIsNamed) {
  GgufWriter w;
  ASSERT_TRUE(add_synthetic_model(w, {.arch = "qwen2"}).ok());
  // Same hyper-parameters declared as qwen3, whose q/k norms are absent.
  auto bytes = w.to_bytes();
  const std::string from = "qwen2", to = "qwen3";
  for (size_t i = 0; i + 5 <= bytes.size(); ++i) {
    if (std::memcmp(bytes.data() + i, from.data(), 5) == 0)
      std::memcpy(bytes.data() + i, to.data(), 5);
  }
  auto model = Model::from_file(std::move(*GgufFile::from_buffer(bytes)), {});
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.error().code, Errc::kCorruptData);
  EXPECT_NE(model.error().message.find("attn_q_norm"), std::string::npos) << model.error().message;
}

TEST(Model, MemoryAccountingAndDefaults) {
  ModelOptions opt;
  opt.n_ctx = 100;
  auto model = make_model({.n_layer = 3, .n_head_kv = 2}, opt);
  // 3 layers * (K + V) * 100 positions * 2 kv heads * 16 dims * 2 bytes.
  EXPECT_EQ(model->kv_bytes_per_sequence(), 3u * 2 * 100 * 2 * 16 * 2);
  EXPECT_EQ(model->new_cache()->bytes(), model->kv_bytes_per_sequence());
  EXPECT_EQ(model->new_cache()->capacity(), 100);
  EXPECT_EQ(model->mapped_bytes(), 0u);  // an in-memory file maps nothing
  auto defaults = make_model({.n_ctx_train = 9000});
  EXPECT_EQ(defaults->options().n_ctx, 4096);
}

TEST(ModelConfig, Llama3RopeScalingFactors) {
  GgufWriter w;
  ASSERT_TRUE(add_synthetic_model(w, {.n_embd = 256, .n_head = 2, .rope_base = 500000.f}).ok());
  w.set_string("llama.rope.scaling.type", "llama3");
  w.set_f32("llama.rope.scaling.factor", 8.f);
  w.set_f32("llama.rope.scaling.low_freq_factor", 1.f);
  w.set_f32("llama.rope.scaling.high_freq_factor", 4.f);
  w.set_u32("llama.rope.scaling.original_context_length", 8192);
  auto file = GgufFile::from_buffer(w.to_bytes());
  ASSERT_TRUE(file.ok());
  auto c = read_model_config(**file);
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->rope_freq_factors.size(), 64u);
  EXPECT_FLOAT_EQ(c->rope_freq_factors.front(), 1.f);  // short wavelengths untouched
  EXPECT_FLOAT_EQ(c->rope_freq_factors.back(), 8.f);   // long ones slowed by the factor
}

}  // namespace
}  // namespace woolly::engine
