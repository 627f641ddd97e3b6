// (left token, right token) -> (merge rank, merged token) for byte-level BPE: an open-addressing
// table of 16-byte slots, filled once at load (hundreds of thousands of merges for Llama-3)
// and probed for every adjacent symbol pair while encoding.
#pragma once

#include <cstdint>
#include <vector>

namespace woolly::engine::detail {

struct MergeInfo {
  int32_t rank;  // lower merges first
  int32_t id;    // the merged token
};

class MergeTable {
 public:
  void reserve(std::size_t n);
  // Keeps the first rank given for a pair.
  void insert(int32_t left, int32_t right, MergeInfo info);
  // Null when the pair does not merge.
  const MergeInfo* find(int32_t left, int32_t right) const {
    if (slots_.empty()) return nullptr;
    const uint64_t key = make_key(left, right);
    for (uint64_t i = slot_of(key);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.info.rank < 0) return nullptr;
      if (s.key == key) return &s.info;
    }
  }
  std::size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t key = 0;
    MergeInfo info{-1, -1};  // rank < 0: empty
  };
  static uint64_t make_key(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
           static_cast<uint32_t>(right);
  }
  uint64_t slot_of(uint64_t key) const { return (key * 0x9E3779B97F4A7C15ull >> 20) & mask_; }
  void grow();

  std::vector<Slot> slots_;
  uint64_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace woolly::engine::detail
