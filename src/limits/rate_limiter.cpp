#include "limits/rate_limiter.h"

#include <algorithm>
#include <chrono>

namespace woolly::limits {
namespace {

constexpr int64_t kMicro = 1'000'000;

// Microseconds until `units` have flowed in at `per_minute` units a microsecond, rounded up.
int64_t micros_for(int64_t units, int64_t per_minute) {
  if (units <= 0) return 0;
  return (units + per_minute - 1) / per_minute;
}

int64_t ceil_seconds(int64_t us) { return (us + kMicro - 1) / kMicro; }

}  // namespace

MicroClock steady_micro_clock() {
  return [] {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
}

Decision apply_bucket(BucketState& state, const BucketSpec& spec, int64_t now_us, int64_t cost,
                      bool force) {
  Decision d;
  d.limit = spec.per_minute;
  if (spec.per_minute <= 0) {  // unlimited
    d.remaining = spec.capacity;
    return d;
  }
  const int64_t cap = spec.capacity * kUnitsPerToken;
  if (now_us > state.last_us) {
    // 128 bits: a long idle time times a high rate may pass 2^63 before the cap applies.
    __int128 next = static_cast<__int128>(state.units) +
                    static_cast<__int128>(now_us - state.last_us) * spec.per_minute;
    state.units = static_cast<int64_t>(std::min<__int128>(next, cap));
    state.last_us = now_us;
  }
  const int64_t want = cost * kUnitsPerToken;
  if (force || state.units >= want) {
    state.units -= want;
  } else {
    d.allowed = false;
    d.retry_after_s =
        std::max<int64_t>(1, ceil_seconds(micros_for(want - state.units, spec.per_minute)));
  }
  d.remaining = std::max<int64_t>(0, state.units / kUnitsPerToken);
  d.reset_s = ceil_seconds(micros_for(cap - state.units, spec.per_minute));
  return d;
}

MemoryRateLimiter::MemoryRateLimiter(MicroClock clock) : clock_(std::move(clock)) {}

Result<Decision> MemoryRateLimiter::take(std::string_view key, const BucketSpec& spec, int64_t cost) {
  return run(key, spec, cost, false);
}

Result<Decision> MemoryRateLimiter::charge(std::string_view key, const BucketSpec& spec,
                                           int64_t cost) {
  return run(key, spec, cost, true);
}

Result<Decision> MemoryRateLimiter::run(std::string_view key, const BucketSpec& spec, int64_t cost,
                                        bool force) {
  if (spec.per_minute <= 0) {  // unlimited: no state to keep
    BucketState none;
    return apply_bucket(none, spec, 0, cost, force);
  }
  const int64_t now = clock_();
  std::lock_guard lock(mu_);
  auto [it, inserted] = buckets_.try_emplace(std::string(key));
  if (inserted) it->second = BucketState{spec.capacity * kUnitsPerToken, now};  // a new bucket starts full
  return apply_bucket(it->second, spec, now, cost, force);
}

size_t MemoryRateLimiter::bucket_count() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

}  // namespace woolly::limits
