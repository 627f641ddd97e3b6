#include "engine/sampling/sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

namespace woolly::engine {
namespace {

// Probabilities 0.1, 0.2, 0.3, 0.4 for tokens 0..3.
std::vector<float> four_logits() {
  return {std::log(1.0f), std::log(2.0f), std::log(3.0f), std::log(4.0f)};
}

SamplingParams plain() {
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.seed = 42;
  return p;
}

std::map<int32_t, float> as_map(std::span<const TokenProb> d) {
  std::map<int32_t, float> m;
  for (auto t : d) m[t.token] = t.prob;
  return m;
}

TEST(Sampler, PlainSoftmaxIsTheModelDistribution) {
  Sampler s(plain(), 4);
  auto d = s.distribution(four_logits());
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0].token, 3);
  EXPECT_NEAR(d[0].prob, 0.4f, 1e-6);
  EXPECT_NEAR(d[3].prob, 0.1f, 1e-6);
}

TEST(Sampler, TopKRenormalisesTheKBest) {
  auto p = plain();
  p.top_k = 2;
  Sampler s(p, 4);
  auto m = as_map(s.distribution(four_logits()));
  ASSERT_EQ(m.size(), 2u);
  EXPECT_NEAR(m[3], 4.0f / 7, 1e-6);
  EXPECT_NEAR(m[2], 3.0f / 7, 1e-6);
}

TEST(Sampler, TopPKeepsTheSmallestPrefixReachingP) {
  auto p = plain();
  p.top_p = 0.5f;  // 0.4 < 0.5, 0.4 + 0.3 >= 0.5
  Sampler s(p, 4);
  auto m = as_map(s.distribution(four_logits()));
  ASSERT_EQ(m.size(), 2u);
  EXPECT_NEAR(m[3], 4.0f / 7, 1e-6);
  p.top_p = 0.39f;  // the top token alone holds 0.4
  Sampler s2(p, 4);
  EXPECT_EQ(s2.distribution(four_logits()).size(), 1u);
}

TEST(Sampler, MinPIsRelativeToTheBestToken) {
  auto p = plain();
  p.min_p = 0.5f;  // keep p >= 0.2
  Sampler s(p, 4);
  auto m = as_map(s.distribution(four_logits()));
  ASSERT_EQ(m.size(), 3u);
  EXPECT_NEAR(m[1], 2.0f / 9, 1e-6);
  EXPECT_EQ(m.count(0), 0u);
}

TEST(Sampler, MinTokensToKeepOverridesTheFilters) {
  auto p = plain();
  p.top_p = 0.1f;
  p.min_p = 0.9f;
  p.min_tokens_to_keep = 3;
  Sampler s(p, 4);
  auto m = as_map(s.distribution(four_logits()));
  EXPECT_EQ(m.size(), 3u);
  EXPECT_NEAR(m[3], 4.0f / 9, 1e-6);
}

TEST(Sampler, TemperatureSharpensAfterFiltering) {
  auto p = plain();
  p.temperature = 0.5f;  // p^2: 1, 4, 9, 16 over 30
  Sampler s(p, 4);
  auto m = as_map(s.distribution(four_logits()));
  EXPECT_NEAR(m[3], 16.0f / 30, 1e-6);
  EXPECT_NEAR(m[0], 1.0f / 30, 1e-6);
}

TEST(Sampler, GreedyTakesTheArgmaxAndTheLowestIdOnATie) {
  auto p = plain();
  p.temperature = 0;
  Sampler s(p, 4);
  EXPECT_EQ(s.sample(four_logits()), 3);
  std::vector<float> tie = {1, 5, 5, 2};
  EXPECT_EQ(s.sample(tie), 1);
}

TEST(Sampler, DrawIsTheInverseCdfInDescendingOrder) {
  Sampler s(plain(), 4);
  (void)s.distribution(four_logits());  // 3:0.4, 2:0.3, 1:0.2, 0:0.1
  EXPECT_EQ(s.draw(0.0), 3);
  EXPECT_EQ(s.draw(0.39), 3);
  EXPECT_EQ(s.draw(0.41), 2);
  EXPECT_EQ(s.draw(0.89), 1);
  EXPECT_EQ(s.draw(0.95), 0);
}

TEST(Sampler, FrequenciesFollowTheDistribution) {
  Sampler s(plain(), 4);
  std::vector<int> counts(4);
  const int n = 40000;
  for (int i = 0; i < n; ++i) counts[s.sample(four_logits())]++;
  for (int t = 0; t < 4; ++t) EXPECT_NEAR(counts[t] / double(n), 0.1 * (t + 1), 0.01) << t;
}

