// Pre-tokenizers of byte-level BPE vocabularies: they cut text into words before merges run,
// each one a hand-written matcher equivalent to the regex list llama.cpp uses for the
// `tokenizer.ggml.pre` value (no std::regex: too slow, and it knows no Unicode classes).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace woolly::engine {

enum class PreTokenizer {
  kDefault,        // "default": llama.cpp's fallback rules for BPE vocabularies
  kLlama3,         // "llama-bpe", "llama3", "llama-v3", "falcon3", "dbrx", "smaug-bpe", ...
  kQwen2,          // "qwen2", "deepseek-r1-qwen", "stablelm2", "hunyuan", "megrez"
  kGpt2,           // "gpt-2", "mpt", "olmo", "phi-2", "jais", "roberta-bpe", ...
  kStarcoder,      // "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", ...
  kFalcon,         // "falcon"
  kDeepseekLlm,    // "deepseek-llm"
  kDeepseekCoder,  // "deepseek-coder"
  kDeepseekV3,     // "deepseek-v3", "hunyuan-dense"
  kChatGlm4,       // "chatglm-bpe", "glm4": the Llama-3 regex without ignore_merges
  kTekken,         // "tekken" (Mistral Nemo, Mistral Small 3)
  kGpt4o,          // "gpt-4o", "llama4"
};

// Maps a `tokenizer.ggml.pre` value to its rules. Like llama.cpp, a name it does not know is an
// error (kUnsupported, naming the value) rather than a silent fallback: a wrong split changes
// every prompt's tokens without any visible failure. An empty name means "default".
Result<PreTokenizer> pre_tokenizer_from_name(std::string_view name);

// Whether llama.cpp looks a whole pre-tokenized word up in the vocabulary before running
// merges (Llama-3 style `ignore_merges`).
bool pre_tokenizer_ignores_merges(PreTokenizer pre);
// Whether llama.cpp adds BOS for this pre-tokenizer when the file has no add_bos_token key.
bool pre_tokenizer_adds_bos(PreTokenizer pre);

// Splits UTF-8 `text` into words (appended to `words`). Invalid UTF-8 bytes become U+FFFD.
void pre_tokenize(PreTokenizer pre, std::string_view text, std::vector<std::string>& words);

}  // namespace woolly::engine
