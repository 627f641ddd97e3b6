#include "engine/model/synthetic_model.h"

#include <cmath>
#include <random>
#include <vector>

#include "engine/tensor/quant.h"

namespace woolly::engine {
namespace {

class TensorMaker {
 public:
  TensorMaker(GgufWriter& w, const SyntheticModelSpec& spec)
      : w_(w), spec_(spec), rng_(spec.seed) {}

  // A rows x cols matrix of N(0, std^2) stored as the spec's type for `name`.
  Status matrix(const std::string& name, int64_t cols, int64_t rows, float std) {
    TensorType type = spec_.weight_type;
    for (const auto& [n, t] : spec_.type_overrides) {
      if (n == name) type = t;
    }
    std::normal_distribution<float> dist(0.f, std);
    std::vector<float> row(cols);
    std::vector<std::byte> data(row_bytes(type, cols) * rows);
    for (int64_t r = 0; r < rows; ++r) {
      for (float& v : row) v = dist(rng_);
      quantize_row(type, row.data(), data.data() + r * row_bytes(type, cols), cols);
    }
    return w_.add_tensor(name, type, {cols, rows}, data);
  }
  // A vector of mean + N(0, std^2), F32.
  Status vec(const std::string& name, int64_t n, float mean, float std) {
    std::normal_distribution<float> dist(mean, std);
    std::vector<float> v(n);
    for (float& x : v) x = dist(rng_);
    return w_.add_tensor(name, TensorType::kF32, {n},
                         {reinterpret_cast<const std::byte*>(v.data()), v.size() * 4});
  }

 private:
  GgufWriter& w_;
  const SyntheticModelSpec& spec_;
  std::mt19937 rng_;
};

}  // namespace

Status add_synthetic_model(GgufWriter& w, const SyntheticModelSpec& s) {
  const int head_dim = s.head_dim > 0 ? s.head_dim : s.n_embd / s.n_head;
  const std::string p = s.arch + ".";
  w.set_string("general.architecture", s.arch);
  w.set_u32(p + "context_length", s.n_ctx_train);
  w.set_u32(p + "embedding_length", s.n_embd);
  w.set_u32(p + "block_count", s.n_layer);
  w.set_u32(p + "feed_forward_length", s.n_ff);
  w.set_u32(p + "attention.head_count", s.n_head);
  w.set_u32(p + "attention.head_count_kv", s.n_head_kv);
  w.set_u32(p + "attention.key_length", head_dim);
  w.set_u32(p + "attention.value_length", head_dim);
  w.set_u32(p + "rope.dimension_count", head_dim);
  w.set_f32(p + "rope.freq_base", s.rope_base);
  w.set_f32(p + "attention.layer_norm_rms_epsilon", s.rms_eps);
  w.set_u32(p + "vocab_size", s.n_vocab);

  TensorMaker m(w, s);
  const int q_dim = s.n_head * head_dim, kv_dim = s.n_head_kv * head_dim;
  auto gain = [](int64_t n_in, float g) { return g / std::sqrt(static_cast<float>(n_in)); };
  WOOLLY_TRY(m.matrix("token_embd.weight", s.n_embd, s.n_vocab, 1.f));
  if (!s.tied_output)
    WOOLLY_TRY(m.matrix("output.weight", s.n_embd, s.n_vocab, gain(s.n_embd, 1.f)));
  WOOLLY_TRY(m.vec("output_norm.weight", s.n_embd, 1.f, 0.1f));
  for (int i = 0; i < s.n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    WOOLLY_TRY(m.vec(b + "attn_norm.weight", s.n_embd, 1.f, 0.1f));
    WOOLLY_TRY(m.vec(b + "ffn_norm.weight", s.n_embd, 1.f, 0.1f));
    WOOLLY_TRY(m.matrix(b + "attn_q.weight", s.n_embd, q_dim, gain(s.n_embd, 1.5f)));
    WOOLLY_TRY(m.matrix(b + "attn_k.weight", s.n_embd, kv_dim, gain(s.n_embd, 1.5f)));
    WOOLLY_TRY(m.matrix(b + "attn_v.weight", s.n_embd, kv_dim, gain(s.n_embd, 1.5f)));
    WOOLLY_TRY(m.matrix(b + "attn_output.weight", q_dim, s.n_embd, gain(q_dim, 1.5f)));
    WOOLLY_TRY(m.matrix(b + "ffn_gate.weight", s.n_embd, s.n_ff, gain(s.n_embd, 1.5f)));
    WOOLLY_TRY(m.matrix(b + "ffn_up.weight", s.n_embd, s.n_ff, gain(s.n_embd, 1.5f)));
    WOOLLY_TRY(m.matrix(b + "ffn_down.weight", s.n_ff, s.n_embd, gain(s.n_ff, 1.5f)));
    if (s.arch == "qwen2") {
      WOOLLY_TRY(m.vec(b + "attn_q.bias", q_dim, 0.f, 0.1f));
      WOOLLY_TRY(m.vec(b + "attn_k.bias", kv_dim, 0.f, 0.1f));
      WOOLLY_TRY(m.vec(b + "attn_v.bias", kv_dim, 0.f, 0.1f));
    }
    if (s.arch == "qwen3") {
      WOOLLY_TRY(m.vec(b + "attn_q_norm.weight", head_dim, 1.f, 0.1f));
      WOOLLY_TRY(m.vec(b + "attn_k_norm.weight", head_dim, 1.f, 0.1f));
    }
  }
  return {};
}

}  // namespace woolly::engine
