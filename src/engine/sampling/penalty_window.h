// The last N tokens of a sequence with their counts, for repetition/frequency/presence
// penalties. Counts are kept as a small flat list updated on every push, so applying the
// penalties costs O(distinct tokens in the window), not O(vocabulary).
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace woolly::engine {

class PenaltyWindow {
 public:
  // capacity 0: nothing is kept; -1: unbounded (every pushed token counts).
  explicit PenaltyWindow(int capacity = 0);

  void push(int32_t token);
  void clear();
  // (token, count) for every distinct token in the window; order unspecified.
  std::span<const std::pair<int32_t, int32_t>> counts() const { return counts_; }

 private:
  void add(int32_t token, int delta);

  int capacity_;
  std::vector<int32_t> ring_;  // last `capacity_` tokens; head_ is the oldest once full
  size_t head_ = 0;
  std::vector<std::pair<int32_t, int32_t>> counts_;
};

}  // namespace woolly::engine
