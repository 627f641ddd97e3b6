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
