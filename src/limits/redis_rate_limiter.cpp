#include <algorithm>

#include "limits/rate_limiter.h"
#include "store/redis_client.h"

namespace woolly::limits {
namespace {

// KEYS[1] = bucket; ARGV = capacity (units), per_minute, cost (units), force.
// The same arithmetic as apply_bucket, on Redis's clock: a microsecond refills `per_minute`
// units. Below 2^53 (capacities up to ~150 million tokens) Lua's doubles hold them exactly.
// Returns {allowed, units, retry_us, reset_us}.
constexpr const char* kBucketScript = R"lua(
local cap = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local force = ARGV[4] == '1'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local v = redis.call('HMGET', KEYS[1], 'tok', 'ts')
local tok = tonumber(v[1])
local ts = tonumber(v[2])
if tok == nil or ts == nil then tok = cap; ts = now end
if now > ts then
  tok = math.min(cap, tok + (now - ts) * rate)
  ts = now
end
local allowed = 1
local retry = 0
if force or tok >= cost then
  tok = tok - cost
else
  allowed = 0
  retry = math.ceil((cost - tok) / rate)
end
local reset = 0
if tok < cap then reset = math.ceil((cap - tok) / rate) end
redis.call('HSET', KEYS[1], 'tok', string.format('%d', tok), 'ts', string.format('%d', ts))
redis.call('PEXPIRE', KEYS[1], math.floor(reset / 1000) + 1000)
return {allowed, string.format('%d', tok), retry, reset}
)lua";

constexpr int64_t kMicro = 1'000'000;

int64_t as_int(const store::RedisReply& r) {
  if (r.type == store::RedisReply::Type::kInteger) return r.integer;
  return std::stoll(r.str);
}

}  // namespace

struct RedisRateLimiter::ScriptHolder {
  store::RedisScript script{kBucketScript};
};

RedisRateLimiter::RedisRateLimiter(store::RedisClient& redis, std::string prefix)
    : redis_(redis), prefix_(std::move(prefix)), script_(std::make_unique<ScriptHolder>()) {}

RedisRateLimiter::~RedisRateLimiter() = default;

Result<Decision> RedisRateLimiter::take(std::string_view key, const BucketSpec& spec, int64_t cost) {
  return run(key, spec, cost, false);
}

Result<Decision> RedisRateLimiter::charge(std::string_view key, const BucketSpec& spec,
                                          int64_t cost) {
  return run(key, spec, cost, true);
}

Result<Decision> RedisRateLimiter::run(std::string_view key, const BucketSpec& spec, int64_t cost,
                                       bool force) {
  Decision d;
  d.limit = spec.per_minute;
  if (spec.per_minute <= 0) {
    d.remaining = spec.capacity;
    return d;
  }
  WOOLLY_ASSIGN_OR_RETURN(
      store::RedisReply reply,
      redis_.eval(script_->script, {prefix_ + std::string(key)},
                  {std::to_string(spec.capacity * kUnitsPerToken), std::to_string(spec.per_minute),
                   std::to_string(cost * kUnitsPerToken), force ? "1" : "0"}));
  if (reply.type != store::RedisReply::Type::kArray || reply.elements.size() != 4) {
    return make_error(Errc::kInternal, "rate limit script: unexpected reply");
  }
  try {
    d.allowed = as_int(reply.elements[0]) == 1;
    int64_t tokens = as_int(reply.elements[1]);
    int64_t retry_us = as_int(reply.elements[2]);
    int64_t reset_us = as_int(reply.elements[3]);
    d.remaining = std::max<int64_t>(0, tokens / kUnitsPerToken);
    d.retry_after_s = d.allowed ? 0 : std::max<int64_t>(1, (retry_us + kMicro - 1) / kMicro);
    d.reset_s = (reset_us + kMicro - 1) / kMicro;
  } catch (const std::exception&) {
    return make_error(Errc::kInternal, "rate limit script: unexpected reply");
  }
  return d;
}

}  // namespace woolly::limits
