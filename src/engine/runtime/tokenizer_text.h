// TokenText over the engine's Tokenizer: end-of-generation from the vocabulary, and text pieces
// from its StreamingDecoder, released only as complete UTF-8.
#pragma once

#include <memory>

#include "engine/runtime/token_text.h"
#include "engine/tokenizer/tokenizer.h"

namespace woolly::engine {

class TokenizerText : public TokenText {
 public:
  explicit TokenizerText(const Tokenizer& tokenizer) : tokenizer_(tokenizer) {}
  bool is_eog(int32_t token) const override { return tokenizer_.is_eog(token); }
  std::unique_ptr<PieceDecoder> decoder() const override;

 private:
  const Tokenizer& tokenizer_;
};

}  // namespace woolly::engine
