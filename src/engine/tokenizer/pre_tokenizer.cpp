#include "engine/tokenizer/pre_tokenizer.h"

#include <string>
#include <utility>

#include "engine/tokenizer/detail/pre_text.h"
#include "engine/tokenizer/unicode.h"

namespace woolly::engine {
namespace {

using namespace detail;  // NOLINT: the matchers, only inside this file

struct Span {
  std::size_t begin;
  std::size_t end;
};

struct Rules {
  const Matcher* stages;
  std::size_t count;
};

template <std::size_t N>
Rules rules(const Matcher (&stages)[N]) {
  return {stages, N};
}

Rules rules_of(PreTokenizer pre) {
  static const Matcher kDefault[] = {match_punct_run_default, match_gpt2, match_numbers,
                                     match_three_digits};
  static const Matcher kLlama3[] = {match_llama3};
  static const Matcher kQwen2[] = {match_qwen2};
  static const Matcher kGpt2[] = {match_gpt2};
  static const Matcher kStarcoder[] = {match_one_number, match_gpt2};
  static const Matcher kFalcon[] = {match_punct_run_falcon, match_gpt2, match_three_digits};
  static const Matcher kDeepseekLlm[] = {match_newline,         match_deepseek_letters,
                                         match_deepseek_puncts, match_trailing_space,
                                         match_cjk_run,         match_numbers};
  static const Matcher kDeepseekCoder[] = {match_newline, match_space_letters, match_space_puncts,
                                           match_cjk_run, match_one_number};
  static const Matcher kDeepseekV3[] = {match_one_to_three_numbers, match_han_kana_run,
                                        match_deepseek3};
  static const Matcher kTekken[] = {match_tekken};
  static const Matcher kGpt4o[] = {match_gpt4o};
  switch (pre) {
    case PreTokenizer::kDefault:
      return rules(kDefault);
    case PreTokenizer::kDeepseekV3:
      return rules(kDeepseekV3);
    case PreTokenizer::kChatGlm4:
      return rules(kLlama3);
    case PreTokenizer::kTekken:
      return rules(kTekken);
    case PreTokenizer::kGpt4o:
      return rules(kGpt4o);
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
void apply(Matcher match, const detail::PreText& t, const std::vector<Span>& in,
           std::vector<Span>& out) {
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
    {"deepseek-v3", PreTokenizer::kDeepseekV3},
    {"hunyuan-dense", PreTokenizer::kDeepseekV3},
    {"chatglm-bpe", PreTokenizer::kChatGlm4},
    {"glm4", PreTokenizer::kChatGlm4},
    {"tekken", PreTokenizer::kTekken},
    {"gpt-4o", PreTokenizer::kGpt4o},
    {"llama4", PreTokenizer::kGpt4o},
    {"megrez", PreTokenizer::kQwen2},
    {"exaone4", PreTokenizer::kGpt2},
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

bool pre_tokenizer_ignores_merges(PreTokenizer pre) {
  return pre == PreTokenizer::kLlama3 || pre == PreTokenizer::kTekken;
}

bool pre_tokenizer_adds_bos(PreTokenizer pre) {
  return pre == PreTokenizer::kLlama3 || pre == PreTokenizer::kTekken;
}

void pre_tokenize(PreTokenizer pre, std::string_view text, std::vector<std::string>& words) {
  if (text.empty()) return;
  PreText t;
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