// Pricing and credits around each generation. The serving layer calls, on the store's pool:
//
//   auto ticket = gate.begin(payer, model, prompt_tokens, max_tokens);  // 402 if unaffordable
//   ... generate ...
//   gate.finish(*ticket, usage, latency_ms, "ok");  // charges actual, releases the rest,
//                                                    // writes the usage record
//
// The reservation is the most the request can cost (prompt + max_tokens completion), taken in
// one store transaction, so concurrent requests can never spend more than the balance.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "common/result.h"
#include "store/types.h"

namespace woolly::store {
class Store;
}

namespace woolly::limits {

// Micro-credits per 1000 tokens.
struct Price {
  store::Micros prompt_per_1k = 0;
  store::Micros completion_per_1k = 0;
  bool free() const { return prompt_per_1k == 0 && completion_per_1k == 0; }
};

class PriceTable {
 public:
  PriceTable() = default;
  // Prices in credits per 1000 tokens by model name; "*" is the default for other models.
  static PriceTable from_credits(const std::map<std::string, std::pair<double, double>>& table);
  void set(std::string model, Price price) { prices_[std::move(model)] = price; }
  Price for_model(const std::string& model) const;
  // Cost in micro-credits, rounded up so many small requests cannot round to free.
  static store::Micros cost(const Price& price, int64_t prompt_tokens, int64_t completion_tokens);

 private:
  std::map<std::string, Price> prices_;
};

// Who pays and who the usage record names.
struct Payer {
  store::Principal principal;  // credits account, e.g. {tenant, "key:7"}
  std::optional<store::Id> user_id;
  std::optional<store::Id> api_key_id;
};

struct Ticket {
  Payer payer;
  std::string model;
  std::string backend;
  Price price;
  std::optional<store::Reservation> reservation;  // none for free models
};

struct UsageCounts {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
};

class CreditGate {
 public:
  CreditGate(store::Store& store, PriceTable prices) : store_(store), prices_(std::move(prices)) {}

  // Blocking (store). kInsufficientCredits when the payer's available balance cannot cover the
  // most the request may cost.
  Result<Ticket> begin(const Payer& payer, const std::string& model, const std::string& backend,
                       int64_t prompt_tokens, int64_t max_tokens);
  // Blocking (store). Charges the actual cost (releasing the rest of the reservation) and
  // records usage in one store transaction (both or neither); `status` is "ok" or an error
  // name. Returns the usage record written.
  Result<store::UsageRecord> finish(const Ticket& ticket, const UsageCounts& usage,
                                    int64_t latency_ms, const std::string& status);

  const PriceTable& prices() const { return prices_; }

 private:
  store::Store& store_;
  PriceTable prices_;
};

}  // namespace woolly::limits
