#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "limits/rate_limiter.h"
#include "store/redis_client.h"
#include "store/test_services.h"

namespace woolly::limits {
namespace {

using store::testing::services;
using store::testing::unique_name;

std::unique_ptr<store::RedisClient> connect_redis() {
  auto s = services();
  if (!s || s->redis_url.empty()) return nullptr;
  store::RedisOptions o;
  o.url = s->redis_url;
  o.connections = 4;
  auto c = store::RedisClient::connect(o);
  EXPECT_TRUE(c.ok()) << c.error().message;
  return c.ok() ? std::move(*c) : nullptr;
}

TEST(RedisBucket, SameArithmeticAsInMemory) {
  auto redis = connect_redis();
  if (!redis) WOOLLY_REQUIRE_SERVICE("redis");
  RedisRateLimiter limiter(*redis);
  std::string key = unique_name("rl");
  // One token a minute: no refill worth a token can happen while this test runs.
  BucketSpec spec{3, 1};
  for (int i = 0; i < 3; ++i) {
    auto d = limiter.take(key, spec, 1);
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_TRUE(d->allowed);
    EXPECT_EQ(d->remaining, 2 - i);
  }
  auto refused = *limiter.take(key, spec, 1);
  EXPECT_FALSE(refused.allowed);
  EXPECT_GE(refused.retry_after_s, 59);
  EXPECT_LE(refused.retry_after_s, 60);
  EXPECT_GE(refused.reset_s, 179);
  EXPECT_LE(refused.reset_s, 180);
  // Charging into debt, then refusing.
  std::string tkey = unique_name("tpm");
  EXPECT_TRUE(limiter.charge(tkey, BucketSpec{100, 1}, 150)->allowed);
  EXPECT_FALSE(limiter.take(tkey, BucketSpec{100, 1}, 1)->allowed);
}

TEST(RedisBucket, TwoLimitersOnOneRedisShareTheLimit) {
  auto redis_a = connect_redis();
  if (!redis_a) WOOLLY_REQUIRE_SERVICE("redis");
  auto redis_b = connect_redis();
  ASSERT_TRUE(redis_b);
  // Two instances' worth of clients and limiters, hammering one bucket from 8 threads.
  RedisRateLimiter a(*redis_a), b(*redis_b);
  std::string key = unique_name("shared");
  BucketSpec spec{60, 60};
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      RedisRateLimiter& l = t % 2 ? a : b;
      for (int i = 0; i < 25; ++i) {
        auto d = l.take(key, spec, 1);
        ASSERT_TRUE(d.ok()) << d.error().message;
        if (d->allowed) ++allowed;
      }
    });
  }
  auto start = std::chrono::steady_clock::now();
  for (auto& th : threads) th.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // 60 from the full bucket plus at most one a second of refill while the threads ran.
  EXPECT_GE(allowed.load(), 60);
  EXPECT_LE(allowed.load(), 60 + static_cast<int>(elapsed) + 1);
}

}  // namespace
}  // namespace woolly::limits
