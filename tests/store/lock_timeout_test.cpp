// A writer blocked by a lock someone else holds gives up after the configured time with
// kUnavailable (answered as 503 upstream) instead of hanging the store's thread.
#include <gtest/gtest.h>

#include <chrono>

#include "store/detail/postgres_connection.h"
#include "store/detail/sqlite_connection.h"
#include "store/store_fixture.h"

namespace woolly::store::testing {
namespace {

using LockTimeoutTest = StoreTest;

TEST_P(LockTimeoutTest, BlockedWriterGivesUpAfterTheBusyTimeout) {
  const Principal who{tenant_.id, "user:1"};
  ASSERT_TRUE(store_->grant(who, 100, "").ok());
  StoreOptions o = db_.options;
  o.busy_timeout_ms = 300;
  auto impatient = open_store(o);
  ASSERT_TRUE(impatient.ok()) << impatient.error().message;

  // Another process holding the lock: SQLite's write lock, PostgreSQL's row lock.
  auto holder = GetParam() == Backend::kSqlite
                    ? detail::open_sqlite(o.sqlite_path, 1000)
                    : detail::open_postgres(o.postgres_url, o.postgres_schema);
  ASSERT_TRUE(holder.ok()) << holder.error().message;
  ASSERT_TRUE((*holder)->begin_write().ok());
  ASSERT_TRUE(detail::query(**holder,
                            "UPDATE credit_accounts SET balance = balance WHERE tenant_id = ? "
                            "AND principal = ?",
                            {who.tenant_id, who.name})
                  .ok());

  const auto start = std::chrono::steady_clock::now();
  auto blocked = (*impatient)->reserve(who, 1);
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code, Errc::kUnavailable) << blocked.error().message;
  EXPECT_GE(waited, std::chrono::milliseconds(250));
  EXPECT_LT(waited, std::chrono::seconds(4));

  (*holder)->rollback();
  auto after = (*impatient)->reserve(who, 1);
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_TRUE((*impatient)->check_integrity().ok());
}

WOOLLY_STORE_BACKENDS(LockTimeoutTest);

}  // namespace
}  // namespace woolly::store::testing
