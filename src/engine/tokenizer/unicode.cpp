#include "engine/tokenizer/unicode.h"

#include <algorithm>
#include <array>
#include <memory>

#include "engine/tokenizer/detail/unicode_tables.h"

namespace woolly::engine {
namespace {

// Almost all text is in the Basic Multilingual Plane: a flat 64 KiB table answers those in one
// load; the rest binary-search the generated ranges.
const std::array<uint8_t, 0x10000>& bmp_flags() {
  static const auto table = [] {
    auto t = std::make_unique<std::array<uint8_t, 0x10000>>();
    for (std::size_t i = 0; i < detail::kCodepointRangeCount; ++i) {
      const auto& r = detail::kCodepointRanges[i];
      if (r.first > 0xFFFF) break;
      const uint32_t last = std::min<uint32_t>(r.last, 0xFFFF);
      for (uint32_t cp = r.first; cp <= last; ++cp) (*t)[cp] = r.flags;
    }
    return t;
  }();
  return *table;
}

struct ByteMaps {
  std::array<uint32_t, 256> to_cp{};
  std::array<int16_t, 512> from_cp{};  // every mapped code point is below U+0200
};

const ByteMaps& byte_maps() {
  static const ByteMaps maps = [] {
    ByteMaps m;
    m.from_cp.fill(-1);
    uint32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      const uint32_t cp = printable ? static_cast<uint32_t>(b) : next++;
      m.to_cp[b] = cp;
      m.from_cp[cp] = static_cast<int16_t>(b);
    }
    return m;
  }();
  return maps;
}

}  // namespace

uint8_t codepoint_flags(uint32_t cp) {
  if (cp <= 0xFFFF) return bmp_flags()[cp];
  if (cp > 0x10FFFF) return cpflag::kOther;
  const auto* begin = detail::kCodepointRanges;
  const auto* end = begin + detail::kCodepointRangeCount;
  const auto* it = std::upper_bound(
      begin, end, cp, [](uint32_t v, const detail::CodepointRange& r) { return v < r.first; });
  return (it - 1)->flags;
}

std::string_view unicode_version() { return detail::kUnicodeVersion; }

void decode_utf8(std::string_view text, std::vector<uint32_t>& out) {
  out.clear();
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const uint8_t c = s[i];
    const std::size_t len = utf8_sequence_length(c);
    if (len == 1) {
      out.push_back(c < 0x80 ? c : kReplacementChar);
      ++i;
      continue;
    }
    bool ok = i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k) ok = (s[i + k] & 0xC0) == 0x80;
    if (!ok) {
      out.push_back(kReplacementChar);
      ++i;
      continue;
    }
    uint32_t cp = c & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    out.push_back(cp);
    i += len;
  }
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

Utf8Prefix utf8_valid_prefix(std::string_view bytes) {
  const auto* s = reinterpret_cast<const uint8_t*>(bytes.data());
  const std::size_t n = bytes.size();
  std::size_t i = 0;
  while (i < n) {
    const uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    // Strict well-formedness (Unicode table 3-7): no overlongs, surrogates or values past
    // U+10FFFF, so what a client receives is valid for any JSON or UTF-8 consumer.
    std::size_t len;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return {i, false};
    }
    for (std::size_t k = 1; k < len; ++k) {
      if (i + k >= n) return {i, true};
      const uint8_t b = s[i + k];
      const uint8_t min = k == 1 ? lo : 0x80;
      const uint8_t max = k == 1 ? hi : 0xBF;
      if (b < min || b > max) return {i, false};
    }
    i += len;
  }
  return {n, false};
}

uint32_t byte_to_codepoint(uint8_t b) { return byte_maps().to_cp[b]; }

int codepoint_to_byte(uint32_t cp) { return cp < 512 ? byte_maps().from_cp[cp] : -1; }

}  // namespace woolly::engine
