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
  ~Executor();  // runs what is queued, then joins
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // kUnavailable when `max_queued` jobs already wait or the executor is stopping.
  Status post(std::function<void()> job);

 private:
  void loop();

  std::mutex mu_;  // guards queue_ and stopping_; taken by posters and workers
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  size_t max_queued_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace woolly::store::detail
