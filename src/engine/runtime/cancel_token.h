// A request's "stop now" flag, shared by whoever may cancel it (a client disconnect, a timeout)
// and the engine thread that checks it once per step.
#pragma once

#include <atomic>
#include <memory>

namespace woolly::engine {

class CancelToken {
 public:
  CancelToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  void cancel() const { flag_->store(true, std::memory_order_relaxed); }
  bool cancelled() const { return flag_->load(std::memory_order_relaxed); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;  // copies share one flag
};

}  // namespace woolly::engine
