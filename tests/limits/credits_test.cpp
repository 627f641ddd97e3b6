#include <gtest/gtest.h>

#include <future>
#include <vector>

#include "limits/credits.h"
#include "store/store_fixture.h"

namespace woolly::limits {
namespace {

using store::testing::StoreTest;

TEST(PriceTable, CostsAreExactAndRoundedUp) {
  PriceTable t = PriceTable::from_credits({{"big", {0.5, 1.5}}, {"*", {0.001, 0.002}}});
  Price big = t.for_model("big");
  EXPECT_EQ(big.prompt_per_1k, 500'000);
  EXPECT_EQ(big.completion_per_1k, 1'500'000);
  EXPECT_EQ(PriceTable::cost(big, 1000, 1000), 2'000'000);
  EXPECT_EQ(PriceTable::cost(big, 1, 0), 500);
  Price other = t.for_model("anything");
  EXPECT_EQ(other.prompt_per_1k, 1000);
  EXPECT_EQ(PriceTable::cost(other, 1, 0), 1);  // 1 micro-credit, not 0
  EXPECT_TRUE(PriceTable().for_model("x").free());
}

class CreditGateTest : public StoreTest {
 protected:
  PriceTable prices() {
    PriceTable t;
    t.set("m", Price{0, 1'000'000});  // 1000 micro-credits per completion token
    return t;
  }
};

TEST_P(CreditGateTest, FiftyConcurrentRequestsAgainstABalanceForTen) {
  CreditGate gate(*store_, prices());
  store::Principal who{tenant_.id, "key:1"};
  ASSERT_TRUE(store_->grant(who, 1'000'000, "test").ok());  // covers ten reservations of 100 tokens
  Payer payer{who, std::nullopt, 1};

  std::vector<std::future<Result<Ticket>>> begun;
  for (int i = 0; i < 50; ++i) {
    begun.push_back(store_->submit(
        [&gate, payer](store::Store&) { return gate.begin(payer, "m", "local", 20, 100); }));
  }
  std::vector<Ticket> tickets;
  int refused = 0;
  for (auto& f : begun) {
    auto r = f.get();
    if (r.ok()) {
      tickets.push_back(std::move(*r));
    } else {
      EXPECT_EQ(r.error().code, Errc::kInsufficientCredits) << r.error().message;
      EXPECT_NE(r.error().message.find("INSUFFICIENT_CREDITS"), std::string::npos);
      ++refused;
    }
  }
  EXPECT_EQ(tickets.size(), 10u);
  EXPECT_EQ(refused, 40);
  auto mid = store_->balance(who);
  ASSERT_TRUE(mid.ok());
  EXPECT_EQ(mid->reserved, 1'000'000);
  EXPECT_EQ(mid->available(), 0);

  std::vector<std::future<Result<store::UsageRecord>>> done;
  for (const auto& t : tickets) {
    done.push_back(store_->submit([&gate, t](store::Store&) {
      return gate.finish(t, UsageCounts{20, 40}, 12, "ok");
    }));
  }
  for (auto& f : done) {
    auto r = f.get();
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->cost, 40'000);
    EXPECT_EQ(r->api_key_id, 1);
  }
  auto end = store_->balance(who);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end->balance, 1'000'000 - 10 * 40'000);
  EXPECT_EQ(end->reserved, 0);
  store::UsageQuery q;
  q.tenant_id = tenant_.id;
  auto totals = store_->sum_usage(q);
  ASSERT_TRUE(totals.ok());
  EXPECT_EQ(totals->requests, 10);
  EXPECT_EQ(totals->completion_tokens, 400);
  EXPECT_EQ(totals->cost, 400'000);
  EXPECT_TRUE(store_->check_integrity().ok());
}

TEST_P(CreditGateTest, FreeModelsNeedNoBalanceButAreRecorded) {
  CreditGate gate(*store_, prices());
  Payer payer{{tenant_.id, "user:5"}, 5, std::nullopt};
  auto t = gate.begin(payer, "free-model", "openai", 10, 1000);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_FALSE(t->reservation.has_value());
  auto rec = gate.finish(*t, UsageCounts{10, 5}, 3, "ok");
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  EXPECT_EQ(rec->cost, 0);
  EXPECT_EQ(rec->user_id, 5);
  auto list = store_->list_usage(store::UsageQuery{tenant_.id});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].backend, "openai");
}

TEST_P(CreditGateTest, AFailedRequestChargesWhatItUsedAndReleasesTheRest) {
  CreditGate gate(*store_, prices());
  store::Principal who{tenant_.id, "tenant"};
  ASSERT_TRUE(store_->grant(who, 500'000, "test").ok());
  auto t = gate.begin(Payer{who}, "m", "local", 0, 400);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(gate.begin(Payer{who}, "m", "local", 0, 101).error().code, Errc::kInsufficientCredits);
  ASSERT_TRUE(gate.finish(*t, UsageCounts{0, 7}, 50, "cancelled").ok());
  auto b = store_->balance(who);
  EXPECT_EQ(b->balance, 500'000 - 7'000);
  EXPECT_EQ(b->reserved, 0);
}

WOOLLY_STORE_BACKENDS(CreditGateTest);

}  // namespace
}  // namespace woolly::limits
