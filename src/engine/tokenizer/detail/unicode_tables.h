// The generated code-point class table (detail/unicode_tables.cpp, written by
// scripts/gen-unicode-tables.py). Use the lookups in engine/tokenizer/unicode.h instead.
#pragma once

#include <cstddef>
#include <cstdint>

namespace woolly::engine::detail {

struct CodepointRange {
  uint32_t first;
  uint32_t last;
  uint8_t flags;  // CodepointFlags bits
};

extern const char* const kUnicodeVersion;
extern const CodepointRange kCodepointRanges[];
extern const std::size_t kCodepointRangeCount;

}  // namespace woolly::engine::detail
