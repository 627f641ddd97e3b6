// Text <-> token ids for the vocabularies of GGUF models: SentencePiece BPE ("llama") and
// byte-level BPE ("gpt2") with the pre-tokenizer named by `tokenizer.ggml.pre`. The results
// match llama.cpp's tokenizer id for id.
//
// A Tokenizer is immutable after construction; every method is const and safe to call from
// several threads at once.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "engine/tokenizer/detail/merge_table.h"
#include "engine/tokenizer/detail/token_index.h"
#include "engine/tokenizer/pre_tokenizer.h"
#include "engine/tokenizer/vocab.h"

namespace woolly::engine {

class GgufFile;

struct EncodeOptions {
  // Add BOS/EOS as the vocabulary asks (tokenizer.ggml.add_bos_token / add_eos_token).
  bool add_special = true;
  // Text such as "<|im_end|>" becomes that control token; off, it is ordinary text.
  // User-defined tokens are matched either way (as llama.cpp does).
  bool parse_special = false;
  // Override the vocabulary's add_bos / add_eos flags (only used when add_special).
  std::optional<bool> add_bos;
  std::optional<bool> add_eos;
};

struct DecodeOptions {
  bool remove_special = false;   // drop a leading BOS and trailing EOS the vocabulary adds
  bool unparse_special = false;  // write control tokens as their text instead of nothing
};

class Tokenizer {
 public:
  // Checks the vocabulary (array sizes, a known pre-tokenizer, well-formed merges) and builds
  // the lookup tables. Special ids outside the vocabulary are dropped, as llama.cpp does.
  static Result<Tokenizer> from_vocab(Vocab vocab);
  // Reads the vocabulary of a GGUF model (see gguf_vocab.h).
  static Result<Tokenizer> from_gguf(const GgufFile& file);

  std::vector<int32_t> encode(std::string_view text, const EncodeOptions& options = {}) const;

  // The bytes a token stands for. Control/unknown tokens give "" unless `special`.
  std::string token_to_piece(int32_t id, bool special = false) const;
  // Concatenated pieces; with an SPM vocabulary the space the tokenizer put in front of the
  // first word is removed again, exactly as llama.cpp's llama_detokenize does it. llama.cpp's
  // optional "clean up spaces" pass (" ," -> ",") is not applied, so decode(encode(x)) == x.
  std::string decode(std::span<const int32_t> ids, const DecodeOptions& options = {}) const;

  int32_t n_vocab() const { return static_cast<int32_t>(vocab_.tokens.size()); }
  int32_t bos() const { return vocab_.bos; }
  int32_t eos() const { return vocab_.eos; }
  int32_t eot() const { return vocab_.eot; }
  bool add_bos() const { return vocab_.add_bos; }
  bool add_eos() const { return vocab_.add_eos; }
  // End of generation: eos, eot, eom and tokens such as <|im_end|>, <|eot_id|>, <|end|>.
  bool is_eog(int32_t id) const;
  std::span<const int32_t> eog_tokens() const { return eog_; }
  // Id of the token whose text is exactly `text`, or kNoToken.
  int32_t find_token(std::string_view text) const;
  TokenType token_type(int32_t id) const;
  const std::string& token_text(int32_t id) const { return vocab_.tokens[id]; }
  const Vocab& vocab() const { return vocab_; }

 private:
  struct Fragment {
    int32_t token;  // kNoToken = raw text [offset, offset + length)
    std::size_t offset;
    std::size_t length;
  };

  explicit Tokenizer(Vocab vocab) : vocab_(std::move(vocab)) {}
  Status build();
  void set_strip_rules();
  void split_special(std::string_view text, bool parse_special, std::vector<Fragment>& out) const;
  void encode_bpe_word(std::string_view word, std::vector<int32_t>& out) const;
  void encode_spm(std::string_view text, std::vector<int32_t>& out) const;
  std::string piece_of(int32_t id) const;

  Vocab vocab_;
  PreTokenizer pre_ = PreTokenizer::kDefault;
  bool ignore_merges_ = false;
  detail::TokenIndex token_to_id_;
  detail::MergeTable merges_;
  int32_t byte_token_[256];        // BPE: token of the byte's mapped char; SPM: its <0xXX> token
  std::vector<int32_t> specials_;  // matched in text, longest first
  // Per token: kStripLeft / kStripRight remove ASCII whitespace before / after the token when
  // it is matched in text (Hugging Face's lstrip/rstrip on added tokens). Empty when unused.
  std::vector<uint8_t> strip_;
  std::vector<int32_t> eog_;         // sorted
  std::vector<std::string> pieces_;  // id -> decoded bytes (special: the text)
};

}  // namespace woolly::engine
