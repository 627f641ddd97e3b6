// A fixed set of compute threads for the forward pass. The calling thread takes part in every
// parallel_for, so ThreadPool(1) runs everything inline. One pool is created from the `threads`
// setting and passed explicitly to whoever computes; there is no global instance.
//
// Only one parallel_for runs at a time per pool (the engine's scheduler thread issues them).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace woolly::engine {

class ThreadPool {
 public:
  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }

  // Calls f(task) for every task in [0, n_tasks), spread over the threads; returns when all
  // are done. f must not throw. No allocation: f is passed by pointer.
  template <typename F>
  void parallel_for(int64_t n_tasks, F&& f) {
    parallel_for_thread(n_tasks, [&f](int64_t task, int) { f(task); });
  }

  // Same, but f(task, thread) also gets the index (0..size()-1) of the thread running it, for
  // per-thread scratch memory.
  template <typename F>
  void parallel_for_thread(int64_t n_tasks, F&& f) {
    if (n_tasks <= 0) return;
    if (n_threads_ == 1 || n_tasks == 1) {
      for (int64_t i = 0; i < n_tasks; ++i) f(i, 0);
      return;
    }
    using Fn = std::remove_reference_t<F>;
    run([](void* ctx, int64_t task, int thread) { (*static_cast<Fn*>(ctx))(task, thread); },
        const_cast<void*>(static_cast<const void*>(&f)), n_tasks);
  }

 private:
  using TaskFn = void (*)(void*, int64_t, int);
  void run(TaskFn fn, void* ctx, int64_t n_tasks);
  void worker_loop(int thread);
  void work_on_current(int thread);

  const int n_threads_;
  std::vector<std::thread> workers_;
  // The job being run. The caller raises setting_up_, waits until no worker is active_, writes
  // fn_/ctx_/n_tasks_ and the counters, publishes them by bumping generation_ and lowers
  // setting_up_. A worker counts itself in active_ and then checks setting_up_ (all seq_cst):
  // either the caller saw it and waits, or it sees the set-up and backs off. Without that, a
  // worker that slept through a whole job could wake for it while the caller was already
  // rewriting the fields for the next one, run a task twice and push done_tasks_ past n_tasks_
  // (a hang). The caller waits for done_tasks_, not for workers that never woke up, so a
  // descheduled thread on a busy machine does not stall every matmul.
  TaskFn fn_ = nullptr;
  void* ctx_ = nullptr;
  int64_t n_tasks_ = 0;
  std::atomic<int64_t> next_task_{0};
  std::atomic<int64_t> done_tasks_{0};
  std::atomic<int> active_{0};
  std::atomic<bool> setting_up_{false};
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stop_{false};
  std::mutex mu_;  // only for sleeping workers
  std::condition_variable wake_;
};

}  // namespace woolly::engine
