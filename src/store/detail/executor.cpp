#include "store/detail/executor.h"

namespace woolly::store::detail {
namespace {

// The executor whose worker runs on this thread: its jobs may post follow-ups while it stops.
thread_local const Executor* tl_current = nullptr;

}  // namespace

Executor::Executor(int threads, size_t max_queued) : max_queued_(max_queued) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
}

Executor::~Executor() { stop(); }

void Executor::stop() {
  std::lock_guard joining(stop_mu_);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

Status Executor::post(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && tl_current != this) {
      return Error(Errc::kUnavailable, "store is shutting down");
    }
    if (queue_.size() >= max_queued_) return Error(Errc::kUnavailable, "store queue is full");
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
  return {};
}

void Executor::loop() {
  tl_current = this;
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

}  // namespace woolly::store::detail
