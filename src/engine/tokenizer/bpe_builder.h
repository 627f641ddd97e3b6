// Learns a small byte-level BPE vocabulary from a training text, for models Woolly makes itself
// (the demo model). Deterministic: the same text and options give the same vocabulary.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "engine/tokenizer/vocab.h"

namespace woolly::engine {

struct BpeBuilderOptions {
  // Total tokens: 256 byte tokens + learned merges + special tokens. Learning stops earlier when
  // no pair occurs twice.
  std::size_t vocab_size = 1024;
  std::string pre = "gpt-2";  // pre-tokenizer used for training and written to the vocab
  // ChatML control tokens, appended after the learned ones.
  std::vector<std::string> special_tokens = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
  std::string bos_token = "<|endoftext|>";  // also the padding token
  std::string eos_token = "<|im_end|>";
};

// Ids 0..255 are the bytes (GPT-2 byte-to-code-point mapping), then one token per merge in the
// order learned (the most frequent pair first; ties go to the smaller token ids), then the
// special tokens as control tokens. add_bos/add_eos are off, as for ChatML models.
// Errors: kInvalidArgument for a vocab_size that cannot hold the bytes and special tokens or
// for an unknown pre-tokenizer.
Result<Vocab> build_bpe_vocab(std::string_view training_text, const BpeBuilderOptions& options);

}  // namespace woolly::engine
