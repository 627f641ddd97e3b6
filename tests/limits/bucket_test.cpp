#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "limits/rate_limiter.h"

namespace woolly::limits {
namespace {

constexpr int64_t kSecond = 1'000'000;

class BucketTest : public ::testing::Test {
 protected:
  int64_t now_ = 5 * kSecond;
  MemoryRateLimiter limiter_{[this] { return now_; }};
};

TEST_F(BucketTest, FullBucketThenOneTokenPerRefillInterval) {
  BucketSpec spec{10, 60};  // burst 10, one token a second
  for (int i = 0; i < 10; ++i) {
    auto d = limiter_.take("k", spec, 1);
    ASSERT_TRUE(d.ok());
    EXPECT_TRUE(d->allowed) << i;
    EXPECT_EQ(d->remaining, 9 - i);
    EXPECT_EQ(d->limit, 60);
  }
  auto refused = *limiter_.take("k", spec, 1);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_s, 1);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.reset_s, 10);
  now_ += kSecond - 1;  // one microsecond short of a whole token
  EXPECT_FALSE(limiter_.take("k", spec, 1)->allowed);
  now_ += 1;
  auto again = *limiter_.take("k", spec, 1);
  EXPECT_TRUE(again.allowed);
  EXPECT_EQ(again.remaining, 0);
  EXPECT_FALSE(limiter_.take("k", spec, 1)->allowed);
}

TEST_F(BucketTest, RefillStopsAtCapacity) {
  BucketSpec spec{3, 60};
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter_.take("k", spec, 1)->allowed);
  now_ += 3600 * kSecond;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter_.take("k", spec, 1)->allowed);
  EXPECT_FALSE(limiter_.take("k", spec, 1)->allowed);
}

TEST_F(BucketTest, SlowRatesAreExact) {
  BucketSpec spec{1, 6};  // one token per 10 s
  ASSERT_TRUE(limiter_.take("k", spec, 1)->allowed);
  auto d = *limiter_.take("k", spec, 1);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_s, 10);
  now_ += 10 * kSecond - 1;
  EXPECT_FALSE(limiter_.take("k", spec, 1)->allowed);
  now_ += 1;
  EXPECT_TRUE(limiter_.take("k", spec, 1)->allowed);
}

TEST_F(BucketTest, ChargeAfterTheFactCanGoIntoDebt) {
  BucketSpec tokens{1000, 1000};  // tokens per minute
  auto c = *limiter_.charge("t", tokens, 1500);
  EXPECT_TRUE(c.allowed);
  EXPECT_EQ(c.remaining, 0);
  // 500 in debt + 1 wanted = 501 tokens at 1000/min = 30.06 s -> 31.
  auto d = *limiter_.take("t", tokens, 1);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_s, 31);
  now_ += 30 * kSecond + 60'000;  // exactly 501 tokens later
  EXPECT_TRUE(limiter_.take("t", tokens, 1)->allowed);
}

TEST_F(BucketTest, KeysAreIndependentAndUnlimitedNeverRefuses) {
  BucketSpec spec{1, 60};
  EXPECT_TRUE(limiter_.take("a", spec, 1)->allowed);
  EXPECT_TRUE(limiter_.take("b", spec, 1)->allowed);
  EXPECT_FALSE(limiter_.take("a", spec, 1)->allowed);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter_.take("c", BucketSpec{1, 0}, 1)->allowed);
  EXPECT_EQ(limiter_.bucket_count(), 2u);
}

TEST_F(BucketTest, ConcurrentTakersGetExactlyTheCapacity) {
  BucketSpec spec{100, 60};
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (limiter_.take("shared", spec, 1)->allowed) ++allowed;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(allowed.load(), 100);
}

}  // namespace
}  // namespace woolly::limits
