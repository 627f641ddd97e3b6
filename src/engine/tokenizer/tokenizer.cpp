#include "engine/tokenizer/tokenizer.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>

#include "engine/tokenizer/unicode.h"

namespace woolly::engine {
namespace {

// Texts llama.cpp treats as end of generation in addition to the eos/eot/eom ids the vocabulary
// names; the first present one also serves as eot when the vocabulary names none.
constexpr std::string_view kEogTexts[] = {
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "<|eom_id|>",
    "<EOT>",
    "_<EOT>",
    "<|end_of_text|>",
    "<end_of_utterance>",
    // DeepSeek's <｜end▁of▁sentence｜> (octal escapes for U+FF5C and U+2581)
    "<\357\275\234end\342\226\201of\342\226\201sentence\357\275\234>",
    "<|return|>",
    "<|call|>",
};

constexpr std::string_view kSpmSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's space

constexpr uint8_t kStripLeft = 1;
constexpr uint8_t kStripRight = 2;

bool ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

bool is_special_type(TokenType t) {
  return t == TokenType::kControl || t == TokenType::kUnknown || t == TokenType::kUserDefined;
}

}  // namespace

Result<Tokenizer> Tokenizer::from_vocab(Vocab vocab) {
  Tokenizer t(std::move(vocab));
  WOOLLY_TRY(t.build());
  return t;
}

Status Tokenizer::build() {
  const std::size_t n = vocab_.tokens.size();
  if (n == 0) return make_error(Errc::kCorruptData, "tokenizer vocabulary has no tokens");
  if (n > static_cast<std::size_t>(INT32_MAX)) {
    return make_error(Errc::kCorruptData, "tokenizer vocabulary is too large");
  }
  if (!vocab_.scores.empty() && vocab_.scores.size() != n) {
    return make_error(Errc::kCorruptData, "tokenizer.ggml.scores has " +
                                              std::to_string(vocab_.scores.size()) +
                                              " entries for " + std::to_string(n) + " tokens");
  }
  if (!vocab_.types.empty() && vocab_.types.size() != n) {
    return make_error(Errc::kCorruptData, "tokenizer.ggml.token_type has " +
                                              std::to_string(vocab_.types.size()) +
                                              " entries for " + std::to_string(n) + " tokens");
  }
  // Like llama.cpp, a special id outside the vocabulary is dropped rather than fatal: several
  // published files carry a stale padding or unknown id.
  for (int32_t* id :
       {&vocab_.bos, &vocab_.eos, &vocab_.eot, &vocab_.eom, &vocab_.unk, &vocab_.pad}) {
    if (*id < 0 || static_cast<std::size_t>(*id) >= n) *id = kNoToken;
  }
  if (vocab_.model == TokenizerModel::kBpe) {
    WOOLLY_ASSIGN_OR_RETURN(pre_, pre_tokenizer_from_name(vocab_.pre));
    ignore_merges_ = pre_tokenizer_ignores_merges(pre_);
  }

  token_to_id_.build(vocab_.tokens);

  merges_.reserve(vocab_.merges.size());
  std::string joined;
  for (std::size_t r = 0; r < vocab_.merges.size(); ++r) {
    const std::string& m = vocab_.merges[r];
    const std::size_t sp = m.find(' ', 1);
    if (sp == std::string::npos) {
      return make_error(Errc::kCorruptData, "tokenizer.ggml.merges[" + std::to_string(r) +
                                                "] is not a 'left right' pair");
    }
    const int32_t left = find_token(std::string_view(m).substr(0, sp));
    const int32_t right = find_token(std::string_view(m).substr(sp + 1));
    joined.assign(m, 0, sp);
    joined.append(m, sp + 1);
    const int32_t merged = find_token(joined);
    // A merge whose parts or result are not tokens can never produce a token id; skipping it
    // keeps the merge loop on ids instead of strings.
    if (left == kNoToken || right == kNoToken || merged == kNoToken) continue;
    merges_.insert(left, right, {static_cast<int32_t>(r), merged});
  }

  for (int b = 0; b < 256; ++b) {
    if (vocab_.model == TokenizerModel::kBpe) {
      std::string s;
      append_utf8(s, byte_to_codepoint(static_cast<uint8_t>(b)));
      byte_token_[b] = find_token(s);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "<0x%02X>", b);
      int32_t id = find_token(hex);
      if (id == kNoToken) id = find_token(std::string(1, static_cast<char>(b)));
      byte_token_[b] = id == kNoToken ? vocab_.unk : id;
    }
  }

  for (std::size_t i = 0; i < n; ++i) {
    if (is_special_type(token_type(static_cast<int32_t>(i))) && !vocab_.tokens[i].empty()) {
      specials_.push_back(static_cast<int32_t>(i));
    }
  }
  std::stable_sort(specials_.begin(), specials_.end(), [this](int32_t a, int32_t b) {
    return vocab_.tokens[a].size() > vocab_.tokens[b].size();
  });

  set_strip_rules();

  for (std::string_view text : kEogTexts) {
    const int32_t id = find_token(text);
    if (id == kNoToken) continue;
    if (vocab_.eot == kNoToken) vocab_.eot = id;
    eog_.push_back(id);
  }
  for (int32_t id : {vocab_.eos, vocab_.eot, vocab_.eom}) {
    if (id != kNoToken) eog_.push_back(id);
  }
  std::sort(eog_.begin(), eog_.end());
  eog_.erase(std::unique(eog_.begin(), eog_.end()), eog_.end());

