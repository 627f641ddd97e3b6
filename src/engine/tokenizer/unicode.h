// Code-point classes and UTF-8 helpers for the tokenizers. The classes come from a table
// generated from Unicode data (see scripts/gen-unicode-tables.py); no ICU, no std::regex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace woolly::engine {

// One bit per general-category group (the first letter of the Unicode category) plus the
// White_Space property. The values are shared with the generated table.
namespace cpflag {
inline constexpr uint8_t kLetter = 0x01;       // \p{L}
inline constexpr uint8_t kNumber = 0x02;       // \p{N}
inline constexpr uint8_t kPunctuation = 0x04;  // \p{P}
inline constexpr uint8_t kSymbol = 0x08;       // \p{S}
inline constexpr uint8_t kMark = 0x10;         // \p{M}
inline constexpr uint8_t kSeparator = 0x20;    // \p{Z}
inline constexpr uint8_t kOther = 0x40;        // \p{C}, including unassigned code points
inline constexpr uint8_t kWhitespace = 0x80;   // \s (Unicode White_Space)
}  // namespace cpflag

// Class flags of a code point; code points past U+10FFFF count as kOther.
uint8_t codepoint_flags(uint32_t cp);

// The Unicode version the class table was generated from.
std::string_view unicode_version();

inline constexpr uint32_t kReplacementChar = 0xFFFD;

// Length of the UTF-8 sequence that starts with `lead` (1 for stray continuation bytes).
inline std::size_t utf8_sequence_length(uint8_t lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

// Decodes UTF-8 into code points; each byte that does not start a well-formed sequence becomes
// U+FFFD (the tokenizer must accept any bytes a client sends).
void decode_utf8(std::string_view text, std::vector<uint32_t>& out);

// Appends the UTF-8 encoding of `cp`.
void append_utf8(std::string& out, uint32_t cp);

// Length of the longest prefix of `bytes` that is well-formed UTF-8, and whether the rest is
// only an incomplete (but so far valid) sequence that more bytes could finish.
struct Utf8Prefix {
  std::size_t valid = 0;
  bool incomplete_tail = false;
};
Utf8Prefix utf8_valid_prefix(std::string_view bytes);

// Byte-level BPE (GPT-2) maps every byte to a printable code point so that merges and tokens
// are text: printable Latin-1 bytes map to themselves, the other 68 bytes to U+0100 onwards.
uint32_t byte_to_codepoint(uint8_t b);
// The inverse; -1 for code points no byte maps to.
int codepoint_to_byte(uint32_t cp);

}  // namespace woolly::engine
