#include "engine/tensor/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace woolly::engine {
namespace {

TEST(ThreadPool, RunsEveryTaskExactlyOnce) {
  for (int threads : {1, 2, 4}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    for (int round = 0; round < 200; ++round) {
      std::vector<std::atomic<int>> hits(97);
      pool.parallel_for(97, [&](int64_t i) { hits[i].fetch_add(1); });
      for (auto& h : hits) ASSERT_EQ(h.load(), 1);
    }
  }
}

TEST(ThreadPool, ManyTinyJobsInARowSeeEveryResult) {
  // Back-to-back jobs of a few tasks: workers join late or not at all, and every job must still
  // complete all its tasks before parallel_for returns.
  ThreadPool pool(3);
  std::vector<int64_t> out(5);
  for (int round = 0; round < 20000; ++round) {
    const int n = 1 + round % 5;
    pool.parallel_for(n, [&](int64_t i) { out[i] = round * 10 + i; });
    for (int i = 0; i < n; ++i) ASSERT_EQ(out[i], round * 10 + i);
  }
}

TEST(ThreadPool, ThreadIndexesStayInRange) {
  ThreadPool pool(3);
  std::vector<std::atomic<int>> per_thread(3);
  pool.parallel_for_thread(1000, [&](int64_t, int t) {
    ASSERT_GE(t, 0);
    ASSERT_LT(t, 3);
    per_thread[t].fetch_add(1);
  });
  int total = 0;
  for (auto& p : per_thread) total += p.load();
  EXPECT_EQ(total, 1000);
}

}  // namespace
}  // namespace woolly::engine
