#include "engine/sampling/stop_strings.h"

#include <algorithm>

namespace woolly::engine {

StopStrings::StopStrings(std::vector<std::string> stops) : stops_(std::move(stops)) {
  std::erase_if(stops_, [](const std::string& s) { return s.empty(); });
}

bool StopStrings::feed(std::string_view piece, std::string& out) {
  if (stopped_) return true;
  pending_.append(piece);
  if (stops_.empty()) {
    out += pending_;
    pending_.clear();
    return false;
  }
  // The earliest match wins; between stops matching at the same place, the longer one.
  size_t best = std::string::npos;
  const std::string* best_stop = nullptr;
  for (const auto& s : stops_) {
    const size_t at = pending_.find(s);
    if (at == std::string::npos) continue;
    if (at < best || (at == best && s.size() > best_stop->size())) {
      best = at;
      best_stop = &s;
    }
  }
  if (best_stop != nullptr) {
    out.append(pending_, 0, best);
    matched_ = *best_stop;
    pending_.clear();
    stopped_ = true;
    return true;
  }
  // Hold back the longest tail of pending_ that is a proper prefix of a stop string.
  size_t hold = 0;
  for (const auto& s : stops_) {
    const size_t max_len = std::min(s.size() - 1, pending_.size());
    for (size_t len = max_len; len > hold; --len) {
      if (std::string_view(pending_).substr(pending_.size() - len) ==
          std::string_view(s).substr(0, len)) {
        hold = len;
        break;
      }
    }
  }
  out.append(pending_, 0, pending_.size() - hold);
  pending_.erase(0, pending_.size() - hold);
  return false;
}

void StopStrings::flush(std::string& out) {
  if (!stopped_) out += pending_;
  pending_.clear();
}

}  // namespace woolly::engine
