#include "engine/model/model.h"

#include <algorithm>

#include "engine/model/kv_cache.h"
#include "engine/tensor/quant.h"

namespace woolly::engine {
namespace {

Error missing(const std::string& name) {
  return make_error(Errc::kCorruptData, "model: tensor " + name + " is missing");
}

Result<WeightView> matrix(const GgufFile& f, const std::string& name, int64_t n_in, int64_t n_out) {
  const GgufTensor* t = f.find_tensor(name);
  if (t == nullptr) return missing(name);
  if (t->n_dims != 2 || t->ne[0] != n_in || t->ne[1] != n_out) {
    return make_error(Errc::kCorruptData,
                      "model: tensor " + name + " has shape [" + std::to_string(t->ne[0]) + ", " +
                          std::to_string(t->ne[1]) + "], expected [" + std::to_string(n_in) + ", " +
                          std::to_string(n_out) + "]");
  }
  // Integer dot products need whole activation blocks; n_in must be a multiple of them.
  if (n_in % block_elems(t->type) != 0) {
    return make_error(Errc::kCorruptData, "model: tensor " + name + " rows are not whole blocks");
  }
  return WeightView{t->type, t->data, n_in, n_out, row_bytes(t->type, n_in)};
}

// Small 1-D tensors (norms, biases) are decoded to float once at load.
Result<std::vector<float>> vector(const GgufFile& f, const std::string& name, int64_t n) {
  const GgufTensor* t = f.find_tensor(name);
  if (t == nullptr) return missing(name);
  if (t->n_elements != n) {
    return make_error(Errc::kCorruptData, "model: tensor " + name + " has " +
                                              std::to_string(t->n_elements) + " values, expected " +
                                              std::to_string(n));
  }
  std::vector<float> out(n);
  dequantize_row(t->type, t->data, out.data(), n);
  return out;
}

}  // namespace

Result<std::unique_ptr<Model>> Model::load(const std::string& path, const ModelOptions& options) {
  WOOLLY_ASSIGN_OR_RETURN(auto file, GgufFile::open(path));
  return from_file(std::move(file), options);
}

Result<std::unique_ptr<Model>> Model::from_file(std::unique_ptr<GgufFile> file,
                                                const ModelOptions& options) {
  std::unique_ptr<Model> m(new Model());
  m->file_ = std::move(file);
  WOOLLY_ASSIGN_OR_RETURN(m->config_, read_model_config(*m->file_));
  m->options_ = options;
  if (m->options_.n_ctx <= 0) m->options_.n_ctx = std::min(m->config_.n_ctx_train, 4096);
  if (m->options_.max_batch <= 0) m->options_.max_batch = 512;
  WOOLLY_TRY(m->bind_weights());
  return m;
}

Status Model::bind_weights() {
  const GgufFile& f = *file_;
  ModelConfig& c = config_;
  const int64_t q_dim = int64_t{c.n_head} * c.head_dim;
  const int64_t kv_dim = int64_t{c.n_head_kv} * c.head_dim;
  WOOLLY_ASSIGN_OR_RETURN(token_embd_, matrix(f, "token_embd.weight", c.n_embd, c.n_vocab));
  if (c.tied_output) {
    output_ = token_embd_;
  } else {
    WOOLLY_ASSIGN_OR_RETURN(output_, matrix(f, "output.weight", c.n_embd, c.n_vocab));
  }
  WOOLLY_ASSIGN_OR_RETURN(output_norm_, vector(f, "output_norm.weight", c.n_embd));
  if (f.find_tensor("rope_freqs.weight") != nullptr) {
    WOOLLY_ASSIGN_OR_RETURN(c.rope_freq_factors, vector(f, "rope_freqs.weight", c.n_rot / 2));
  }
  layers_.resize(c.n_layer);
  for (int i = 0; i < c.n_layer; ++i) {
    LayerWeights& l = layers_[i];
    const std::string b = "blk." + std::to_string(i) + ".";
    WOOLLY_ASSIGN_OR_RETURN(l.attn_norm, vector(f, b + "attn_norm.weight", c.n_embd));
    WOOLLY_ASSIGN_OR_RETURN(l.ffn_norm, vector(f, b + "ffn_norm.weight", c.n_embd));
    WOOLLY_ASSIGN_OR_RETURN(l.wq, matrix(f, b + "attn_q.weight", c.n_embd, q_dim));
    WOOLLY_ASSIGN_OR_RETURN(l.wk, matrix(f, b + "attn_k.weight", c.n_embd, kv_dim));
    WOOLLY_ASSIGN_OR_RETURN(l.wv, matrix(f, b + "attn_v.weight", c.n_embd, kv_dim));
    WOOLLY_ASSIGN_OR_RETURN(l.wo, matrix(f, b + "attn_output.weight", q_dim, c.n_embd));
    WOOLLY_ASSIGN_OR_RETURN(l.w_gate, matrix(f, b + "ffn_gate.weight", c.n_embd, c.n_ff));
    WOOLLY_ASSIGN_OR_RETURN(l.w_up, matrix(f, b + "ffn_up.weight", c.n_embd, c.n_ff));
    WOOLLY_ASSIGN_OR_RETURN(l.w_down, matrix(f, b + "ffn_down.weight", c.n_ff, c.n_embd));
    if (c.qkv_bias) {
      WOOLLY_ASSIGN_OR_RETURN(l.q_bias, vector(f, b + "attn_q.bias", q_dim));
      WOOLLY_ASSIGN_OR_RETURN(l.k_bias, vector(f, b + "attn_k.bias", kv_dim));
      WOOLLY_ASSIGN_OR_RETURN(l.v_bias, vector(f, b + "attn_v.bias", kv_dim));
    }
    if (c.qk_norm) {
      WOOLLY_ASSIGN_OR_RETURN(l.q_norm, vector(f, b + "attn_q_norm.weight", c.head_dim));
      WOOLLY_ASSIGN_OR_RETURN(l.k_norm, vector(f, b + "attn_k_norm.weight", c.head_dim));
    }
  }
  return {};
}

std::unique_ptr<KvCache> Model::new_cache(int n_ctx) const {
  return std::make_unique<KvCache>(config_, n_ctx > 0 ? n_ctx : options_.n_ctx, options_.kv_type);
}

size_t Model::kv_bytes_per_sequence() const {
  return KvCache::bytes_for(config_, options_.n_ctx, options_.kv_type);
}

}  // namespace woolly::engine
