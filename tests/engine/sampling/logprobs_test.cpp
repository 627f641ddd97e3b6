#include "engine/sampling/logprobs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace woolly::engine {
namespace {

TEST(Logprobs, LogSoftmaxOfRawLogits) {
  std::vector<float> logits = {std::log(1.0f), std::log(2.0f), std::log(3.0f), std::log(4.0f)};
  StepLogprobs out;
  compute_logprobs(logits, 1, 2, out);
  EXPECT_EQ(out.chosen.token, 1);
  EXPECT_NEAR(out.chosen.logprob, std::log(0.2), 1e-6);
  ASSERT_EQ(out.top.size(), 2u);
  EXPECT_EQ(out.top[0].token, 3);
  EXPECT_NEAR(out.top[0].logprob, std::log(0.4), 1e-6);
  EXPECT_EQ(out.top[1].token, 2);
  EXPECT_NEAR(out.top[1].logprob, std::log(0.3), 1e-6);
}

TEST(Logprobs, StableForLargeLogitsAndTiesByLowerId) {
  std::vector<float> logits = {1000.0f, 1000.0f, 0.0f};
  StepLogprobs out;
  compute_logprobs(logits, 2, 5, out);
  ASSERT_EQ(out.top.size(), 3u);
  EXPECT_EQ(out.top[0].token, 0);
  EXPECT_EQ(out.top[1].token, 1);
  EXPECT_NEAR(out.top[0].logprob, std::log(0.5), 1e-6);
  EXPECT_NEAR(out.chosen.logprob, -1000 - std::log(2.0), 1e-3);
}

}  // namespace
}  // namespace woolly::engine
