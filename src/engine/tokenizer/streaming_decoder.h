// Turns generated token ids into text chunks that are always whole, valid UTF-8: a character
// whose bytes are spread over several tokens (emoji, CJK with byte-fallback or byte-level BPE) is
// held back until its last byte arrives. Bytes that can never form a character become U+FFFD.
//
// One decoder per generated sequence; not thread-safe (owned by the sequence's task).
#pragma once

#include <cstdint>
#include <string>

#include "engine/tokenizer/tokenizer.h"

namespace woolly::engine {

struct StreamingDecoderOptions {
  bool unparse_special = false;  // emit control tokens (e.g. "<|im_end|>") as text
  // The stream starts a text (no prompt before it): drop the space an SPM vocabulary puts in
  // front of the first word, as Tokenizer::decode does. Off for continuations of a prompt.
  bool starts_text = false;
};

class StreamingDecoder {
 public:
  explicit StreamingDecoder(const Tokenizer& tokenizer, StreamingDecoderOptions options = {})
      : tokenizer_(&tokenizer), options_(options) {}

  // Adds one token; returns the text that is now complete (possibly empty).
  std::string push(int32_t id);
  // Ends the stream: returns what is left, an unfinished character as U+FFFD.
  std::string flush();
  // Bytes held back, waiting for the rest of a character.
  std::size_t pending_bytes() const { return pending_.size(); }

 private:
  const Tokenizer* tokenizer_;
  StreamingDecoderOptions options_;
  std::string pending_;
  bool first_ = true;
};

}  // namespace woolly::engine
