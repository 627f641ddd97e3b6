#include "engine/tensor/thread_pool.h"

#include <algorithm>
#include <chrono>

namespace woolly::engine {
namespace {
// Spin this long before sleeping: consecutive matmuls of one token are microseconds apart, so a
// short spin avoids a futex wake-up per matmul; bounded by time so that an idle or oversubscribed
// machine does not lose a core to spinning.
constexpr auto kSpinTime = std::chrono::microseconds(200);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}
}  // namespace

ThreadPool::ThreadPool(int n_threads) : n_threads_(std::max(1, n_threads)) {
  for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_.store(true);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::work_on_current(int thread) {
  int64_t done = 0;
  for (;;) {
    const int64_t task = next_task_.fetch_add(1, std::memory_order_relaxed);
    if (task >= n_tasks_) break;
    fn_(ctx_, task, thread);
    ++done;
  }
  // Release: the caller reads the tasks' results after seeing the count.
  if (done > 0) done_tasks_.fetch_add(done, std::memory_order_release);
}

void ThreadPool::run(TaskFn fn, void* ctx, int64_t n_tasks) {
  // A worker that joined the previous job late may still be leaving it; the job fields must not
  // change under it, and no worker may join until they are all written (see setting_up_).
  setting_up_.store(true);
  while (active_.load() != 0) cpu_relax();
  fn_ = fn;
  ctx_ = ctx;
  n_tasks_ = n_tasks;
  next_task_.store(0, std::memory_order_relaxed);
  done_tasks_.store(0, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mu_);
    generation_.fetch_add(1);
  }
  setting_up_.store(false);
  wake_.notify_all();
  work_on_current(0);
  // Tasks taken by workers may still be running.
  for (int spin = 1; done_tasks_.load(std::memory_order_acquire) != n_tasks; ++spin) {
    if (spin % 64 == 0) std::this_thread::yield();
    cpu_relax();
  }
}

void ThreadPool::worker_loop(int thread) {
  uint64_t seen = 0;
  for (;;) {
    uint64_t gen = generation_.load(std::memory_order_acquire);
    const auto spin_until = std::chrono::steady_clock::now() + kSpinTime;
    for (int spin = 1; gen == seen; ++spin) {
      cpu_relax();
      gen = generation_.load(std::memory_order_acquire);
      if (spin % 64 == 0 && std::chrono::steady_clock::now() > spin_until) break;
    }
    if (gen == seen) {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
    }
    active_.fetch_add(1);
    if (setting_up_.load()) {  // the caller is writing the next job: wait for its generation
      active_.fetch_sub(1);
      cpu_relax();
      continue;
    }
    gen = generation_.load();  // after joining active_: this job's fields are stable
    if (stop_.load()) {
      active_.fetch_sub(1);
      return;
    }
    if (gen != seen) {
      seen = gen;
      work_on_current(thread);
    }
    active_.fetch_sub(1, std::memory_order_release);
  }
}

}  // namespace woolly::engine
