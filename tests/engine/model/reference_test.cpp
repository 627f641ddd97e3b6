// The engine against llama.cpp's outputs for the reference models (shared/reference/README.md):
// last-position logits of every case within the README's tolerance for the weight type, the
// top-1 rule, and teacher-forced greedy continuations (feed the recorded ids one decode step
// at a time; each step's top-5 log-probs must agree and the argmax must match wherever
// llama.cpp's top-1/top-2 gap is clear).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "engine/model/context.h"
#include "engine/model/model.h"
#include "reference_data.h"

namespace woolly::engine {
namespace {

using testing::GreedyStep;
using testing::ReferenceCase;
using testing::ReferenceModel;

struct Tolerance {
  double max_sigma;  // max |d| / sigma
  double rms_sigma;  // rms |d| / sigma
  double min_cosine;
  double greedy_gap;  // argmax must match where llama.cpp's top-2 log-prob gap is at least this
};

struct RefSetup {
  std::string model;
  KvType kv;
  bool f32kv_reference;  // compare with *.f32kv.logits.bin / greedy_f32kv
  Tolerance tol;
};

void PrintTo(const RefSetup& s, std::ostream* os) {
  *os << s.model << (s.kv == KvType::kF32 ? "/f32kv" : "/f16kv");
}

constexpr Tolerance kF32Exact{2e-4, 2e-4, 0.9999999, 2e-3};
constexpr Tolerance kF32WithF16Kv{2e-2, 5e-3, 0.99999, 0.1};
constexpr Tolerance kF16{2.5e-2, 6e-3, 0.99999, 0.1};
constexpr Tolerance kQ8{0.35, 0.1, 0.997, 1.0};
constexpr Tolerance kQ4{0.5, 0.12, 0.995, 1.0};

struct Stats {
  double max_sigma = 0, rms_sigma = 0, cosine = 0, sigma = 0;
};

Stats compare(const std::vector<float>& ref, const float* got) {
  const size_t n = ref.size();
  double mean = 0;
  for (float v : ref) mean += v;
  mean /= n;
  double var = 0, dot = 0, na = 0, nb = 0, maxd = 0, sq = 0;
  for (size_t i = 0; i < n; ++i) {
    var += (ref[i] - mean) * (ref[i] - mean);
    const double d = static_cast<double>(got[i]) - ref[i];
    maxd = std::max(maxd, std::fabs(d));
    sq += d * d;
    dot += static_cast<double>(got[i]) * ref[i];
    na += static_cast<double>(ref[i]) * ref[i];
    nb += static_cast<double>(got[i]) * got[i];
  }
  Stats s;
  s.sigma = std::sqrt(var / n);
  s.max_sigma = maxd / s.sigma;
  s.rms_sigma = std::sqrt(sq / n) / s.sigma;
  s.cosine = dot / std::sqrt(na * nb);
  return s;
}

int argmax(const float* v, int n) { return static_cast<int>(std::max_element(v, v + n) - v); }

std::vector<double> log_softmax(const float* v, int n) {
  double mx = *std::max_element(v, v + n), sum = 0;
  for (int i = 0; i < n; ++i) sum += std::exp(v[i] - mx);
  const double lse = mx + std::log(sum);
  std::vector<double> out(n);
  for (int i = 0; i < n; ++i) out[i] = v[i] - lse;
  return out;
}

class ReferenceTest : public ::testing::TestWithParam<RefSetup> {
 protected:
  static std::unique_ptr<ThreadPool> pool_;
  static void SetUpTestSuite() { pool_ = std::make_unique<ThreadPool>(2); }
  static void TearDownTestSuite() { pool_.reset(); }
};
std::unique_ptr<ThreadPool> ReferenceTest::pool_;

TEST_P(ReferenceTest, LogitsAndTeacherForcedGreedyMatchLlamaCpp) {
  const RefSetup& setup = GetParam();
  const ReferenceModel ref = testing::load_reference(setup.model);
  ModelOptions opt;
  opt.kv_type = setup.kv;
  opt.n_ctx = 1024;
  auto model = Model::load(ref.gguf_path, opt);
  ASSERT_TRUE(model.ok()) << model.error().message;
  const int n_vocab = (*model)->config().n_vocab;
  Context ctx(**model, *pool_);
  auto cache = (*model)->new_cache();
  std::vector<float> logits(n_vocab);

  for (const ReferenceCase& rc : ref.cases) {
    SCOPED_TRACE(rc.name);
    const std::vector<float>& want = setup.f32kv_reference ? rc.logits_f32kv : rc.logits;
    const std::vector<GreedyStep>& steps = setup.f32kv_reference ? rc.greedy_f32kv : rc.greedy;
    ASSERT_EQ(want.size(), static_cast<size_t>(n_vocab));
    cache->clear();
    std::vector<BatchItem> batch;
    for (size_t i = 0; i < rc.tokens.size(); ++i) {
      batch.push_back(
          {cache.get(), rc.tokens[i], static_cast<int32_t>(i), i + 1 == rc.tokens.size()});
    }
    ASSERT_TRUE(ctx.decode(batch, logits).ok());

    const Stats s = compare(want, logits.data());
    RecordProperty(rc.name + "_max_sigma", std::to_string(s.max_sigma));
    EXPECT_LE(s.max_sigma, setup.tol.max_sigma) << "rms " << s.rms_sigma << " cos " << s.cosine;
    EXPECT_LE(s.rms_sigma, setup.tol.rms_sigma);
    EXPECT_GE(s.cosine, setup.tol.min_cosine);
    // Top-1 rule: must agree when llama.cpp's margin exceeds twice the max tolerance.
    std::vector<float> sorted = want;
    std::partial_sort(sorted.begin(), sorted.begin() + 2, sorted.end(), std::greater<>());
    if (sorted[0] - sorted[1] > 2 * setup.tol.max_sigma * s.sigma) {
      EXPECT_EQ(argmax(logits.data(), n_vocab), argmax(want.data(), n_vocab));
    }

    // Teacher-forced continuation: step i's logits come after feeding steps 0..i-1.
    double worst_lp = 0;
    for (size_t i = 0; i < steps.size(); ++i) {
      if (i > 0) {
        const BatchItem item{cache.get(), steps[i - 1].id, cache->size(), true};
        ASSERT_TRUE(ctx.decode({&item, 1}, logits).ok());
      }
      const std::vector<double> lp = log_softmax(logits.data(), n_vocab);
      for (const auto& [id, want_lp] : steps[i].top5) {
        worst_lp = std::max(worst_lp, std::fabs(lp[id] - want_lp));
      }
      const double gap = steps[i].top5[0].second - steps[i].top5[1].second;
      if (gap >= setup.tol.greedy_gap) {
        EXPECT_EQ(argmax(logits.data(), n_vocab), steps[i].id) << "step " << i << " gap " << gap;
      }
    }
    EXPECT_LE(worst_lp, setup.tol.max_sigma * s.sigma) << "top-5 log-prob difference";
    std::printf("  %-24s %-9s max %.2e sigma  rms %.2e  cos %.7f  top5-lp %.2e\n",
                setup.model.c_str(), rc.name.c_str(), s.max_sigma, s.rms_sigma, s.cosine, worst_lp);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Models, ReferenceTest,
    ::testing::Values(RefSetup{"llama-spm-e128-f32", KvType::kF32, true, kF32Exact},
                      RefSetup{"llama-spm-e128-f32", KvType::kF16, false, kF32WithF16Kv},
                      RefSetup{"qwen3-gpt2-e128-f32", KvType::kF32, true, kF32Exact},
                      RefSetup{"qwen3-gpt2-e128-f32", KvType::kF16, false, kF32WithF16Kv},
                      RefSetup{"llama-spm-e128-f16", KvType::kF32, true, kF16},
                      RefSetup{"llama-spm-e128-f16", KvType::kF16, false, kF16},
                      RefSetup{"llama-spm-e128-q8_0", KvType::kF16, false, kQ8},
                      RefSetup{"qwen2-gpt2-e128-q8_0", KvType::kF16, false, kQ8},
                      RefSetup{"llama3-bpe-e64-q8_0", KvType::kF16, false, kQ8},
                      RefSetup{"llama-spm-e128-q4_0", KvType::kF16, false, kQ4},
                      RefSetup{"llama-spm-e256-q4_k_m", KvType::kF16, false, kQ4},
                      RefSetup{"llama-spm-e256-q6_k", KvType::kF16, false, kQ4}),
    [](const ::testing::TestParamInfo<RefSetup>& info) {
      std::string n = info.param.model + (info.param.kv == KvType::kF32 ? "_f32kv" : "_f16kv");
      std::replace(n.begin(), n.end(), '-', '_');
      return n;
    });

}  // namespace
}  // namespace woolly::engine
