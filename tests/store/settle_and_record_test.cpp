// The end of a metered request (charge + usage record) is one transaction on both databases:
// when the usage record cannot be written, the charge is not taken either.
#include <gtest/gtest.h>

#include "store/detail/postgres_connection.h"
#include "store/detail/sqlite_connection.h"
#include "store/store_fixture.h"

namespace woolly::store::testing {
namespace {

class SettleAndRecordTest : public StoreTest {
 protected:
  // Runs one statement on a connection of its own, as another process would.
  void exec(const std::string& sql) {
    auto conn = GetParam() == Backend::kSqlite
                    ? detail::open_sqlite(db_.options.sqlite_path, 1000)
                    : detail::open_postgres(db_.options.postgres_url, db_.options.postgres_schema);
    ASSERT_TRUE(conn.ok()) << conn.error().message;
    auto r = detail::query(**conn, sql);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  UsageRecord usage(Micros cost) const {
    UsageRecord u;
    u.tenant_id = tenant_.id;
    u.model = "m";
    u.backend = "local";
    u.prompt_tokens = 10;
    u.completion_tokens = 20;
    u.cost = cost;
    u.latency_ms = 5;
    u.status = "ok";
    return u;
  }
};

TEST_P(SettleAndRecordTest, ChargesAndRecordsTogether) {
  const Principal who{tenant_.id, "key:1"};
  ASSERT_TRUE(store_->grant(who, 1000, "").ok());
  auto res = store_->reserve(who, 600);
  ASSERT_TRUE(res.ok()) << res.error().message;

  auto id = store_->settle_and_record(res->id, 250, usage(250));
  ASSERT_TRUE(id.ok()) << id.error().message;
  auto b = store_->balance(who);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->balance, 750);
  EXPECT_EQ(b->reserved, 0);
  auto recs = store_->list_usage(UsageQuery{tenant_.id});
  ASSERT_TRUE(recs.ok());
  ASSERT_EQ(recs->size(), 1u);
  EXPECT_EQ((*recs)[0].id, *id);
  EXPECT_EQ((*recs)[0].cost, 250);

  // Settled once: a second end of the same request changes nothing and records nothing.
  auto again = store_->settle_and_record(res->id, 250, usage(250));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::kConflict);
  EXPECT_EQ(store_->list_usage(UsageQuery{tenant_.id})->size(), 1u);
  EXPECT_EQ(store_->balance(who)->balance, 750);
  EXPECT_TRUE(store_->check_integrity().ok());
}

TEST_P(SettleAndRecordTest, WithoutReservationOnlyRecords) {
  auto id = store_->settle_and_record(std::nullopt, 0, usage(0));
  ASSERT_TRUE(id.ok()) << id.error().message;
  auto recs = store_->list_usage(UsageQuery{tenant_.id});
  ASSERT_TRUE(recs.ok());
  ASSERT_EQ(recs->size(), 1u);
  EXPECT_EQ((*recs)[0].status, "ok");
}

TEST_P(SettleAndRecordTest, FailedUsageInsertRollsTheChargeBack) {
  const Principal who{tenant_.id, "key:1"};
  ASSERT_TRUE(store_->grant(who, 1000, "").ok());
  auto res = store_->reserve(who, 600);
  ASSERT_TRUE(res.ok()) << res.error().message;
  auto ledger_before = store_->list_ledger(who, PageRequest{0, 100});
  ASSERT_TRUE(ledger_before.ok());

  // The usage table goes away under the store: the INSERT, which runs after the charge in the
  // same transaction, fails.
  exec("ALTER TABLE usage_records RENAME TO usage_records_away");
  auto failed = store_->settle_and_record(res->id, 250, usage(250));
  ASSERT_FALSE(failed.ok());

  // Nothing of the charge stays: balance, reservation and ledger are as before.
  auto b = store_->balance(who);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->balance, 1000);
  EXPECT_EQ(b->reserved, 600);
  auto ledger_after = store_->list_ledger(who, PageRequest{0, 100});
  ASSERT_TRUE(ledger_after.ok());
  EXPECT_EQ(ledger_after->size(), ledger_before->size());

  // With the table back the same request ends normally: the reservation was still open.
  exec("ALTER TABLE usage_records_away RENAME TO usage_records");
  auto id = store_->settle_and_record(res->id, 250, usage(250));
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(store_->balance(who)->balance, 750);
  EXPECT_EQ(store_->balance(who)->reserved, 0);
  EXPECT_EQ(store_->list_usage(UsageQuery{tenant_.id})->size(), 1u);
  EXPECT_TRUE(store_->check_integrity().ok());
}

TEST_P(SettleAndRecordTest, RecordOfAnotherTenantLeavesTheReservationOpen) {
  const Principal who{tenant_.id, "key:1"};
  ASSERT_TRUE(store_->grant(who, 1000, "").ok());
  auto res = store_->reserve(who, 600);
  ASSERT_TRUE(res.ok()) << res.error().message;
  auto other = store_->create_tenant(unique_name("other"));
  ASSERT_TRUE(other.ok());
  UsageRecord u = usage(250);
  u.tenant_id = other->id;
  auto r = store_->settle_and_record(res->id, 250, u);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kNotFound);
  EXPECT_EQ(store_->balance(who)->reserved, 600);
  EXPECT_TRUE(store_->list_usage(UsageQuery{other->id})->empty());
}

WOOLLY_STORE_BACKENDS(SettleAndRecordTest);

}  // namespace
}  // namespace woolly::store::testing
