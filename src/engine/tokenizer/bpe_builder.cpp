#include "engine/tokenizer/bpe_builder.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "engine/tokenizer/pre_tokenizer.h"
#include "engine/tokenizer/unicode.h"

namespace woolly::engine {
namespace {

struct Word {
  std::vector<int32_t> symbols;
  int64_t count;
};

uint64_t pair_key(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(a) << 32) | static_cast<uint32_t>(b);
}

}  // namespace

Result<Vocab> build_bpe_vocab(std::string_view training_text, const BpeBuilderOptions& options) {
  const std::size_t n_special = options.special_tokens.size();
  if (options.vocab_size < 256 + n_special) {
    return make_error(Errc::kInvalidArgument, "vocab_size " + std::to_string(options.vocab_size) +
                                                  " cannot hold the 256 byte tokens and " +
                                                  std::to_string(n_special) + " special tokens");
  }
  WOOLLY_ASSIGN_OR_RETURN(const PreTokenizer pre, pre_tokenizer_from_name(options.pre));

  Vocab v;
  v.model = TokenizerModel::kBpe;
  v.pre = options.pre;
  for (int b = 0; b < 256; ++b) {
    std::string s;
    append_utf8(s, byte_to_codepoint(static_cast<uint8_t>(b)));
    v.tokens.push_back(std::move(s));
  }
  std::unordered_map<std::string, int32_t> ids;
  for (int32_t i = 0; i < 256; ++i) ids.emplace(v.tokens[i], i);

  // Unique words in a sorted map, so that the iteration order (and every tie) is fixed.
  std::map<std::string, int64_t> counts;
  {
    std::vector<std::string> words;
    pre_tokenize(pre, training_text, words);
    for (auto& w : words) ++counts[std::move(w)];
  }
  std::vector<Word> words;
  words.reserve(counts.size());
  for (const auto& [text, count] : counts) {
    Word w{{}, count};
    for (unsigned char c : text) w.symbols.push_back(c);
    words.push_back(std::move(w));
  }

  // Plain recount per merge: O(merges x symbols), fine for the small vocabularies this is for.
  const std::size_t max_tokens = options.vocab_size - n_special;
  std::unordered_map<uint64_t, int64_t> pairs;
  while (v.tokens.size() < max_tokens) {
    pairs.clear();
    for (const Word& w : words) {
      for (std::size_t i = 1; i < w.symbols.size(); ++i) {
        pairs[pair_key(w.symbols[i - 1], w.symbols[i])] += w.count;
      }
    }
    uint64_t best = 0;
    int64_t best_count = 1;
    for (const auto& [key, count] : pairs) {
      if (count > best_count || (count == best_count && key < best)) {
        best = key;
        best_count = count;
      }
    }
    if (best_count < 2) break;
    const int32_t left = static_cast<int32_t>(best >> 32);
    const int32_t right = static_cast<int32_t>(best & 0xFFFFFFFFu);
    std::string text = v.tokens[left] + v.tokens[right];
    v.merges.push_back(v.tokens[left] + " " + v.tokens[right]);
    // Two different splits can spell the same text; they share one token.
    auto [it, inserted] = ids.emplace(text, static_cast<int32_t>(v.tokens.size()));
    if (inserted) v.tokens.push_back(std::move(text));
    const int32_t merged = it->second;
    for (Word& w : words) {
      std::size_t out = 0;
      for (std::size_t i = 0; i < w.symbols.size(); ++i) {
        if (i + 1 < w.symbols.size() && w.symbols[i] == left && w.symbols[i + 1] == right) {
          w.symbols[out++] = merged;
          ++i;
        } else {
          w.symbols[out++] = w.symbols[i];
        }
      }
      w.symbols.resize(out);
    }
  }

  v.types.assign(v.tokens.size(), TokenType::kNormal);
  for (const std::string& s : options.special_tokens) {
    v.tokens.push_back(s);
    v.types.push_back(TokenType::kControl);
  }
  auto special_id = [&](const std::string& text) {
    const auto it =
        std::find(v.tokens.end() - static_cast<std::ptrdiff_t>(n_special), v.tokens.end(), text);
    return it == v.tokens.end() ? kNoToken : static_cast<int32_t>(it - v.tokens.begin());
  };
  v.bos = special_id(options.bos_token);
  v.pad = v.bos;
  v.eos = special_id(options.eos_token);
  return v;
}

}  // namespace woolly::engine
