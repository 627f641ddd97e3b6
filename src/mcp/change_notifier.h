// Lets the server learn that a registry changed (to send list_changed notifications) without the
// registry knowing about servers. Thread-safe; callbacks run on the thread that made the change,
// outside any registry lock.
#pragma once

#include <functional>
#include <map>
#include <mutex>

namespace woolly::mcp {

class ChangeNotifier {
 public:
  using Callback = std::function<void()>;

  int subscribe(Callback callback) {
    std::lock_guard lock(mutex_);
    callbacks_[next_id_] = std::move(callback);
    return next_id_++;
  }
  void unsubscribe(int id) {
    std::lock_guard lock(mutex_);
    callbacks_.erase(id);
  }
  void notify() const {
    std::map<int, Callback> copy;
    {
      std::lock_guard lock(mutex_);
      copy = callbacks_;
    }
    for (const auto& [id, cb] : copy) cb();
  }

 private:
  mutable std::mutex mutex_;  // guards callbacks_ and next_id_
  std::map<int, Callback> callbacks_;
  int next_id_ = 1;
};

}  // namespace woolly::mcp
