// The credit ledger under concurrency, on both databases.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/store_fixture.h"

namespace woolly::store::testing {
namespace {

using CreditsTest = StoreTest;

TEST_P(CreditsTest, FiftyConcurrentReservationsAgainstTenOnlyTenWin) {
  const Principal who{tenant_.id, "user:1"};
  ASSERT_TRUE(store_->grant(who, 10 * 1000, "top-up").ok());

  // Several store instances (one per thread group) on the same database, like several
  // server processes: the database, not a mutex in this process, must keep the ledger exact.
  auto second = open_store(db_.options);
  ASSERT_TRUE(second.ok()) << second.error().message;
  Store* stores[] = {store_.get(), second->get()};

  std::atomic<int> wins{0}, refusals{0}, other_errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&, i] {
      auto r = stores[i % 2]->reserve(who, 1000);
      if (r.ok()) {
        ++wins;
      } else if (r.error().code == Errc::kInsufficientCredits) {
        ++refusals;
      } else {
        ++other_errors;
        ADD_FAILURE() << r.error().message;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 10);
  EXPECT_EQ(refusals.load(), 40);
  EXPECT_EQ(other_errors.load(), 0);

  auto b = store_->balance(who);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->balance, 10'000);
  EXPECT_EQ(b->reserved, 10'000);
  EXPECT_EQ(b->available(), 0);
  auto ledger = store_->list_ledger(who, PageRequest{0, 1000});
  ASSERT_TRUE(ledger.ok());
  ASSERT_EQ(ledger->size(), 11u);  // one grant, ten reservations
  Micros reserved = 0;
  for (const auto& e : *ledger) {
    if (e.kind == LedgerKind::kReserve) reserved += e.amount;
  }
  EXPECT_EQ(reserved, 10'000);
  EXPECT_TRUE(store_->check_integrity().ok());
}

TEST_P(CreditsTest, SettleChargesActualAndReleasesTheRest) {
  const Principal who{tenant_.id, "key:7"};
  ASSERT_TRUE(store_->grant(who, 1000, "").ok());
  auto r = store_->reserve(who, 600);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(store_->reserve(who, 500).error().code, Errc::kInsufficientCredits);

  auto after = store_->settle(tenant_.id, r->id, 250);
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ(after->balance, 750);
  EXPECT_EQ(after->reserved, 0);
  EXPECT_EQ(store_->settle(tenant_.id, r->id, 250).error().code, Errc::kConflict);
  EXPECT_EQ(store_->release(tenant_.id, r->id).error().code, Errc::kConflict);

  auto r2 = store_->reserve(who, 700);
  ASSERT_TRUE(r2.ok());
  auto released = store_->release(tenant_.id, r2->id);
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(released->balance, 750);
  EXPECT_EQ(released->available(), 750);

  auto ledger = store_->list_ledger(who, {});
  ASSERT_TRUE(ledger.ok());
  std::vector<std::pair<LedgerKind, Micros>> got;
  for (const auto& e : *ledger) got.emplace_back(e.kind, e.amount);
  const std::vector<std::pair<LedgerKind, Micros>> want = {
      {LedgerKind::kGrant, 1000},  {LedgerKind::kReserve, 600}, {LedgerKind::kCharge, 250},
      {LedgerKind::kRelease, 350}, {LedgerKind::kReserve, 700}, {LedgerKind::kRelease, 700}};
  EXPECT_EQ(got, want);
  EXPECT_TRUE(store_->check_integrity().ok());
}

TEST_P(CreditsTest, OverrunIsChargedInFullAndReservationsAreTenantScoped) {
  const Principal who{tenant_.id, "tenant"};
  ASSERT_TRUE(store_->grant(who, 100, "").ok());
  auto r = store_->reserve(who, 100);
  ASSERT_TRUE(r.ok());
  auto other = store_->create_tenant(unique_name("other"));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(store_->settle(other->id, r->id, 1).error().code, Errc::kNotFound);
  auto b = store_->settle(tenant_.id, r->id, 130);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->balance, -30);
  EXPECT_EQ(b->available(), -30);
  EXPECT_EQ(store_->reserve(who, 1).error().code, Errc::kInsufficientCredits);
  // Another tenant's principal of the same name is another account.
  auto foreign = store_->balance(Principal{other->id, "tenant"});
  ASSERT_TRUE(foreign.ok());
  EXPECT_EQ(foreign->balance, 0);
  EXPECT_EQ(store_->grant(who, 0, "").error().code, Errc::kInvalidArgument);
  EXPECT_EQ(store_->reserve(who, -5).error().code, Errc::kInvalidArgument);
  EXPECT_TRUE(store_->check_integrity().ok());
}

TEST_P(CreditsTest, AKeysBudgetCapsItsSpendingWhateverTheBalance) {
  ApiKeySpec spec;
  spec.tenant_id = tenant_.id;
  spec.budget = 1000;
  auto key = store_->create_api_key(spec);
  ASSERT_TRUE(key.ok()) << key.error().message;
  const Id id = key->key.id;
  const Principal who{tenant_.id, "tenant"};  // the key spends its tenant's plentiful credits
  ASSERT_TRUE(store_->grant(who, 1'000'000, "").ok());

  auto r = store_->reserve(who, 600, id);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->api_key_id, id);
  auto over = store_->reserve(who, 500, id);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, Errc::kInsufficientCredits);
  EXPECT_EQ(over.error().message, "API key budget: 400 of 1000 left, 500 needed");
  EXPECT_TRUE(store_->reserve(who, 500).ok()) << "without the key, only the balance counts";

