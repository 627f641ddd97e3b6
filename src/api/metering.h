// Metering of generations: who pays, the credit reservation before, the charge and the usage
// record after, the tokens-per-minute bucket and the usage metrics. The serving surfaces do not
// meter anything themselves: they ask `resolve_for` (serving.h) for the backend of a model, and
// when the serving context carries a Metering, that backend is wrapped so that every
// chat/complete/embed call through it is metered:
//
//   before  (store's pool) tokens-per-minute bucket not empty, else 429; reserve the most the
//           request may cost (prompt tokens + max_tokens at the model's price), else 402
//           INSUFFICIENT_CREDITS; then the generation starts from the pool.
//   after   (store's pool) charge the actual usage (releasing the rest), write the usage record,
//           charge the tokens bucket, count the metrics; only then does the surface get its
//           answer, so a client that sees its response also sees its charge.
//
// Who pays: the identity's key, else its user, else its tenant (auth::Identity::payer());
// anonymous callers pay from their tenant's "anonymous" account. Models without a price are
// free: no reservation, but the usage record is still written.
//
// Threads: wrap() may be called on any thread; the metered calls return at once and never block
// the caller (the store work is posted to the store's pool).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "auth/identity.h"
#include "backends/backend.h"
#include "limits/credits.h"
#include "limits/rate_limiter.h"

namespace woolly::obs {
class Registry;
}
namespace woolly::store {
class Store;
}

namespace woolly::api {

struct MeteringOptions {
  store::Store* store = nullptr;           // required; outlives the Metering and its jobs
  limits::PriceTable prices;               // [pricing]; models without a price are free
  limits::RateLimiter* limiter = nullptr;  // the tokens-per-minute bucket; null = none
  int64_t tokens_per_minute = 0;           // default per principal; 0 = no token bucket
  // Reserved for a request that sets no max_tokens (the backends' defaults are below it); a
  // request asking for more is capped at it, so the reservation is the most it can cost.
  int64_t default_max_tokens = 4096;
  obs::Registry* metrics = nullptr;  // woolly_usage_tokens_total...; null = not counted
};

class Metering : public std::enable_shared_from_this<Metering> {
 public:
  explicit Metering(MeteringOptions options);

  // A backend that meters every call through `inner` for `who`, recording `model` (the
  // registry's name of the model: prices are looked up by it) and `inner->type()` as backend.
  std::shared_ptr<backends::Backend> wrap(std::shared_ptr<backends::Backend> inner,
                                          const auth::Identity& who, std::string model);

  const MeteringOptions& options() const { return options_; }
  limits::CreditGate& credits() const { return credits_; }

  // The principal charged for `who` (key, user, tenant; anonymous callers: "anonymous").
  static limits::Payer payer_of(const auth::Identity& who);

 private:
  MeteringOptions options_;
  mutable limits::CreditGate credits_;  // stateless besides the store; safe on any thread
};

}  // namespace woolly::api
