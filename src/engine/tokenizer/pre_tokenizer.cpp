#include "engine/tokenizer/pre_tokenizer.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>

#include "engine/tokenizer/unicode.h"

namespace woolly::engine {
namespace {

// The text as code points plus their class flags; matchers read both by index.
struct Text {
  std::vector<uint32_t> cp;
  std::vector<uint8_t> fl;
};

struct Span {
  std::size_t begin;
  std::size_t end;
};

// A matcher answers "how long is the match that starts at `pos`" (0 = none) for one regex,
// with `end` as the end of the input: lookaheads and `$` see the end of the current piece, as
// when llama.cpp runs each regex on each piece the previous one produced.
using Matcher = std::size_t (*)(const Text& t, std::size_t pos, std::size_t end);

bool letter(const Text& t, std::size_t i) { return t.fl[i] & cpflag::kLetter; }
bool number(const Text& t, std::size_t i) { return t.fl[i] & cpflag::kNumber; }
bool space(const Text& t, std::size_t i) { return t.fl[i] & cpflag::kWhitespace; }
bool punct(const Text& t, std::size_t i) { return t.fl[i] & cpflag::kPunctuation; }
// [^\s\p{L}\p{N}]
bool other(const Text& t, std::size_t i) {
  return !(t.fl[i] & (cpflag::kWhitespace | cpflag::kLetter | cpflag::kNumber));
}
bool newline(uint32_t c) { return c == '\r' || c == '\n'; }
// \s inside a regex that std::wregex runs in the "C" locale (llama.cpp does so for regexes
// with non-ASCII literals): ASCII whitespace only.
bool ascii_space(uint32_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

template <typename Pred>
std::size_t run(const Text& t, std::size_t pos, std::size_t end, Pred pred) {
  std::size_t i = pos;
  while (i < end && pred(t, i)) ++i;
  return i - pos;
}

// 's|'t|'re|'ve|'m|'ll|'d, case-insensitive when `fold` (Llama-3 and Qwen2 write them as
// '[sS] etc.).
std::size_t contraction(const Text& t, std::size_t pos, std::size_t end, bool fold) {
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
std::size_t match_gpt2(const Text& t, std::size_t pos, std::size_t end) {
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
template <std::size_t kMaxDigits>
std::size_t match_llama3(const Text& t, std::size_t pos, std::size_t end) {
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
  const std::size_t n = run(t, pos, end, space);
  for (std::size_t k = n; k > 0; --k) {
    if (newline(t.cp[pos + k - 1])) return k;  // \s*[\r\n]+ ends at the run's last newline
  }
  if (n > 1 && pos + n < end) return n - 1;
  return n;
}

// [\p{P}\$\+<=>\^~\|`]+ (Falcon) and [\p{P}\$\+<=>\^~\|]+ (default)
template <bool kBacktick>
std::size_t match_punct_run(const Text& t, std::size_t pos, std::size_t end) {
  return run(t, pos, end, [](const Text& x, std::size_t i) {
    const uint32_t c = x.cp[i];
    return punct(x, i) || c == '$' || c == '+' || c == '<' || c == '=' || c == '>' || c == '^' ||
           c == '~' || c == '|' || (kBacktick && c == '`');
  });
}

// [0-9][0-9][0-9]
std::size_t match_three_digits(const Text& t, std::size_t pos, std::size_t end) {
  if (pos + 3 > end) return 0;
  for (std::size_t i = pos; i < pos + 3; ++i) {
    if (t.cp[i] < '0' || t.cp[i] > '9') return 0;
  }
  return 3;
}

std::size_t match_one_number(const Text& t, std::size_t pos, std::size_t) {
  return number(t, pos) ? 1 : 0;
}
std::size_t match_numbers(const Text& t, std::size_t pos, std::size_t end) {
  return run(t, pos, end, number);
}
// [\r\n]
std::size_t match_newline(const Text& t, std::size_t pos, std::size_t) {
  return newline(t.cp[pos]) ? 1 : 0;
}

// \s?X+ for a class X, with \s Unicode (kUnicodeSpace) or ASCII (wregex).
template <bool kUnicodeSpace, typename Pred>
std::size_t optional_space_then_run(const Text& t, std::size_t pos, std::size_t end, Pred pred) {
  const bool sp = kUnicodeSpace ? space(t, pos) : ascii_space(t.cp[pos]);
  if (sp && pos + 1 < end && pred(t, pos + 1)) return 1 + run(t, pos + 1, end, pred);
  return run(t, pos, end, pred);
}

std::size_t match_space_letters(const Text& t, std::size_t pos, std::size_t end) {
  return optional_space_then_run<true>(t, pos, end, letter);
}
std::size_t match_space_puncts(const Text& t, std::size_t pos, std::size_t end) {
  return optional_space_then_run<true>(t, pos, end, punct);
}

// [一-龥ࠀ-一가-퟿]+ = U+0800..U+9FA5 and U+AC00..U+D7FF
std::size_t match_cjk_run(const Text& t, std::size_t pos, std::size_t end) {
  return run(t, pos, end, [](const Text& x, std::size_t i) {
    const uint32_t c = x.cp[i];
    return (c >= 0x800 && c <= 0x9FA5) || (c >= 0xAC00 && c <= 0xD7FF);
  });
}

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

bool deepseek_letter(const Text& t, std::size_t i) {
  const uint32_t c = t.cp[i];
  const auto* it = std::upper_bound(std::begin(kDeepseekLetters), std::end(kDeepseekLetters), c,
                                    [](uint32_t v, const auto& r) { return v < r.first; });
  return it != std::begin(kDeepseekLetters) && c <= (it - 1)->second;
}

// [!-/:-~！-／：-～‘-‟　-。]
bool deepseek_punct(const Text& t, std::size_t i) {
  const uint32_t c = t.cp[i];
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x7E) || (c >= 0xFF01 && c <= 0xFF0F) ||
         (c >= 0xFF1A && c <= 0xFF5E) || (c >= 0x2018 && c <= 0x201F) ||
         (c >= 0x3000 && c <= 0x3002);
}

std::size_t match_deepseek_letters(const Text& t, std::size_t pos, std::size_t end) {
  return optional_space_then_run<false>(t, pos, end, deepseek_letter);
}
std::size_t match_deepseek_puncts(const Text& t, std::size_t pos, std::size_t end) {
  return optional_space_then_run<false>(t, pos, end, deepseek_punct);
}
// \s+$ is anchored at the end of the piece; `apply` finds its one possible match directly
// (trying it at every position would be quadratic in long runs of spaces).
std::size_t match_trailing_space(const Text&, std::size_t, std::size_t) { return 0; }

struct Rules {
  const Matcher* stages;
  std::size_t count;
};

template <std::size_t N>
Rules rules(const Matcher (&stages)[N]) {
  return {stages, N};
}

Rules rules_of(PreTokenizer pre) {
  static const Matcher kDefault[] = {match_punct_run<false>, match_gpt2, match_numbers,
                                     match_three_digits};
  static const Matcher kLlama3[] = {match_llama3<3>};
  static const Matcher kQwen2[] = {match_llama3<1>};
  static const Matcher kGpt2[] = {match_gpt2};
  static const Matcher kStarcoder[] = {match_one_number, match_gpt2};
  static const Matcher kFalcon[] = {match_punct_run<true>, match_gpt2, match_three_digits};
  static const Matcher kDeepseekLlm[] = {match_newline,         match_deepseek_letters,
                                         match_deepseek_puncts, match_trailing_space,
                                         match_cjk_run,         match_numbers};
  static const Matcher kDeepseekCoder[] = {match_newline, match_space_letters, match_space_puncts,
                                           match_cjk_run, match_one_number};
  switch (pre) {
    case PreTokenizer::kDefault:
      return rules(kDefault);
    case PreTokenizer::kLlama3:
      return rules(kLlama3);
    case PreTokenizer::kQwen2:
      return rules(kQwen2);
    case PreTokenizer::kGpt2:
      return rules(kGpt2);
    case PreTokenizer::kStarcoder:
      return rules(kStarcoder);
    case PreTokenizer::kFalcon:
      return rules(kFalcon);
    case PreTokenizer::kDeepseekLlm:
      return rules(kDeepseekLlm);
    case PreTokenizer::kDeepseekCoder:
      return rules(kDeepseekCoder);
  }
  return rules(kDefault);
}

// One regex over every piece: matches and the gaps between them both become pieces.
void apply(Matcher match, const Text& t, const std::vector<Span>& in, std::vector<Span>& out) {
  out.clear();
  for (const Span s : in) {
    if (match == match_trailing_space) {
      std::size_t start = s.end;
      while (start > s.begin && space(t, start - 1)) --start;
      if (start > s.begin) out.push_back({s.begin, start});
      if (start < s.end) out.push_back({start, s.end});
      continue;
    }
    std::size_t gap = s.begin;
    std::size_t pos = s.begin;
    while (pos < s.end) {
      const std::size_t n = match(t, pos, s.end);
      if (n == 0) {
        ++pos;
        continue;
      }
      if (gap < pos) out.push_back({gap, pos});
      out.push_back({pos, pos + n});
      pos += n;
      gap = pos;
    }
    if (gap < s.end) out.push_back({gap, s.end});
  }
}

struct NameRule {
  std::string_view name;
  PreTokenizer pre;
};

constexpr NameRule kNames[] = {
    {"default", PreTokenizer::kDefault},
    {"llama3", PreTokenizer::kLlama3},
    {"llama-v3", PreTokenizer::kLlama3},
    {"llama-bpe", PreTokenizer::kLlama3},
    {"falcon3", PreTokenizer::kLlama3},
    {"falcon-h1", PreTokenizer::kLlama3},
    {"pixtral", PreTokenizer::kLlama3},
    {"midm-2.0", PreTokenizer::kLlama3},
    {"lfm2", PreTokenizer::kLlama3},
    {"dbrx", PreTokenizer::kLlama3},
    {"smaug-bpe", PreTokenizer::kLlama3},
    {"qwen2", PreTokenizer::kQwen2},
    {"deepseek-r1-qwen", PreTokenizer::kQwen2},
    {"stablelm2", PreTokenizer::kQwen2},
    {"hunyuan", PreTokenizer::kQwen2},
    {"gpt-2", PreTokenizer::kGpt2},
    {"phi-2", PreTokenizer::kGpt2},
    {"mpt", PreTokenizer::kGpt2},
    {"olmo", PreTokenizer::kGpt2},
    {"jais", PreTokenizer::kGpt2},
    {"trillion", PreTokenizer::kGpt2},
    {"roberta-bpe", PreTokenizer::kGpt2},
    {"gigachat", PreTokenizer::kGpt2},
    {"jina-es", PreTokenizer::kGpt2},
    {"jina-de", PreTokenizer::kGpt2},
    {"jina-v1-en", PreTokenizer::kGpt2},
    {"jina-v2-es", PreTokenizer::kGpt2},
    {"jina-v2-de", PreTokenizer::kGpt2},
    {"jina-v2-code", PreTokenizer::kGpt2},
    {"starcoder", PreTokenizer::kStarcoder},
    {"refact", PreTokenizer::kStarcoder},
    {"command-r", PreTokenizer::kStarcoder},
    {"smollm", PreTokenizer::kStarcoder},
    {"codeshell", PreTokenizer::kStarcoder},
    {"exaone", PreTokenizer::kStarcoder},
    {"minerva-7b", PreTokenizer::kStarcoder},
    {"falcon", PreTokenizer::kFalcon},
    {"deepseek-llm", PreTokenizer::kDeepseekLlm},
    {"deepseek-coder", PreTokenizer::kDeepseekCoder},
};

}  // namespace

Result<PreTokenizer> pre_tokenizer_from_name(std::string_view name) {
  if (name.empty()) return PreTokenizer::kDefault;
  for (const auto& n : kNames) {
    if (n.name == name) return n.pre;
  }
  return make_error(Errc::kUnsupported,
                    "unknown pre-tokenizer '" + std::string(name) +
                        "' (tokenizer.ggml.pre); this vocabulary's word-splitting rules are not "
                        "implemented");
}

bool pre_tokenizer_ignores_merges(PreTokenizer pre) { return pre == PreTokenizer::kLlama3; }

void pre_tokenize(PreTokenizer pre, std::string_view text, std::vector<std::string>& words) {
  if (text.empty()) return;
  Text t;
  decode_utf8(text, t.cp);
  t.fl.resize(t.cp.size());
  for (std::size_t i = 0; i < t.cp.size(); ++i) t.fl[i] = codepoint_flags(t.cp[i]);

  std::vector<Span> spans{{0, t.cp.size()}};
  std::vector<Span> next;
  const Rules r = rules_of(pre);
  for (std::size_t i = 0; i < r.count; ++i) {
    apply(r.stages[i], t, spans, next);
    spans.swap(next);
  }
  for (const Span s : spans) {
    std::string w;
    w.reserve(s.end - s.begin);
    for (std::size_t i = s.begin; i < s.end; ++i) append_utf8(w, t.cp[i]);
    words.push_back(std::move(w));
  }
}

}  // namespace woolly::engine