  ASSERT_TRUE(store_->settle(tenant_.id, r->id, 250).ok());
  auto k = store_->get_api_key(tenant_.id, id);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->spent, 250);
  EXPECT_EQ(k->held, 0);
  auto r2 = store_->reserve(who, 750, id);  // 250 + 750 = the whole budget
  ASSERT_TRUE(r2.ok()) << r2.error().message;
  EXPECT_EQ(store_->reserve(who, 1, id).error().code, Errc::kInsufficientCredits);
  ASSERT_TRUE(store_->release(tenant_.id, r2->id).ok());  // released: nothing spent
  k = store_->get_api_key(tenant_.id, id);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->spent, 250);
  EXPECT_EQ(k->held, 0);

  // A key of another tenant does not count against this one's budget, nor this against it.
  auto other = store_->create_tenant(unique_name("other"));
  ASSERT_TRUE(other.ok());
  auto foreign = store_->reserve(Principal{other->id, "tenant"}, 1, id);
  EXPECT_EQ(foreign.error().code, Errc::kInsufficientCredits);  // no balance there
  ASSERT_TRUE(store_->grant(Principal{other->id, "tenant"}, 5000, "").ok());
  auto free_of_budget = store_->reserve(Principal{other->id, "tenant"}, 5000, id);
  ASSERT_TRUE(free_of_budget.ok());
  EXPECT_FALSE(free_of_budget->api_key_id.has_value());
  EXPECT_TRUE(store_->check_integrity().ok());
}

TEST_P(CreditsTest, ConcurrentReservationsNeverPassAKeysBudget) {
  ApiKeySpec spec;
  spec.tenant_id = tenant_.id;
  spec.budget = 10 * 1000;
  auto key = store_->create_api_key(spec);
  ASSERT_TRUE(key.ok()) << key.error().message;
  const Principal who{tenant_.id, "tenant"};
  ASSERT_TRUE(store_->grant(who, 1'000'000, "").ok());
  auto second = open_store(db_.options);
  ASSERT_TRUE(second.ok()) << second.error().message;
  Store* stores[] = {store_.get(), second->get()};
  std::atomic<int> wins{0}, refusals{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 40; ++i) {
    threads.emplace_back([&, i] {
      auto r = stores[i % 2]->reserve(who, 1000, key->key.id);
      if (r.ok()) {
        ++wins;
        // Half of the winners finish (charged in full) while others still reserve.
        if (i % 4 == 0) {
          EXPECT_TRUE(stores[i % 2]->settle(tenant_.id, r->id, 1000).ok());
        }
      } else if (r.error().code == Errc::kInsufficientCredits) {
        ++refusals;
      } else {
        ADD_FAILURE() << r.error().message;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 10);
  EXPECT_EQ(refusals.load(), 30);
  auto k = store_->get_api_key(tenant_.id, key->key.id);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->spent + k->held, 10'000);
  EXPECT_TRUE(store_->check_integrity().ok());
}

WOOLLY_STORE_BACKENDS(CreditsTest);

}  // namespace
}  // namespace woolly::store::testing