  pieces_.resize(n);
  for (std::size_t i = 0; i < n; ++i) pieces_[i] = piece_of(static_cast<int32_t>(i));
  return {};
}

// GGUF does not carry the lstrip/rstrip flags of added tokens; llama.cpp restores the ones that
// matter from the model name and pre-tokenizer, and so does this.
void Tokenizer::set_strip_rules() {
  auto set = [this](std::string_view text, uint8_t bit, bool on) {
    const int32_t id = find_token(text);
    if (id == kNoToken) return;
    if (strip_.empty()) strip_.assign(vocab_.tokens.size(), 0);
    strip_[id] = on ? (strip_[id] | bit) : (strip_[id] & ~bit);
  };
  const std::string& name = vocab_.model_name;
  if (vocab_.pre == "jina-v2-de" || vocab_.pre == "jina-v2-es" || vocab_.pre == "jina-v2-code") {
    set("<mask>", kStripLeft, true);
  } else if (name.find("phi-3") != std::string::npos || name.find("phi3") != std::string::npos) {
    for (const int32_t id : specials_) set(vocab_.tokens[id], kStripRight, true);
    set("</s>", kStripRight, true);
    for (std::string_view text : {"<unk>", "<s>", "<|endoftext|>"}) set(text, kStripRight, false);
  }
}

int32_t Tokenizer::find_token(std::string_view text) const {
  return token_to_id_.find(text, vocab_.tokens);
}

TokenType Tokenizer::token_type(int32_t id) const {
  if (id < 0 || id >= n_vocab()) return TokenType::kUndefined;
  return vocab_.types.empty() ? TokenType::kNormal : vocab_.types[id];
}

bool Tokenizer::is_eog(int32_t id) const {
  return std::binary_search(eog_.begin(), eog_.end(), id);
}

// Cuts `text` at every occurrence of a special token's text, trying tokens longest first (as
// llama.cpp does), so "<|im_end|>" wins over a shorter token that is its prefix.
void Tokenizer::split_special(std::string_view text, bool parse_special,
                              std::vector<Fragment>& out) const {
  out.clear();
  if (text.empty()) return;
  out.push_back({kNoToken, 0, text.size()});
  std::array<bool, 256> present{};
  for (unsigned char c : text) present[c] = true;

  std::vector<Fragment> next;
  for (const int32_t id : specials_) {
    const TokenType type = token_type(id);
    if (!parse_special && type != TokenType::kUserDefined) continue;
    const std::string& s = vocab_.tokens[id];
    if (!present[static_cast<unsigned char>(s[0])]) continue;
    next.clear();
    bool found = false;
    for (const Fragment& f : out) {
      if (f.token != kNoToken || f.length < s.size()) {
        next.push_back(f);
        continue;
      }
      std::size_t pos = f.offset;
      const std::size_t end = f.offset + f.length;
      while (pos < end) {
        const std::size_t m = text.substr(pos, end - pos).find(s);
        if (m == std::string_view::npos) break;
        found = true;
        const uint8_t strip = strip_.empty() ? 0 : strip_[id];
        std::size_t left = m;
        if (strip & kStripLeft) {
          while (left > 0 && ascii_space(text[pos + left - 1])) --left;
        }
        if (left > 0) next.push_back({kNoToken, pos, left});
        next.push_back({id, pos + m, s.size()});
        pos += m + s.size();
        if (strip & kStripRight) {
          while (pos < end && ascii_space(text[pos])) ++pos;
        }
      }
      if (pos < end) next.push_back({kNoToken, pos, end - pos});
    }
    if (found) out.swap(next);
  }
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, const EncodeOptions& options) const {
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 4);
  const bool add_bos =
      options.add_special && options.add_bos.value_or(vocab_.add_bos) && vocab_.bos != kNoToken;
  const bool add_eos =
      options.add_special && options.add_eos.value_or(vocab_.add_eos) && vocab_.eos != kNoToken;
  if (add_bos) out.push_back(vocab_.bos);

  std::vector<Fragment> fragments;
  split_special(text, options.parse_special, fragments);

  if (vocab_.model == TokenizerModel::kSpm) {
    // SentencePiece's dummy prefix: the text, and any text right after a special token, starts
    // with a space so that its first word gets the same "▁word" token as mid-sentence.
    bool after_special = true;
    std::string piece;
    for (const Fragment& f : fragments) {
      if (f.token != kNoToken) {
        out.push_back(f.token);
        after_special = true;
        continue;
      }
      piece.clear();
      if (vocab_.add_space_prefix && after_special) piece.append(kSpmSpace);
      for (char c : text.substr(f.offset, f.length)) {
        if (c == ' ') {
          piece.append(kSpmSpace);
        } else {
          piece.push_back(c);
        }
      }
      encode_spm(piece, out);
      after_special = false;
    }
  } else {
    std::vector<std::string> words;
    for (const Fragment& f : fragments) {
      if (f.token != kNoToken) {
        out.push_back(f.token);
        continue;
      }
      words.clear();
      pre_tokenize(pre_, text.substr(f.offset, f.length), words);
      for (const std::string& w : words) encode_bpe_word(w, out);
    }
  }

  if (add_eos) out.push_back(vocab_.eos);
  return out;
}

}  // namespace woolly::engine
