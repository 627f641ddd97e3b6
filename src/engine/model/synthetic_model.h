// Random-weight models of any supported shape, written through GgufWriter: for tests, for
// benchmarks (e.g. a 174M-parameter llama to measure tokens/s) and as the base of a demo model
// (the caller adds tokenizer metadata to the same writer).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/model/model_config.h"

namespace woolly::engine {

struct SyntheticModelSpec {
  std::string arch = "llama";  // llama | qwen2 | qwen3 (any other name is written as given)
  int n_vocab = 256;
  int n_embd = 64;
  int n_layer = 2;
  int n_head = 4;
  int n_head_kv = 2;
  int head_dim = 0;  // 0 = n_embd / n_head
  int n_ff = 128;
  int n_ctx_train = 512;
  float rope_base = 10000.f;
  float rms_eps = 1e-5f;
  TensorType weight_type = TensorType::kF32;  // 2-D weights; norms and biases stay F32
  bool tied_output = true;
  uint32_t seed = 1;
  // Per-tensor types that differ from weight_type (as llama-quantize mixes do), by tensor name.
  // The drawn values do not depend on the type, so only the storage changes.
  std::vector<std::pair<std::string, TensorType>> type_overrides;
};

// Adds general.architecture, the hyper-parameters and all tensors to `w`.
Status add_synthetic_model(GgufWriter& w, const SyntheticModelSpec& spec);

}  // namespace woolly::engine
