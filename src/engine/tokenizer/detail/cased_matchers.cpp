// Rules of newer vocabularies that split words at case changes (Tekken, GPT-4o style) and
// DeepSeek-V3's. llama.cpp's adapted regexes approximate \p{Lu}/\p{Ll} with "a letter that is
// not ASCII lower/upper case", so a non-ASCII letter counts as both; so does this.
#include <algorithm>

#include "engine/tokenizer/detail/pre_text.h"

namespace woolly::engine::detail {
namespace {

bool ascii_lower(uint32_t c) { return c >= 'a' && c <= 'z'; }
bool ascii_upper(uint32_t c) { return c >= 'A' && c <= 'Z'; }
// (?=[\p{L}])([^a-z])
bool upper_like(const PreText& t, std::size_t i) { return letter(t, i) && !ascii_lower(t.cp[i]); }
// (?=[\p{L}])([^A-Z])
bool lower_like(const PreText& t, std::size_t i) { return letter(t, i) && !ascii_upper(t.cp[i]); }

// [^\r\n\p{L}\p{N}]?U*W+(C)? | [^\r\n\p{L}\p{N}]?U+W*(C)?  with U = upper_like, W = lower_like
// and C the case-insensitive contractions when kContractions.
template <bool kContractions>
std::size_t cased_word(const PreText& t, std::size_t pos, std::size_t end) {
  std::size_t start = pos;
  if (!letter(t, pos)) {
    if (newline(t.cp[pos]) || number(t, pos) || pos + 1 >= end || !letter(t, pos + 1)) return 0;
    start = pos + 1;
  }
  const std::size_t u = run(t, start, end, upper_like);
  const std::size_t w = run(t, start + u, end, lower_like);
  std::size_t stop = start + u + w;
  if (w == 0) {
    // U* gives letters back until W+ can take one: the run ends after its last letter that is
    // both. If none is, the second alternative (U+ with an empty W*) takes the whole run.
    for (std::size_t k = start + u; k > start; --k) {
      if (lower_like(t, k - 1)) {
        stop = k;
        break;
      }
    }
  }
  if (kContractions && stop < end) stop += contraction(t, stop, end, true);
  return stop - pos;
}

//  ?[^\s\p{L}\p{N}]+[\r\n/]*
std::size_t punct_tail(const PreText& t, std::size_t pos, std::size_t end) {
  const std::size_t sp = t.cp[pos] == ' ' && pos + 1 < end && other(t, pos + 1) ? 1 : 0;
  if (!other(t, pos + sp)) return 0;
  std::size_t i = pos + sp + run(t, pos + sp, end, other);
  while (i < end && (newline(t.cp[i]) || t.cp[i] == '/')) ++i;
  return i - pos;
}

bool ascii_alpha(const PreText& t, std::size_t i) {
  return ascii_lower(t.cp[i]) || ascii_upper(t.cp[i]);
}
// [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]
bool ascii_punct(uint32_t c) {
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
         (c >= 0x7B && c <= 0x7E);
}
bool letter_or_mark(const PreText& t, std::size_t i) {
  return t.fl[i] & (cpflag::kLetter | cpflag::kMark);
}
bool punct_or_symbol(const PreText& t, std::size_t i) {
  return t.fl[i] & (cpflag::kPunctuation | cpflag::kSymbol);
}

}  // namespace

// [^\r\n\p{L}\p{N}]?U*W+|[^\r\n\p{L}\p{N}]?U+W*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|
// \s+(?!\S)|\s+
std::size_t match_tekken(const PreText& t, std::size_t pos, std::size_t end) {
  if (const std::size_t n = cased_word<false>(t, pos, end)) return n;
  if (number(t, pos)) return 1;
  if (const std::size_t n = punct_tail(t, pos, end)) return n;
  return whitespace_tail(t, pos, end);
}

// As Tekken, with contractions after words and numbers in groups of up to three.
std::size_t match_gpt4o(const PreText& t, std::size_t pos, std::size_t end) {
  if (const std::size_t n = cased_word<true>(t, pos, end)) return n;
  if (number(t, pos)) return std::min<std::size_t>(3, run(t, pos, end, number));
  if (const std::size_t n = punct_tail(t, pos, end)) return n;
  return whitespace_tail(t, pos, end);
}

// \p{N}{1,3}
std::size_t match_one_to_three_numbers(const PreText& t, std::size_t pos, std::size_t end) {
  return std::min<std::size_t>(3, run(t, pos, end, number));
}

// [一-龥぀-ゟ゠-ヿ]+ = U+4E00..U+9FA5, U+3040..U+309F, U+30A0..U+30FF
std::size_t match_han_kana_run(const PreText& t, std::size_t pos, std::size_t end) {
  return run(t, pos, end, [](const PreText& x, std::size_t i) {
    const uint32_t c = x.cp[i];
    return (c >= 0x4E00 && c <= 0x9FA5) || (c >= 0x3040 && c <= 0x30FF);
  });
}

// [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+|
//  ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
std::size_t match_deepseek3(const PreText& t, std::size_t pos, std::size_t end) {
  const uint32_t c = t.cp[pos];
  if (ascii_punct(c) && pos + 1 < end && ascii_alpha(t, pos + 1)) {
    return 1 + run(t, pos + 1, end, ascii_alpha);
  }
  if (letter_or_mark(t, pos)) return run(t, pos, end, letter_or_mark);
  const bool prefix =
      !newline(c) && !(t.fl[pos] & (cpflag::kLetter | cpflag::kPunctuation | cpflag::kSymbol));
  if (prefix && pos + 1 < end && letter_or_mark(t, pos + 1)) {
    return 1 + run(t, pos + 1, end, letter_or_mark);
  }
  const std::size_t sp = c == ' ' && pos + 1 < end && punct_or_symbol(t, pos + 1) ? 1 : 0;
  if (punct_or_symbol(t, pos + sp)) {
    std::size_t i = pos + sp + run(t, pos + sp, end, punct_or_symbol);
    while (i < end && newline(t.cp[i])) ++i;
    return i - pos;
  }
  return whitespace_tail(t, pos, end);
}

}  // namespace woolly::engine::detail
