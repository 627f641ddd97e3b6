// Migrations, reopening, and the store's own thread pool, on both databases.
#include "store/detail/migrations.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "store/detail/postgres_connection.h"
#include "store/detail/sqlite_connection.h"
#include "store/store_fixture.h"

namespace woolly::store::testing {
namespace {

using MigrationsTest = StoreTest;

TEST_P(MigrationsTest, FreshDatabaseIsAtTheLatestVersionAndReopensUnchanged) {
  EXPECT_EQ(store_->schema_version().value_or(-1), detail::latest_schema_version());
  User alice = make_user("alice");
  auto again = reopen();
  ASSERT_TRUE(again.ok()) << again.error().message;
  store_ = std::move(*again);
  EXPECT_EQ(store_->schema_version().value_or(-1), detail::latest_schema_version());
  auto got = store_->get_user(tenant_.id, alice.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "alice");
  EXPECT_TRUE(store_->check_integrity().ok());
}

TEST_P(MigrationsTest, ConcurrentOpensMigrateOnce) {
  store_.reset();
  auto fresh = fresh_db(GetParam());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto s = open_store(fresh.options);
      if (s.ok() && (*s)->schema_version().value_or(-1) == detail::latest_schema_version())
        ++ok;
      else if (!s.ok())
        ADD_FAILURE() << s.error().message;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 4);
  remove_db(fresh);
}

TEST_P(MigrationsTest, PostRunsOnTheStoreThreadsAndSubmitReturnsResults) {
  const auto caller = std::this_thread::get_id();
  auto fut = store_->submit([caller, this](Store& s) -> Result<bool> {
    WOOLLY_TRY(s.grant(Principal{tenant_.id, "x"}, 1, ""));
    return std::this_thread::get_id() != caller;
  });
  auto on_pool = fut.get();
  ASSERT_TRUE(on_pool.ok());
  EXPECT_TRUE(*on_pool);

  std::atomic<bool> void_job_ran{false};
  store_->submit([&](Store&) { void_job_ran = true; }).get();
  EXPECT_TRUE(void_job_ran.load());

  auto thrown = store_->submit([](Store&) -> int { throw std::runtime_error("job aborted"); });
  EXPECT_THROW(thrown.get(), std::runtime_error);

  std::promise<Result<Tenant>> done;
  ASSERT_TRUE(store_->post([&](Store& s) { done.set_value(s.get_tenant(tenant_.id)); }).ok());
  auto t = done.get_future().get();
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->name, tenant_.name);
}

TEST_P(MigrationsTest, AFullQueueRefusesWorkInsteadOfGrowing) {
  StoreOptions o = db_.options;
  o.connections = 1;
  o.max_queued_jobs = 2;
  auto small = open_store(o);
  ASSERT_TRUE(small.ok()) << small.error().message;
  std::promise<void> gate;
  std::shared_future<void> open_gate = gate.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE((*small)
                  ->post([&](Store&) {
                    started.set_value();
                    open_gate.wait();
                  })
                  .ok());
  started.get_future().wait();  // the only thread is busy; the queue is empty
  std::atomic<int> ran{0};
  EXPECT_TRUE((*small)->post([&](Store&) { ++ran; }).ok());
  EXPECT_TRUE((*small)->post([&](Store&) { ++ran; }).ok());
  Status refused = (*small)->post([&](Store&) { ++ran; });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::kUnavailable);
  auto via_submit = (*small)->submit([](Store& s) { return s.get_tenant(1); }).get();
  ASSERT_FALSE(via_submit.ok());
  EXPECT_EQ(via_submit.error().code, Errc::kUnavailable);
  gate.set_value();
  small->reset();  // drains the queue before it returns
  EXPECT_EQ(ran.load(), 2);
}

TEST_P(MigrationsTest, ANewerSchemaIsRefused) {
  // Pretend a later woolly-server migrated this database further.
  store_.reset();
  auto conn = GetParam() == Backend::kSqlite
                  ? detail::open_sqlite(db_.options.sqlite_path, 1000)
                  : detail::open_postgres(db_.options.postgres_url, db_.options.postgres_schema);
  ASSERT_TRUE(conn.ok()) << conn.error().message;
  auto ins = detail::query(**conn,
                           "INSERT INTO schema_migrations (version, name, applied_at) "
                           "VALUES (?, 'from the future', 0)",
                           {detail::latest_schema_version() + 1});
  ASSERT_TRUE(ins.ok()) << ins.error().message;
  conn->reset();
  auto again = reopen();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::kUnsupported);
}

WOOLLY_STORE_BACKENDS(MigrationsTest);

}  // namespace
}  // namespace woolly::store::testing
