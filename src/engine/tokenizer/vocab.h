// A tokenizer vocabulary as GGUF stores it (the `tokenizer.ggml.*` keys), before any lookup
// tables are built. `load_vocab` (gguf_vocab.h) fills it from a model file; the BPE builder
// (bpe_builder.h) produces one; `Tokenizer` turns it into something that encodes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace woolly::engine {

inline constexpr int32_t kNoToken = -1;

// `tokenizer.ggml.token_type` values (llama.cpp's llama_token_type).
enum class TokenType : uint8_t {
  kUndefined = 0,
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,      // <s>, <|im_end|>, ...: never produced from text unless parse_special
  kUserDefined = 4,  // added tokens: always matched in text, written back verbatim
  kUnused = 5,
  kByte = 6,  // <0xXX> byte-fallback tokens of SentencePiece vocabularies
};

enum class TokenizerModel {
  kSpm,  // tokenizer.ggml.model = "llama": SentencePiece BPE with byte fallback
  kBpe,  // tokenizer.ggml.model = "gpt2": byte-level BPE with a pre-tokenizer
};

struct Vocab {
  TokenizerModel model = TokenizerModel::kBpe;
  std::string pre;  // tokenizer.ggml.pre ("" = default rules)
  // general.name, lower-cased: llama.cpp keys a few per-model special-token rules on it (Phi-3
  // strips whitespace after its special tokens).
  std::string model_name;
  std::vector<std::string> tokens;  // id -> text (byte-level BPE: bytes mapped to code points)
  std::vector<float> scores;        // id -> SPM merge score; empty when absent
  std::vector<TokenType> types;     // id -> type; empty = all normal
  std::vector<std::string> merges;  // BPE "left right" pairs, highest priority first

  int32_t bos = kNoToken;
  int32_t eos = kNoToken;
  int32_t eot = kNoToken;  // end of turn, when it differs from eos
  int32_t eom = kNoToken;  // end of message (Llama 3.1 tool calls)
  int32_t unk = kNoToken;
  int32_t pad = kNoToken;

  bool add_bos = false;
  bool add_eos = false;
  bool add_space_prefix = false;  // SPM: a leading space before the first word of the text
};

}  // namespace woolly::engine
