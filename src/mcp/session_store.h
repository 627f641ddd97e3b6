// State that tools keep for one MCP session between calls (set_generation_params defaults, for
// example). A session is a WebSocket connection, a Streamable HTTP `Mcp-Session-Id`, a stdio
// process; a 2026-07-28 stateless request is its own short session. The server owns one store per
// session and drops it when the session closes, so nothing leaks from one client to another.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace woolly::mcp {

class SessionStore {
 public:
  // The value kept under `key`, made by `make()` (returning std::shared_ptr<T>) the first time.
  // Every caller of one key must ask for the same T. Thread-safe; the returned object is shared
  // by the session's concurrent calls and guards itself.
  template <class T, class Make>
  std::shared_ptr<T> get_or_create(std::string_view key, Make make) {
    std::lock_guard lock(mutex_);
    auto it = items_.find(key);
    if (it == items_.end()) {
      std::shared_ptr<T> made = make();
      items_.emplace(std::string(key), made);
      return made;
    }
    return std::static_pointer_cast<T>(it->second);
  }

 private:
  std::mutex mutex_;  // guards items_ (tool calls of one session run on several workers)
  std::map<std::string, std::shared_ptr<void>, std::less<>> items_;
};

}  // namespace woolly::mcp
