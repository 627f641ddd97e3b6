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

WOOLLY_STORE_BACKENDS(CreditsTest);

}  // namespace
}  // namespace woolly::store::testing
