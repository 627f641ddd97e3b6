#include "engine/tokenizer/detail/merge_table.h"

#include <utility>

namespace woolly::engine::detail {

void MergeTable::reserve(std::size_t n) {
  std::size_t size = 16;
  while (size * 5 < n * 8) size <<= 1;  // load factor at most 5/8
  if (size <= slots_.size()) return;
  std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(size));
  mask_ = size - 1;
  size_ = 0;
  for (const Slot& s : old) {
    if (s.info.rank >= 0) {
      insert(static_cast<int32_t>(s.key >> 32), static_cast<int32_t>(s.key & 0xFFFFFFFFu), s.info);
    }
  }
}

void MergeTable::grow() { reserve(size_ * 2 + 16); }

void MergeTable::insert(int32_t left, int32_t right, MergeInfo info) {
  if ((size_ + 1) * 8 > slots_.size() * 5) grow();
  const uint64_t key = make_key(left, right);
  for (uint64_t i = slot_of(key);; i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.info.rank < 0) {
      s.key = key;
      s.info = info;
      ++size_;
      return;
    }
    if (s.key == key) return;
  }
}

}  // namespace woolly::engine::detail
