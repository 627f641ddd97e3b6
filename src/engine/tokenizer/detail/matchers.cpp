// Classic pre-tokenizer rules: GPT-2, Llama-3/Qwen2, Falcon, StarCoder, DeepSeek LLM/Coder.
#include <algorithm>
#include <iterator>
#include <utility>

#include "engine/tokenizer/detail/pre_text.h"

namespace woolly::engine::detail {

// 's|'t|'re|'ve|'m|'ll|'d, case-insensitive when `fold` (Llama-3 and Qwen2 write them as
// '[sS] etc.).
std::size_t contraction(const PreText& t, std::size_t pos, std::size_t end, bool fold) {
  if (t.cp[pos] != '\'' || pos + 1 >= end) return 0;
  auto lower = [fold](uint32_t c) { return fold && c >= 'A' && c <= 'Z' ? c + 32 : c; };
  const uint32_t a = lower(t.cp[pos + 1]);
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
  if (pos + 2 >= end) return 0;
  const uint32_t b = lower(t.cp[pos + 2]);
  if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
  return 0;
}

// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)
std::size_t match_gpt2(const PreText& t, std::size_t pos, std::size_t end) {
  if (std::size_t n = contraction(t, pos, end, false)) return n;
  const std::size_t sp = t.cp[pos] == ' ' && pos + 1 < end ? 1 : 0;
  if (letter(t, pos + sp)) return sp + run(t, pos + sp, end, letter);
  if (number(t, pos + sp)) return sp + run(t, pos + sp, end, number);
  if (other(t, pos + sp)) return sp + run(t, pos + sp, end, other);
  const std::size_t n = run(t, pos, end, space);
  if (n == 0) return 0;
  if (pos + n == end) return n;
  return n - 1;  // leave the last space to prefix the next word; 0 = no match
}

// (?:'[sS]|...)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,D}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|
// \s+(?!\S)|\s+   with D = 3 (Llama-3) or 1 (Qwen2).
namespace {

template <std::size_t kMaxDigits>
std::size_t llama3_rules(const PreText& t, std::size_t pos, std::size_t end) {
  if (std::size_t n = contraction(t, pos, end, true)) return n;
  const uint32_t c = t.cp[pos];
  if (letter(t, pos)) return run(t, pos, end, letter);
  if (!newline(c) && !number(t, pos) && pos + 1 < end && letter(t, pos + 1)) {
    return 1 + run(t, pos + 1, end, letter);
  }
  if (number(t, pos)) return std::min(kMaxDigits, run(t, pos, end, number));
  const std::size_t sp = c == ' ' && pos + 1 < end && other(t, pos + 1) ? 1 : 0;
  if (other(t, pos + sp)) {
    std::size_t i = pos + sp + run(t, pos + sp, end, other);
    while (i < end && newline(t.cp[i])) ++i;
    return i - pos;
  }
  return whitespace_tail(t, pos, end);
}

// [\p{P}\$\+<=>\^~\|`]+ (Falcon) and [\p{P}\$\+<=>\^~\|]+ (default)
template <bool kBacktick>
std::size_t punct_run(const PreText& t, std::size_t pos, std::size_t end) {
  return run(t, pos, end, [](const PreText& x, std::size_t i) {
    const uint32_t c = x.cp[i];
    return punct(x, i) || c == '$' || c == '+' || c == '<' || c == '=' || c == '>' || c == '^' ||
           c == '~' || c == '|' || (kBacktick && c == '`');
  });
}

}  // namespace

std::size_t match_llama3(const PreText& t, std::size_t pos, std::size_t end) {
  return llama3_rules<3>(t, pos, end);
}
std::size_t match_qwen2(const PreText& t, std::size_t pos, std::size_t end) {
  return llama3_rules<1>(t, pos, end);
}
std::size_t match_punct_run_falcon(const PreText& t, std::size_t pos, std::size_t end) {
  return punct_run<true>(t, pos, end);
}
std::size_t match_punct_run_default(const PreText& t, std::size_t pos, std::size_t end) {
  return punct_run<false>(t, pos, end);
}

// [0-9][0-9][0-9]
std::size_t match_three_digits(const PreText& t, std::size_t pos, std::size_t end) {
  if (pos + 3 > end) return 0;
  for (std::size_t i = pos; i < pos + 3; ++i) {
    if (t.cp[i] < '0' || t.cp[i] > '9') return 0;
  }
  return 3;
}

std::size_t match_one_number(const PreText& t, std::size_t pos, std::size_t) {
  return number(t, pos) ? 1 : 0;
}
std::size_t match_numbers(const PreText& t, std::size_t pos, std::size_t end) {
  return run(t, pos, end, number);
}
// [\r\n]
std::size_t match_newline(const PreText& t, std::size_t pos, std::size_t) {
  return newline(t.cp[pos]) ? 1 : 0;
}

namespace {

// \s?X+ for a class X, with \s Unicode (kUnicodeSpace) or ASCII (wregex).
template <bool kUnicodeSpace, typename Pred>
std::size_t optional_space_then_run(const PreText& t, std::size_t pos, std::size_t end, Pred pred) {
  const bool sp = kUnicodeSpace ? space(t, pos) : ascii_space(t.cp[pos]);
  if (sp && pos + 1 < end && pred(t, pos + 1)) return 1 + run(t, pos + 1, end, pred);
  return run(t, pos, end, pred);
}

}  // namespace

std::size_t match_space_letters(const PreText& t, std::size_t pos, std::size_t end) {
  return optional_space_then_run<true>(t, pos, end, letter);
}
std::size_t match_space_puncts(const PreText& t, std::size_t pos, std::size_t end) {
  return optional_space_then_run<true>(t, pos, end, punct);
}

// [一-龥ࠀ-一가-퟿]+ = U+0800..U+9FA5 and U+AC00..U+D7FF
std::size_t match_cjk_run(const PreText& t, std::size_t pos, std::size_t end) {
  return run(t, pos, end, [](const PreText& x, std::size_t i) {
    const uint32_t c = x.cp[i];
    return (c >= 0x800 && c <= 0x9FA5) || (c >= 0xAC00 && c <= 0xD7FF);
  });
}

namespace {

// The cased-letter class of DeepSeek-LLM's second regex, as written in its tokenizer.json.
constexpr std::pair<uint32_t, uint32_t> kDeepseekLetters[] = {
    {0x41, 0x5A},       {0x61, 0x7A},       {0xB5, 0xB5},       {0xC0, 0xD6},
    {0xD8, 0xF6},       {0xF8, 0x1BA},      {0x1BC, 0x1BF},     {0x1C4, 0x293},
    {0x295, 0x2AF},     {0x370, 0x373},     {0x376, 0x377},     {0x37B, 0x37D},
    {0x37F, 0x37F},     {0x386, 0x386},     {0x388, 0x38A},     {0x38C, 0x38C},
    {0x38E, 0x3A1},     {0x3A3, 0x3F5},     {0x3F7, 0x481},     {0x48A, 0x52F},
    {0x531, 0x556},     {0x10A0, 0x10C5},   {0x13A0, 0x13F5},   {0x13F8, 0x13FD},
    {0x1C90, 0x1CBA},   {0x1CBD, 0x1CBF},   {0x1D00, 0x1D2B},   {0x1D6B, 0x1D77},
    {0x1D79, 0x1D9A},   {0x1E00, 0x1F15},   {0x1F18, 0x1F1D},   {0x1F20, 0x1F45},
    {0x1F48, 0x1F4D},   {0x1F50, 0x1F57},   {0x1F59, 0x1F59},   {0x1F5B, 0x1F5B},
    {0x1F5D, 0x1F5D},   {0x1F5F, 0x1F7D},   {0x1F80, 0x1FB4},   {0x1FB6, 0x1FBC},
    {0x1FBE, 0x1FBE},   {0x1FC2, 0x1FC4},   {0x1FC6, 0x1FCC},   {0x1FD0, 0x1FD3},
    {0x1FD6, 0x1FDB},   {0x1FE0, 0x1FEC},   {0x1FF2, 0x1FF4},   {0x1FF6, 0x1FFC},
    {0x2102, 0x2102},   {0x2107, 0x2107},   {0x210A, 0x2113},   {0x2115, 0x2115},
    {0x2119, 0x211D},   {0x2124, 0x2124},   {0x2126, 0x2126},   {0x2128, 0x2128},
    {0x212A, 0x212D},   {0x212F, 0x2134},   {0x2139, 0x2139},   {0x213C, 0x213F},
    {0x2145, 0x2149},   {0x214E, 0x214E},   {0x2183, 0x2184},   {0x2C00, 0x2C7B},
    {0x2C7E, 0x2CE4},   {0x2CEB, 0x2CEE},   {0x2CF2, 0x2CF3},   {0xA640, 0xA66D},
    {0xA680, 0xA69B},   {0xA722, 0xA76F},   {0xA771, 0xA787},   {0xA78B, 0xA78E},
    {0xAB70, 0xABBF},   {0xFB00, 0xFB06},   {0xFB13, 0xFB17},   {0xFF21, 0xFF3A},
    {0xFF41, 0xFF5A},   {0x10400, 0x1044F}, {0x104B0, 0x104D3}, {0x104D8, 0x104FB},
    {0x10C80, 0x10CB2}, {0x10CC0, 0x10CF2}, {0x118A0, 0x118DF}, {0x1E900, 0x1E943},
};

bool deepseek_letter(const PreText& t, std::size_t i) {
  const uint32_t c = t.cp[i];
  const auto* it = std::upper_bound(std::begin(kDeepseekLetters), std::end(kDeepseekLetters), c,
                                    [](uint32_t v, const auto& r) { return v < r.first; });
  return it != std::begin(kDeepseekLetters) && c <= (it - 1)->second;
}

// [!-/:-~！-／：-～‘-‟　-。]
bool deepseek_punct(const PreText& t, std::size_t i) {
  const uint32_t c = t.cp[i];
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x7E) || (c >= 0xFF01 && c <= 0xFF0F) ||
         (c >= 0xFF1A && c <= 0xFF5E) || (c >= 0x2018 && c <= 0x201F) ||
         (c >= 0x3000 && c <= 0x3002);
}

}  // namespace

std::size_t match_deepseek_letters(const PreText& t, std::size_t pos, std::size_t end) {
  return optional_space_then_run<false>(t, pos, end, deepseek_letter);
}
std::size_t match_deepseek_puncts(const PreText& t, std::size_t pos, std::size_t end) {
  return optional_space_then_run<false>(t, pos, end, deepseek_punct);
}
std::size_t match_trailing_space(const PreText&, std::size_t, std::size_t) { return 0; }

std::size_t whitespace_tail(const PreText& t, std::size_t pos, std::size_t end) {
  const std::size_t n = run(t, pos, end, space);
  for (std::size_t k = n; k > 0; --k) {
    if (newline(t.cp[pos + k - 1])) return k;  // \s*[\r\n]+ ends at the run's last newline
  }
  if (n > 1 && pos + n < end) return n - 1;  // \s+(?!\S) leaves one space for the next word
  return n;                                  // \s+
}

}  // namespace woolly::engine::detail