TEST(Sampler, SameSeedSameSequenceOtherSeedOtherSequence) {
  std::vector<float> logits(1000);
  for (size_t i = 0; i < logits.size(); ++i) logits[i] = std::sin(float(i)) * 3;
  auto run = [&](uint64_t seed) {
    auto p = plain();
    p.seed = seed;
    p.top_k = 100;
    Sampler s(p, 1000);
    std::vector<int32_t> out;
    for (int i = 0; i < 64; ++i) out.push_back(s.sample(logits));
    return out;
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
}

TEST(Sampler, MaskRestrictsTheChoiceEvenAgainstTheArgmax) {
  auto p = plain();
  p.temperature = 0;
  Sampler s(p, 4);
  TokenMask mask(4);
  mask.allow(0);
  mask.allow(1);
  EXPECT_EQ(s.sample(four_logits(), &mask), 1);
  TokenMask none(4);
  EXPECT_EQ(s.sample(four_logits(), &none), -1);
}

TEST(Sampler, RepetitionPenaltyDividesPositiveAndMultipliesNegative) {
  auto p = plain();
  p.temperature = 0;
  p.repetition_penalty = 2.0f;
  Sampler s(p, 3);
  std::vector<float> logits = {3.0f, 2.0f, -1.0f};
  s.accept(0);  // 3 -> 1.5, below token 1's 2
  EXPECT_EQ(s.sample(logits), 1);
  auto q = plain();
  q.repetition_penalty = 2.0f;
  Sampler t(q, 3);
  t.accept(2);  // -1 -> -2
  auto m = as_map(t.distribution(std::vector<float>{0.0f, 0.0f, -1.0f}));
  const double z = 2 + std::exp(-2.0);
  EXPECT_NEAR(m[2], std::exp(-2.0) / z, 1e-6);
}

TEST(Sampler, FrequencyAndPresencePenaltiesFollowOpenAiArithmetic) {
  auto p = plain();
  p.frequency_penalty = 0.5f;
  p.presence_penalty = 0.25f;
  Sampler s(p, 2);
  s.accept(0);
  s.accept(0);  // token 0: 0 - 2 * 0.5 - 0.25 = -1.25
  auto m = as_map(s.distribution(std::vector<float>{0.0f, 0.0f}));
  EXPECT_NEAR(m[0], std::exp(-1.25) / (1 + std::exp(-1.25)), 1e-6);
}

TEST(Sampler, PenaltyWindowForgetsOldTokens) {
  auto p = plain();
  p.temperature = 0;
  p.presence_penalty = 2.0f;
  p.penalty_last_n = 2;
  Sampler s(p, 3);
  std::vector<float> logits = {1.0f, 0.5f, 0.0f};
  s.accept(0);
  EXPECT_EQ(s.sample(logits), 1);  // 0 penalised to -1
  s.accept(1);
  s.accept(2);  // window is now {1, 2}: 0 is forgiven
  EXPECT_EQ(s.sample(logits), 0);
}

TEST(Sampler, ValidateNamesTheBadField) {
  auto p = plain();
  p.top_p = 0;
  auto st = validate(p);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("top_p"), std::string::npos);
  EXPECT_TRUE(validate(plain()).ok());
}

TEST(Sampler, LargeVocabularyTopPMatchesAFullSort) {
  const int n = 50000;
  std::vector<float> logits(n);
  for (int i = 0; i < n; ++i) logits[i] = std::sin(i * 0.37f) * 4 + std::cos(i * 0.011f);
  auto p = plain();
  p.top_p = 0.9f;
  Sampler s(p, n);
  auto d = s.distribution(logits);
  // Reference: full sort, smallest prefix with mass >= 0.9.
  std::vector<double> pr(logits.begin(), logits.end());
  double mx = *std::max_element(pr.begin(), pr.end()), z = 0;
  for (auto& v : pr) z += (v = std::exp(v - mx));
  std::sort(pr.begin(), pr.end(), std::greater<>());
  size_t k = 0;
  for (double cum = 0; cum < 0.9 * z; ++k) cum += pr[k];
  EXPECT_EQ(d.size(), k);
}

TEST(Sampler, TopKFastPathEqualsTheGeneralPathWithPenalties) {
  const int n = 5000;
  std::vector<float> logits(n);
  for (int i = 0; i < n; ++i) logits[i] = std::sin(i * 1.3f) * 5;
  auto p = plain();
  p.top_k = 50;
  p.top_p = 0.9f;
  p.repetition_penalty = 1.3f;
  p.presence_penalty = 0.7f;
  Sampler fast(p, n), general(p, n);
  TokenMask all(n);
  for (int i = 0; i < n; ++i) all.allow(i);
  // Penalise some of the best tokens so that the penalties change the top 50.
  std::vector<int> best(n);
  for (int i = 0; i < n; ++i) best[i] = i;
  std::partial_sort(best.begin(), best.begin() + 3, best.end(),
                    [&](int x, int y) { return logits[x] > logits[y]; });
  for (int t : {best[0], best[1], best[1], best[2], 1234}) {
    fast.accept(t);
    general.accept(t);
  }
  auto a = fast.distribution(logits);  // no mask: the heap selection
  std::vector<TokenProb> fa(a.begin(), a.end());
  auto b = general.distribution(logits, &all);  // with a mask: copy + partition
  ASSERT_EQ(fa.size(), b.size());
  for (const auto& c : fa) EXPECT_NE(c.token, best[0]);  // penalised out of the nucleus
  for (size_t i = 0; i < fa.size(); ++i) {
    EXPECT_EQ(fa[i].token, b[i].token);
    EXPECT_NEAR(fa[i].prob, b[i].prob, 1e-6);
  }
}

}  // namespace
}  // namespace woolly::engine
