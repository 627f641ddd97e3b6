// What generation needs from a tokenizer: which tokens end a generation, and a streaming
// token -> text decoder that only releases complete UTF-8. Adapted from the engine's Tokenizer in
// tokenizer_text.h; a runtime without one works on token ids alone.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace woolly::engine {

class PieceDecoder {
 public:
  virtual ~PieceDecoder() = default;
  // Appends the text that `token` completes (possibly nothing) to `out`.
  virtual void push(int32_t token, std::string& out) = 0;
  // Appends whatever is still held (an incomplete UTF-8 tail, replaced) to `out`.
  virtual void flush(std::string& out) = 0;
};

class TokenText {
 public:
  virtual ~TokenText() = default;
  virtual bool is_eog(int32_t token) const = 0;
  virtual std::unique_ptr<PieceDecoder> decoder() const = 0;
};

}  // namespace woolly::engine
