// Hyper-parameters of a decoder-only transformer, read from GGUF metadata. Tokenizer settings
// (bos/eos, vocabulary) are the tokenizer's business and are not read here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "engine/gguf/gguf_file.h"

namespace woolly::engine {

enum class Arch { kLlama, kQwen2, kQwen3 };
// kNormal rotates adjacent pairs (x[2i], x[2i+1]) (llama); kNeox rotates (x[i], x[i + d/2]).
enum class RopeStyle { kNormal, kNeox };

struct ModelConfig {
  std::string arch_name;
  Arch arch = Arch::kLlama;
  int n_vocab = 0;
  int n_ctx_train = 0;
  int n_embd = 0;
  int n_layer = 0;
  int n_head = 0;
  int n_head_kv = 0;
  int head_dim = 0;
  int n_ff = 0;
  int n_rot = 0;  // rotated dimensions per head (= head_dim for the supported models)
  float rope_base = 10000.f;
  float rope_freq_scale = 1.f;  // linear scaling: positions are multiplied by this
  float rms_eps = 1e-5f;
  RopeStyle rope_style = RopeStyle::kNormal;
  bool qkv_bias = false;     // qwen2
  bool qk_norm = false;      // qwen3
  bool tied_output = false;  // no output.weight: the head uses token_embd.weight
  // Per rotated pair i: frequencies are divided by rope_freq_factors[i] (Llama 3 scaling);
  // empty = no factors.
  std::vector<float> rope_freq_factors;
};

// Reads and validates the configuration. Unknown architectures are kUnsupported naming them;
// missing or inconsistent keys are kCorruptData naming the key.
Result<ModelConfig> read_model_config(const GgufFile& file);

}  // namespace woolly::engine
