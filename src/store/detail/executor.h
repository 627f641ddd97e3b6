// The store's own threads: blocking database work runs here, never on I/O threads.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/result.h"

namespace woolly::store::detail {

class Executor {
 public:
  Executor(int threads, size_t max_queued);
  ~Executor();  // stop()

  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // kUnavailable when `max_queued` jobs already wait or the executor is stopping.
  Status post(std::function<void()> job);

  // Refuses new jobs from other threads, runs every job already queued (and the follow-ups those
  // jobs post from the pool's own threads, so a job's next step is not lost), then joins the
  // threads. Idempotent; never call it from a job.
  void stop();

 private:
  void loop();

  std::mutex mu_;  // guards queue_ and stopping_; taken by posters and workers
  std::mutex stop_mu_;  // one stop() joins the threads; a concurrent one waits for it
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  size_t max_queued_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace woolly::store::detail
