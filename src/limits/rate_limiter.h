// Token buckets, one per principal and kind (requests, tokens). A bucket holds up to `capacity`
// tokens and refills `per_minute` tokens a minute. Amounts are kept in micro-tokens (1e-6) as
// integers, so the arithmetic is exact and the same in memory and in the Redis script.
//
// Requests take 1 token before they run; the tokens bucket is charged after the request with the
// tokens actually used (`charge` may drive it below zero: the work is done, later requests wait).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"

namespace woolly::store {
class RedisClient;
}

namespace woolly::limits {

struct BucketSpec {
  int64_t capacity = 10;    // most tokens held (burst)
  int64_t per_minute = 60;  // refill rate; <= 0 = unlimited
};

// What one take/charge found; maps onto 429 Retry-After and X-RateLimit-* headers.
struct Decision {
  bool allowed = true;
  int64_t limit = 0;           // per_minute
  int64_t remaining = 0;       // whole tokens left after this call (>= 0)
  int64_t reset_s = 0;         // seconds until the bucket is full again
  int64_t retry_after_s = 0;   // when refused: seconds until `cost` tokens are there
};

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Takes `cost` tokens if the bucket holds them; otherwise changes nothing and refuses.
  virtual Result<Decision> take(std::string_view key, const BucketSpec& spec, int64_t cost) = 0;
  // Takes `cost` tokens unconditionally (the balance may go negative).
  virtual Result<Decision> charge(std::string_view key, const BucketSpec& spec, int64_t cost) = 0;
  // True when a call may block on the network (Redis): callers keep it off I/O threads.
  virtual bool blocking() const { return false; }
};

// Monotonic time in microseconds; injectable so tests can step it exactly.
using MicroClock = std::function<int64_t()>;
MicroClock steady_micro_clock();

// The bucket state and its arithmetic, shared by the in-memory limiter and the tests.
inline constexpr int64_t kUnitsPerToken = 60'000'000;
struct BucketState {
  int64_t units = 0;
  int64_t last_us = 0;
};
// Refills `state` up to `now_us` and applies a take (force=false) or charge (force=true).
Decision apply_bucket(BucketState& state, const BucketSpec& spec, int64_t now_us, int64_t cost,
                      bool force);

// One process; thread-safe.
class MemoryRateLimiter : public RateLimiter {
 public:
  explicit MemoryRateLimiter(MicroClock clock = steady_micro_clock());
  Result<Decision> take(std::string_view key, const BucketSpec& spec, int64_t cost) override;
  Result<Decision> charge(std::string_view key, const BucketSpec& spec, int64_t cost) override;
  size_t bucket_count() const;

 private:
  Result<Decision> run(std::string_view key, const BucketSpec& spec, int64_t cost, bool force);
  MicroClock clock_;
  mutable std::mutex mu_;  // guards buckets_
  std::unordered_map<std::string, BucketState> buckets_;
};

// Shared by every instance using the same Redis: one Lua script per call does refill and take
// atomically, with Redis's own clock, so instances with skewed clocks still agree. Blocking:
// call it from the store's pool.
class RedisRateLimiter : public RateLimiter {
 public:
  RedisRateLimiter(store::RedisClient& redis, std::string prefix = "woolly:rl:");
  ~RedisRateLimiter() override;
  Result<Decision> take(std::string_view key, const BucketSpec& spec, int64_t cost) override;
  Result<Decision> charge(std::string_view key, const BucketSpec& spec, int64_t cost) override;
  bool blocking() const override { return true; }

 private:
  Result<Decision> run(std::string_view key, const BucketSpec& spec, int64_t cost, bool force);
  struct ScriptHolder;
  store::RedisClient& redis_;
  std::string prefix_;
  std::unique_ptr<ScriptHolder> script_;
};

}  // namespace woolly::limits
