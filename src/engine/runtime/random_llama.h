// Writes llama-architecture GGUF files with deterministic random weights: the demo model and the
// benchmark models. The same (shape, seed) gives the same weights in every tensor type, so an F16
// and a Q8_0 file of one model differ only by rounding.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "engine/tensor/tensor_type.h"
#include "engine/tokenizer/vocab.h"

namespace woolly::engine {

struct LlamaShape {
  int32_t n_layer = 2;
  int32_t n_embd = 64;
  int32_t n_head = 4;
  int32_t n_head_kv = 2;
  int32_t n_ff = 192;
  int32_t n_ctx = 2048;  // llama.context_length
  float rope_theta = 10000.0f;
  float rms_eps = 1e-5f;
};

struct RandomLlamaSpec {
  std::string name = "woolly-demo";  // general.name
  LlamaShape shape;
  TensorType type = TensorType::kF32;  // 2-D weights; norms stay F32
  uint64_t seed = 1;
  Vocab vocab;                // written as tokenizer.ggml.*; its size is n_vocab
  std::string chat_template;  // tokenizer.chat_template; empty = none
  // Tokens whose embedding rows are scaled down (x0.05): with the output tied to the embedding
  // their logits stay near zero, so a random model seldom picks them (the demo uses it for
  // tokens that are not valid text on their own).
  std::vector<int32_t> quiet_tokens;
};

// Appends unused placeholder tokens until the vocabulary has n tokens (benchmark models need a
// realistic output width; a learned tokenizer of that size would take long to build).
void pad_vocab(Vocab& vocab, int64_t n);

// Parameters of the model (embedding included once: the output projection is tied to it).
int64_t parameter_count(const LlamaShape& shape, int64_t n_vocab);

// Builds the file in memory and writes it to `path` (the directory must exist).
Status write_random_llama(const std::string& path, const RandomLlamaSpec& spec);

}  // namespace woolly::engine
