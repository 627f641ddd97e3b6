// Shared pieces of the pre-tokenizers: the text as code points with class flags, small class
// predicates, and the matchers, one per regex of llama.cpp's lists. A matcher answers "how long
// is the match that starts at `pos`" (0 = none) with `end` as the end of the input: lookaheads
// and `$` see the end of the current piece, as when llama.cpp runs each regex on each piece the
// previous one produced.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/tokenizer/unicode.h"

namespace woolly::engine::detail {

struct PreText {
  std::vector<uint32_t> cp;
  std::vector<uint8_t> fl;
};

using Matcher = std::size_t (*)(const PreText& t, std::size_t pos, std::size_t end);

inline bool letter(const PreText& t, std::size_t i) { return t.fl[i] & cpflag::kLetter; }
inline bool number(const PreText& t, std::size_t i) { return t.fl[i] & cpflag::kNumber; }
inline bool space(const PreText& t, std::size_t i) { return t.fl[i] & cpflag::kWhitespace; }
inline bool punct(const PreText& t, std::size_t i) { return t.fl[i] & cpflag::kPunctuation; }
// [^\s\p{L}\p{N}]
inline bool other(const PreText& t, std::size_t i) {
  return !(t.fl[i] & (cpflag::kWhitespace | cpflag::kLetter | cpflag::kNumber));
}
inline bool newline(uint32_t c) { return c == '\r' || c == '\n'; }
// \s inside a regex that std::wregex runs in the "C" locale (llama.cpp does so for regexes
// with non-ASCII literals): ASCII whitespace only.
inline bool ascii_space(uint32_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

template <typename Pred>
std::size_t run(const PreText& t, std::size_t pos, std::size_t end, Pred pred) {
  std::size_t i = pos;
  while (i < end && pred(t, i)) ++i;
  return i - pos;
}

// 's|'t|'re|'ve|'m|'ll|'d, case-insensitive when `fold`.
std::size_t contraction(const PreText& t, std::size_t pos, std::size_t end, bool fold);
// \s*[\r\n]+|\s+(?!\S)|\s+ : the whitespace tail shared by the Llama-3 family of regexes.
std::size_t whitespace_tail(const PreText& t, std::size_t pos, std::size_t end);

// Classic rules (matchers.cpp).
std::size_t match_gpt2(const PreText& t, std::size_t pos, std::size_t end);
std::size_t match_llama3(const PreText& t, std::size_t pos, std::size_t end);
std::size_t match_qwen2(const PreText& t, std::size_t pos, std::size_t end);
std::size_t match_punct_run_falcon(const PreText& t, std::size_t pos, std::size_t end);
std::size_t match_punct_run_default(const PreText& t, std::size_t pos, std::size_t end);
std::size_t match_three_digits(const PreText& t, std::size_t pos, std::size_t end);
std::size_t match_one_number(const PreText& t, std::size_t pos, std::size_t end);
std::size_t match_numbers(const PreText& t, std::size_t pos, std::size_t end);
std::size_t match_newline(const PreText& t, std::size_t pos, std::size_t end);
std::size_t match_space_letters(const PreText& t, std::size_t pos, std::size_t end);
std::size_t match_space_puncts(const PreText& t, std::size_t pos, std::size_t end);
std::size_t match_cjk_run(const PreText& t, std::size_t pos, std::size_t end);
std::size_t match_deepseek_letters(const PreText& t, std::size_t pos, std::size_t end);
std::size_t match_deepseek_puncts(const PreText& t, std::size_t pos, std::size_t end);
// \s+$ is anchored at the end of the piece: this matcher only marks the stage; the splitter
// finds its one possible match directly (trying every position would be quadratic).
std::size_t match_trailing_space(const PreText& t, std::size_t pos, std::size_t end);

// Case-aware rules of newer vocabularies (cased_matchers.cpp).
std::size_t match_tekken(const PreText& t, std::size_t pos, std::size_t end);
std::size_t match_gpt4o(const PreText& t, std::size_t pos, std::size_t end);
std::size_t match_one_to_three_numbers(const PreText& t, std::size_t pos, std::size_t end);
std::size_t match_han_kana_run(const PreText& t, std::size_t pos, std::size_t end);
std::size_t match_deepseek3(const PreText& t, std::size_t pos, std::size_t end);

}  // namespace woolly::engine::detail
