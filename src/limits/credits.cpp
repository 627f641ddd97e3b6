#include "limits/credits.h"

#include <cmath>

#include "store/store.h"

namespace woolly::limits {

PriceTable PriceTable::from_credits(const std::map<std::string, std::pair<double, double>>& table) {
  PriceTable t;
  for (const auto& [model, p] : table) {
    t.set(model, Price{static_cast<store::Micros>(std::llround(p.first * 1e6)),
                       static_cast<store::Micros>(std::llround(p.second * 1e6))});
  }
  return t;
}

Price PriceTable::for_model(const std::string& model) const {
  auto it = prices_.find(model);
  if (it != prices_.end()) return it->second;
  it = prices_.find("*");
  return it != prices_.end() ? it->second : Price{};
}

store::Micros PriceTable::cost(const Price& price, int64_t prompt_tokens, int64_t completion_tokens) {
  __int128 total = static_cast<__int128>(price.prompt_per_1k) * prompt_tokens +
                   static_cast<__int128>(price.completion_per_1k) * completion_tokens;
  return static_cast<store::Micros>((total + 999) / 1000);
}

Result<Ticket> CreditGate::begin(const Payer& payer, const std::string& model,
                                 const std::string& backend, int64_t prompt_tokens,
                                 int64_t max_tokens) {
  if (prompt_tokens < 0 || max_tokens < 0) {
    return make_error(Errc::kInvalidArgument, "token counts must not be negative");
  }
  Ticket t;
  t.payer = payer;
  t.model = model;
  t.backend = backend;
  t.price = prices_.for_model(model);
  if (t.price.free()) return t;
  store::Micros most = PriceTable::cost(t.price, prompt_tokens, max_tokens);
  auto r = store_.reserve(payer.principal, most, payer.api_key_id);
  if (!r.ok()) {
    if (r.error().code == Errc::kInsufficientCredits) {
      // The store says whether the balance or the key's budget is short.
      const bool budget = r.error().message.rfind("API key budget", 0) == 0;
      return make_error(Errc::kInsufficientCredits,
                        "INSUFFICIENT_CREDITS: this request may cost " + std::to_string(most) +
                            " micro-credits, more than " +
                            (budget ? "is left of this API key's budget"
                                    : "the available balance"));
    }
    return r.take_error();
  }
  t.reservation = std::move(*r);
  return t;
}

Result<store::UsageRecord> CreditGate::finish(const Ticket& ticket, const UsageCounts& usage,
                                              int64_t latency_ms, const std::string& status) {
  store::UsageRecord rec;
  rec.tenant_id = ticket.payer.principal.tenant_id;
  rec.user_id = ticket.payer.user_id;
  rec.api_key_id = ticket.payer.api_key_id;
  rec.model = ticket.model;
  rec.backend = ticket.backend;
  rec.prompt_tokens = usage.prompt_tokens;
  rec.completion_tokens = usage.completion_tokens;
  rec.cost = PriceTable::cost(ticket.price, usage.prompt_tokens, usage.completion_tokens);
  rec.latency_ms = latency_ms;
  rec.status = status;
  std::optional<store::Id> reservation;
  if (ticket.reservation) reservation = ticket.reservation->id;
  WOOLLY_ASSIGN_OR_RETURN(rec.id, store_.settle_and_record(reservation, rec.cost, rec));
  return rec;
}

}  // namespace woolly::limits
