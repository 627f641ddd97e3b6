// A loaded model: configuration plus weight views into the memory-mapped GGUF file. Immutable
// after load and shared by every context and sequence that runs it.
//
//   ModelOptions opt;                 // defaults: F16 KV cache, n_ctx = min(train ctx, 4096)
//   WOOLLY_ASSIGN_OR_RETURN(auto model, Model::load(path, opt));
//   ThreadPool pool(threads);
//   Context ctx(*model, pool);         // scratch for one forward pass at a time
//   auto cache = model->new_cache();   // one per sequence
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "engine/gguf/gguf_file.h"
#include "engine/model/model_config.h"
#include "engine/tensor/matmul.h"

namespace woolly::engine {

enum class KvType { kF16, kF32 };

struct ModelOptions {
  KvType kv_type = KvType::kF16;  // F16 halves KV memory and is what llama.cpp uses by default
  int n_ctx = 0;                  // per-sequence context; 0 = min(n_ctx_train, 4096)
  int max_batch = 512;            // tokens per forward step (bigger batches are split)
};

struct LayerWeights {
  std::vector<float> attn_norm, ffn_norm;
  std::vector<float> q_bias, k_bias, v_bias;  // qwen2 only
  std::vector<float> q_norm, k_norm;          // qwen3 only, length head_dim
  WeightView wq, wk, wv, wo, w_gate, w_up, w_down;
};

class KvCache;

class Model {
 public:
  // Errors: file errors from GgufFile::open, kUnsupported for architectures or tensor types,
  // kCorruptData naming a missing or mis-shaped tensor.
  static Result<std::unique_ptr<Model>> load(const std::string& path, const ModelOptions& options);
  // Same for an already opened file (tests, in-memory models); takes ownership.
  static Result<std::unique_ptr<Model>> from_file(std::unique_ptr<GgufFile> file,
                                                  const ModelOptions& options);

  const ModelConfig& config() const { return config_; }
  const ModelOptions& options() const { return options_; }
  const GgufFile& file() const { return *file_; }

  // A fresh, empty cache for one sequence; n_ctx = 0 uses options().n_ctx.
  std::unique_ptr<KvCache> new_cache(int n_ctx = 0) const;

  // Memory accounting: bytes of the mapped file and of one full cache of options().n_ctx.
  size_t mapped_bytes() const { return file_->mapped_bytes(); }
  size_t kv_bytes_per_sequence() const;

  const WeightView& token_embd() const { return token_embd_; }
  const WeightView& output() const { return output_; }
  const std::vector<float>& output_norm() const { return output_norm_; }
  const std::vector<LayerWeights>& layers() const { return layers_; }

 private:
  Model() = default;
  Status bind_weights();

  std::unique_ptr<GgufFile> file_;
  ModelConfig config_;
  ModelOptions options_;
  WeightView token_embd_, output_;
  std::vector<float> output_norm_;
  std::vector<LayerWeights> layers_;
};

}  // namespace woolly::engine
