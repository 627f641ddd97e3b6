// Text -> token id for a whole vocabulary: an open-addressing table of (hash, id) pairs over the
// vocabulary's own strings, so a lookup costs one probe run and one string compare, with no
// per-token allocation. Built once when a Tokenizer is created, read-only afterwards.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace woolly::engine::detail {

class TokenIndex {
 public:
  // Indexes `tokens`; when a text occurs twice the higher id wins (as in llama.cpp).
  void build(const std::vector<std::string>& tokens);
  // The id of `text` in the `tokens` given to build, or -1.
  int32_t find(std::string_view text, const std::vector<std::string>& tokens) const;

 private:
  static uint64_t hash(std::string_view s);

  std::vector<uint64_t> slots_;  // (hash >> 32) << 32 | (id + 1); 0 = empty
  uint64_t mask_ = 0;
};

}  // namespace woolly::engine::detail
