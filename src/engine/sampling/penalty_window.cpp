#include "engine/sampling/penalty_window.h"

#include <algorithm>

namespace woolly::engine {

PenaltyWindow::PenaltyWindow(int capacity) : capacity_(capacity) {
  if (capacity_ > 0) ring_.reserve(static_cast<size_t>(capacity_));
}

void PenaltyWindow::push(int32_t token) {
  if (capacity_ == 0) return;
  if (capacity_ < 0 || ring_.size() < static_cast<size_t>(capacity_)) {
    if (capacity_ > 0) ring_.push_back(token);
    add(token, +1);
    return;
  }
  add(ring_[head_], -1);
  ring_[head_] = token;
  head_ = (head_ + 1) % ring_.size();
  add(token, +1);
}

void PenaltyWindow::clear() {
  ring_.clear();
  head_ = 0;
  counts_.clear();
}

void PenaltyWindow::add(int32_t token, int delta) {
  auto it = std::find_if(counts_.begin(), counts_.end(),
                         [token](const auto& c) { return c.first == token; });
  if (it == counts_.end()) {
    if (delta > 0) counts_.emplace_back(token, delta);
    return;
  }
  it->second += delta;
  if (it->second <= 0) {
    *it = counts_.back();
    counts_.pop_back();
  }
}

}  // namespace woolly::engine
