// A MessageSink that records what a server or client sent, so tests can wait for it.
#pragma once

#include <boost/json/parse.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mcp/message_sink.h"

namespace woolly::mcp::testing {

class SinkRecorder : public MessageSink {
 public:
  void send(std::string text, const boost::json::value&) override {
    {
      std::lock_guard lock(mutex_);
      messages_.push_back(boost::json::parse(text));
    }
    cv_.notify_all();
  }

  // Waits (up to 5 s) for the first message matching `pred`, which is removed and returned.
  std::optional<boost::json::value> wait_for(std::function<bool(const boost::json::value&)> pred,
                                             std::chrono::milliseconds timeout =
                                                 std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    std::optional<boost::json::value> found;
    cv_.wait_for(lock, timeout, [&] {
      for (auto it = messages_.begin(); it != messages_.end(); ++it) {
        if (pred(*it)) {
          found = *it;
          messages_.erase(it);
          return true;
        }
      }
      return false;
    });
    return found;
  }

  // The response to request `id` (compared as serialized JSON, so 1 and "1" differ).
  std::optional<boost::json::value> response(const boost::json::value& id) {
    return wait_for([&](const boost::json::value& v) {
      const auto* o = v.if_object();
      return o && o->contains("id") && (o->contains("result") || o->contains("error")) &&
             o->at("id") == id;
    });
  }

  std::optional<boost::json::value> notification(std::string_view method,
                                                 std::chrono::milliseconds timeout =
                                                     std::chrono::seconds(5)) {
    return wait_for(
        [&](const boost::json::value& v) {
          const auto* o = v.if_object();
          return o && !o->contains("id") && o->contains("method") &&
                 o->at("method").as_string() == method;
        },
        timeout);
  }

  size_t size() {
    std::lock_guard lock(mutex_);
    return messages_.size();
  }

 private:
  std::mutex mutex_;  // guards messages_
  std::condition_variable cv_;
  std::vector<boost::json::value> messages_;
};

}  // namespace woolly::mcp::testing
