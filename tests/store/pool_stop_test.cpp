// Stopping the store's pool (what serve does after its drain, before it destroys the stages the
// queued jobs use): queued work and its follow-ups finish, new work is refused, and the store's
// synchronous calls keep working.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "store/store_fixture.h"

namespace woolly::store::testing {
namespace {

using PoolStopTest = StoreTest;

TEST_P(PoolStopTest, StopRunsQueuedJobsAndTheirFollowUpsThenRefusesNewOnes) {
  StoreOptions o = db_.options;
  o.connections = 1;
  o.max_queued_jobs = 1'000'000;  // the loop below must meet "shutting down", not "full"
  auto opened = open_store(o);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  Store& store = **opened;
  const Principal who{tenant_.id, "key:1"};

  std::promise<void> gate;
  std::shared_future<void> open_gate = gate.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(store
                  .post([&](Store&) {
                    started.set_value();
                    open_gate.wait();
                  })
                  .ok());
  started.get_future().wait();  // the only thread is busy: what follows waits in the queue

  std::atomic<int> queued_ran{0}, follow_up_ran{0}, refused_follow_ups{0};
  ASSERT_TRUE(store
                  .post([&](Store& s) {
                    // A job's next step (like metering's charge after its generation) posted
                    // from the pool while it stops is still run.
                    Status next = s.post([&](Store& s2) {
                      if (s2.grant(who, 5, "follow-up").ok()) ++follow_up_ran;
                    });
                    if (!next.ok()) ++refused_follow_ups;
                    if (s.grant(who, 10, "queued").ok()) ++queued_ran;
                  })
                  .ok());

  std::thread stopper([&] { store.stop(); });
  // Work from outside the pool is accepted until stop() begins, then refused.
  int accepted = 0;
  std::atomic<int> accepted_ran{0};
  Status refused;
  for (;;) {
    refused = store.post([&](Store&) { ++accepted_ran; });
    if (!refused.ok()) break;
    ++accepted;
    std::this_thread::yield();
  }
  EXPECT_EQ(refused.error().code, Errc::kUnavailable);
  EXPECT_NE(refused.error().message.find("shutting down"), std::string::npos)
      << refused.error().message;

  gate.set_value();
  stopper.join();
  EXPECT_EQ(queued_ran.load(), 1);
  EXPECT_EQ(follow_up_ran.load(), 1);
  EXPECT_EQ(refused_follow_ups.load(), 0);
  EXPECT_EQ(accepted_ran.load(), accepted);

  // After stop(): no pool, still a store.
  auto via_submit = store.submit([](Store& s) { return s.get_tenant(1); }).get();
  ASSERT_FALSE(via_submit.ok());
  EXPECT_EQ(via_submit.error().code, Errc::kUnavailable);
  auto b = store.balance(who);
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->balance, 15);
  store.stop();  // idempotent
  EXPECT_TRUE(store.check_integrity().ok());
}

WOOLLY_STORE_BACKENDS(PoolStopTest);

}  // namespace
}  // namespace woolly::store::testing
