#include "engine/tokenizer/detail/token_index.h"

#include <functional>

namespace woolly::engine::detail {

uint64_t TokenIndex::hash(std::string_view s) { return std::hash<std::string_view>{}(s); }

void TokenIndex::build(const std::vector<std::string>& tokens) {
  // Load factor at most 1/2 keeps probe runs short.
  std::size_t size = 16;
  while (size < tokens.size() * 2) size <<= 1;
  slots_.assign(size, 0);
  mask_ = size - 1;
  for (std::size_t id = 0; id < tokens.size(); ++id) {
    const uint64_t h = hash(tokens[id]);
    const uint64_t tag = h & 0xFFFFFFFF00000000ull;
    for (uint64_t i = h & mask_;; i = (i + 1) & mask_) {
      const uint64_t slot = slots_[i];
      if (slot == 0) {
        slots_[i] = tag | (id + 1);
        break;
      }
      const uint32_t other = static_cast<uint32_t>(slot) - 1;
      if ((slot & 0xFFFFFFFF00000000ull) == tag && tokens[other] == tokens[id]) {
        slots_[i] = tag | (id + 1);  // duplicate text: the later id replaces the earlier
        break;
      }
    }
  }
}

int32_t TokenIndex::find(std::string_view text, const std::vector<std::string>& tokens) const {
  if (slots_.empty()) return -1;
  const uint64_t h = hash(text);
  const uint64_t tag = h & 0xFFFFFFFF00000000ull;
  for (uint64_t i = h & mask_;; i = (i + 1) & mask_) {
    const uint64_t slot = slots_[i];
    if (slot == 0) return -1;
    if ((slot & 0xFFFFFFFF00000000ull) == tag) {
      const uint32_t id = static_cast<uint32_t>(slot) - 1;
      if (tokens[id] == text) return static_cast<int32_t>(id);
    }
  }
}

}  // namespace woolly::engine::detail
