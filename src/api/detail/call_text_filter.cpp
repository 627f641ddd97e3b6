#include "api/detail/call_text_filter.h"

#include <array>

namespace woolly::api::detail {
namespace {

constexpr std::array<std::string_view, 3> kMarkers = {"<tool_call>", "<|python_tag|>",
                                                      "[TOOL_CALLS]"};

// Length of the longest suffix of `text` that is a proper prefix of some marker.
size_t partial_marker(std::string_view text) {
  size_t best = 0;
  for (auto m : kMarkers) {
    for (size_t n = std::min(text.size(), m.size() - 1); n > best; --n) {
      if (text.substr(text.size() - n) == m.substr(0, n)) {
        best = n;
        break;
      }
    }
  }
  return best;
}

}  // namespace

std::string CallTextFilter::feed(std::string_view piece) {
  if (in_call_) return {};
  pending_ += piece;
  size_t first = std::string::npos;
  for (auto m : kMarkers) first = std::min(first, pending_.find(m));
  if (first != std::string::npos) {
    in_call_ = true;
    std::string shown = pending_.substr(0, first);
    pending_.clear();
    return shown;
  }
  size_t keep = partial_marker(pending_);
  std::string shown = pending_.substr(0, pending_.size() - keep);
  pending_.erase(0, pending_.size() - keep);
  return shown;
}

std::string CallTextFilter::end_round() {
  std::string shown = in_call_ ? std::string() : std::move(pending_);
  pending_.clear();
  in_call_ = false;
  return shown;
}

}  // namespace woolly::api::detail
