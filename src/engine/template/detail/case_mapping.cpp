// Python's upper()/lower()/capitalize()/title() over UTF-8 for the scripts chat content mostly
// uses: ASCII, Latin-1, Latin Extended-A and Additional (Vietnamese), Greek, Cyrillic, Armenian
// and fullwidth Latin, including Python's special cases ß -> SS, İ -> i̇ and final sigma.
// Letters of other scripts keep their case.
#include "engine/template/detail/builtins.h"

namespace woolly::engine::tmpl::detail {

namespace {

// Ranges where upper and lower case alternate: even code point upper, odd lower (or the reverse).
bool in_pair_range(uint32_t cp, bool& upper_is_even) {
  struct Range { uint32_t lo, hi; bool upper_even; };
  static constexpr Range kRanges[] = {
      {0x0100, 0x012f, true}, {0x0132, 0x0137, true}, {0x0139, 0x0148, false},
      {0x014a, 0x0177, true}, {0x0179, 0x017e, false}, {0x0460, 0x0481, true},
      {0x048a, 0x04bf, true}, {0x04c1, 0x04ce, false}, {0x04d0, 0x052f, true},
      {0x1e00, 0x1e95, true}, {0x1ea0, 0x1eff, true},
  };
  for (const Range& r : kRanges) {
    if (cp >= r.lo && cp <= r.hi) {
      upper_is_even = r.upper_even;
      return true;
    }
  }
  return false;
}

uint32_t upper_cp(uint32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') ? cp - 32 : cp;
  if ((cp >= 0xe0 && cp <= 0xfe && cp != 0xf7)) return cp - 32;
  if (cp == 0xff) return 0x178;
  if (cp == 0xb5) return 0x39c;
  if (cp == 0x131) return 'I';
  if (cp == 0x17f) return 'S';
  bool upper_even = true;
  // In these ranges each capital is directly followed by its small letter.
  if (in_pair_range(cp, upper_even)) return ((cp % 2 == 0) == upper_even) ? cp : cp - 1;
  if (cp >= 0x3b1 && cp <= 0x3c9) return cp == 0x3c2 ? 0x3a3 : cp - 32;
  if (cp == 0x3ac) return 0x386;
  if (cp >= 0x3ad && cp <= 0x3af) return cp - 37;
  if (cp == 0x3cc) return 0x38c;
  if (cp == 0x3cd || cp == 0x3ce) return cp - 63;
  if (cp == 0x3ca || cp == 0x3cb) return cp - 32;
  if (cp >= 0x430 && cp <= 0x44f) return cp - 32;
  if (cp >= 0x450 && cp <= 0x45f) return cp - 80;
  if (cp == 0x4cf) return 0x4c0;
  if (cp >= 0x561 && cp <= 0x586) return cp - 48;
  if (cp >= 0xff41 && cp <= 0xff5a) return cp - 32;
  return cp;
}

uint32_t lower_cp(uint32_t cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
  if (cp >= 0xc0 && cp <= 0xde && cp != 0xd7) return cp + 32;
  if (cp == 0x178) return 0xff;
  bool upper_even = true;
  if (in_pair_range(cp, upper_even)) return ((cp % 2 == 0) == upper_even) ? cp + 1 : cp;
  if (cp >= 0x391 && cp <= 0x3a9 && cp != 0x3a2) return cp + 32;
  if (cp == 0x386) return 0x3ac;
  if (cp >= 0x388 && cp <= 0x38a) return cp + 37;
  if (cp == 0x38c) return 0x3cc;
  if (cp == 0x38e || cp == 0x38f) return cp + 63;
  if (cp == 0x3aa || cp == 0x3ab) return cp + 32;
  if (cp >= 0x410 && cp <= 0x42f) return cp + 32;
  if (cp >= 0x400 && cp <= 0x40f) return cp + 80;
  if (cp == 0x4c0) return 0x4cf;
  if (cp >= 0x531 && cp <= 0x556) return cp + 48;
  if (cp >= 0xff21 && cp <= 0xff3a) return cp + 32;
  return cp;
}

bool is_space(uint32_t cp) {
  return cp == ' ' || (cp >= '\t' && cp <= '\r') || (cp >= 0x1c && cp <= 0x1f) || cp == 0x85 ||
         cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

bool is_cased(uint32_t cp) {
  return upper_cp(cp) != cp || lower_cp(cp) != cp || cp == 0xdf || cp == 0x130 || cp == 0x138 ||
         cp == 0x149 || cp == 0xaa || cp == 0xba;
}

std::vector<uint32_t> decode(std::string_view s) {
  std::vector<uint32_t> out;
  out.reserve(s.size());
  for (const std::string& ch : utf8_chars(s)) {
    const auto b0 = static_cast<unsigned char>(ch[0]);
    uint32_t cp = ch.size() == 1 ? b0 : ch.size() == 2 ? (b0 & 0x1fu) : ch.size() == 3 ? (b0 & 0x0fu) : (b0 & 0x07u);
    for (size_t k = 1; k < ch.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(ch[k]) & 0x3fu);
    if (ch.size() > 1 && (b0 & 0xc0) != 0xc0) cp = b0;  // a stray byte stays as it was
    out.push_back(cp);
  }
  return out;
}

void encode(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

bool is_ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

void append_upper(std::string& out, uint32_t cp) {
  if (cp == 0xdf) out += "SS";
  else if (cp == 0x149) out += "\xca\xbcN";
  else encode(out, upper_cp(cp));
}

// Python lowers Σ to ς at the end of a word: after a cased letter and not before one.
void append_lower(std::string& out, const std::vector<uint32_t>& cps, size_t i) {
  const uint32_t cp = cps[i];
  if (cp == 0x130) {
    out += "i\xcc\x87";
    return;
  }
  if (cp == 0x3a3) {
    const bool after_cased = i > 0 && is_cased(cps[i - 1]);
    const bool before_cased = i + 1 < cps.size() && is_cased(cps[i + 1]);
    if (after_cased && !before_cased) {
      encode(out, 0x3c2);
      return;
    }
  }
  encode(out, lower_cp(cp));
}

}  // namespace

std::string py_upper(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  if (is_ascii(s)) {
    for (char c : s) out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
    return out;
  }
  for (uint32_t cp : decode(s)) append_upper(out, cp);
  return out;
}

std::string py_lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  if (is_ascii(s)) {
    for (char c : s) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    return out;
  }
  const auto cps = decode(s);
  for (size_t i = 0; i < cps.size(); ++i) append_lower(out, cps, i);
  return out;
}

std::string py_capitalize(std::string_view s) {
  const auto cps = decode(s);
  std::string out;
  for (size_t i = 0; i < cps.size(); ++i) {
    if (i == 0) append_upper(out, cps[i]);
    else append_lower(out, cps, i);
  }
  return out;
}

std::string py_title(std::string_view s, bool jinja_words) {
  const auto cps = decode(s);
  std::string out;
  bool word_start = true;
  for (size_t i = 0; i < cps.size(); ++i) {
    const uint32_t cp = cps[i];
    if (jinja_words) {
      // jinja2's title filter starts a word after '-', whitespace or an opening bracket and
      // capitalizes the first character of each word whatever it is.
      const bool sep = cp == '-' || cp == '(' || cp == '{' || cp == '[' || cp == '<' || is_space(cp);
      if (sep) {
        encode(out, cp);
        word_start = true;
        continue;
      }
      if (word_start) append_upper(out, cp);
      else append_lower(out, cps, i);
      word_start = false;
      continue;
    }
    // str.title(): a cased letter after a cased letter is lowered, otherwise raised.
    const bool prev_cased = i > 0 && is_cased(cps[i - 1]);
    if (prev_cased) append_lower(out, cps, i);
    else append_upper(out, cp);
  }
  return out;
}

bool py_is_lower(std::string_view s) {
  bool cased = false;
  for (uint32_t cp : decode(s)) {
    if (upper_cp(cp) != cp || cp == 0xdf) cased = true;
    else if (lower_cp(cp) != cp) return false;
  }
  return cased;
}

bool py_is_upper(std::string_view s) {
  bool cased = false;
  for (uint32_t cp : decode(s)) {
    if (lower_cp(cp) != cp) cased = true;
    else if (upper_cp(cp) != cp || cp == 0xdf) return false;
  }
  return cased;
}

}  // namespace woolly::engine::tmpl::detail
