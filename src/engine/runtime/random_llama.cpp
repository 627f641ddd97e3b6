#include "engine/runtime/random_llama.h"

#include <cmath>
#include <cstring>
#include <span>
#include <vector>

#include "engine/gguf/gguf_writer.h"
#include "engine/tensor/quant.h"
#include "engine/tokenizer/gguf_vocab.h"

namespace woolly::engine {

namespace {

// splitmix64: a tiny, well-mixed generator; one stream per tensor so that tensors do not depend
// on each other's sizes.
class Stream {
 public:
  explicit Stream(uint64_t seed) : x_(seed) {}
  uint64_t next() {
    uint64_t z = (x_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform on [-a, a) with a = std * sqrt(3): the requested standard deviation.
  float uniform_std(float std) {
    const double u = static_cast<double>(next() >> 11) * 0x1.0p-53;
    return static_cast<float>((2 * u - 1) * std * 1.7320508075688772);
  }

 private:
  uint64_t x_;
};

uint64_t name_seed(uint64_t seed, std::string_view name) {
  uint64_t h = 1469598103934665603ull ^ seed;
  for (char c : name) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  return h;
}

// Converts `values` (rows of `cols`) to `type` in place of `bytes`.
std::vector<std::byte> encode(TensorType type, const std::vector<float>& values, int64_t cols) {
  const int64_t rows = static_cast<int64_t>(values.size()) / cols;
  std::vector<std::byte> bytes(row_bytes(type, cols) * static_cast<size_t>(rows));
  if (type == TensorType::kF32) {
    std::memcpy(bytes.data(), values.data(), bytes.size());
    return bytes;
  }
  const size_t stride = row_bytes(type, cols);
  for (int64_t r = 0; r < rows; ++r) {
    quantize_row(type, values.data() + r * cols, bytes.data() + r * stride, cols);
  }
  return bytes;
}

class TensorMaker {
 public:
  TensorMaker(GgufWriter& w, uint64_t seed) : w_(w), seed_(seed) {}

  // A weight of shape {cols (inner), rows}, entries of standard deviation `std`; the rows in
  // `quiet` are scaled down.
  Status matrix(const std::string& name, TensorType type, int64_t cols, int64_t rows, float std,
                const std::vector<int32_t>& quiet = {}) {
    Stream s(name_seed(seed_, name));
    values_.resize(static_cast<size_t>(cols * rows));
    for (auto& v : values_) v = s.uniform_std(std);
    for (int32_t r : quiet) {
      if (r < 0 || r >= rows) continue;
      for (int64_t c = 0; c < cols; ++c) values_[static_cast<size_t>(r * cols + c)] *= 0.05f;
    }
    if (cols % block_elems(type) != 0) type = TensorType::kF32;  // quantized rows need blocks
    auto bytes = encode(type, values_, cols);
    return w_.add_tensor(name, type, {cols, rows}, bytes);
  }
  // A norm weight: 1 + small noise, always F32.
  Status norm(const std::string& name, int64_t n) {
    Stream s(name_seed(seed_, name));
    values_.resize(static_cast<size_t>(n));
    for (auto& v : values_) v = 1.0f + s.uniform_std(0.1f);
    auto bytes = std::as_bytes(std::span(values_));
    return w_.add_tensor(name, TensorType::kF32, {n}, bytes);
  }

 private:
  GgufWriter& w_;
  uint64_t seed_;
  std::vector<float> values_;
};

uint32_t file_type(TensorType t) {
  switch (t) {
    case TensorType::kF32: return 0;
    case TensorType::kF16: return 1;
    case TensorType::kQ4_0: return 2;
    case TensorType::kQ8_0: return 7;
    default: return 0;
  }
}

}  // namespace

void pad_vocab(Vocab& vocab, int64_t n) {
  const bool typed = !vocab.types.empty();
  if (typed) vocab.types.resize(vocab.tokens.size(), TokenType::kNormal);
  for (auto i = static_cast<int64_t>(vocab.tokens.size()); i < n; ++i) {
    vocab.tokens.push_back("<|unused_" + std::to_string(i) + "|>");
    if (typed) vocab.types.push_back(TokenType::kUnused);
  }
  if (!vocab.scores.empty()) vocab.scores.resize(vocab.tokens.size(), 0.0f);
}

int64_t parameter_count(const LlamaShape& s, int64_t n_vocab) {
  const int64_t head_dim = s.n_embd / s.n_head;
  const int64_t kv = head_dim * s.n_head_kv;
  const int64_t per_layer = 2 * s.n_embd + 2 * s.n_embd * s.n_embd + 2 * s.n_embd * kv +
                            3 * int64_t{s.n_embd} * s.n_ff;
  return n_vocab * s.n_embd + s.n_embd + s.n_layer * per_layer;
}

Status write_random_llama(const std::string& path, const RandomLlamaSpec& spec) {
  const LlamaShape& s = spec.shape;
  const auto n_vocab = static_cast<int64_t>(spec.vocab.tokens.size());
  if (n_vocab == 0 || s.n_head <= 0 || s.n_embd % s.n_head != 0 || s.n_head_kv <= 0 ||
      s.n_head % s.n_head_kv != 0 || s.n_layer <= 0 || s.n_ff <= 0) {
    return make_error(Errc::kInvalidArgument, "inconsistent model shape or empty vocabulary");
  }
  const int64_t head_dim = s.n_embd / s.n_head;
  const int64_t kv = head_dim * s.n_head_kv;

  GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_string("general.name", spec.name);
  w.set_u32("general.file_type", file_type(spec.type));
  w.set_u32("llama.context_length", static_cast<uint32_t>(s.n_ctx));
  w.set_u32("llama.embedding_length", static_cast<uint32_t>(s.n_embd));
  w.set_u32("llama.block_count", static_cast<uint32_t>(s.n_layer));
  w.set_u32("llama.feed_forward_length", static_cast<uint32_t>(s.n_ff));
  w.set_u32("llama.attention.head_count", static_cast<uint32_t>(s.n_head));
  w.set_u32("llama.attention.head_count_kv", static_cast<uint32_t>(s.n_head_kv));
  w.set_u32("llama.rope.dimension_count", static_cast<uint32_t>(head_dim));
  w.set_f32("llama.rope.freq_base", s.rope_theta);
  w.set_f32("llama.attention.layer_norm_rms_epsilon", s.rms_eps);
  w.set_u32("llama.vocab_size", static_cast<uint32_t>(n_vocab));
  write_vocab(w, spec.vocab);
  if (!spec.chat_template.empty()) w.set_string("tokenizer.chat_template", spec.chat_template);

  // Gains as in the shared reference models: 1.5 / sqrt(fan_in), 3 for the projections that
  // feed the residual stream, which keeps greedy text from collapsing into one repeated token.
  TensorMaker t(w, spec.seed);
  const auto in_std = [](int64_t fan_in, float gain) {
    return gain / std::sqrt(static_cast<float>(fan_in));
  };
  WOOLLY_TRY(t.matrix("token_embd.weight", spec.type, s.n_embd, n_vocab, 0.5f, spec.quiet_tokens));
  WOOLLY_TRY(t.norm("output_norm.weight", s.n_embd));
  for (int32_t l = 0; l < s.n_layer; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    WOOLLY_TRY(t.norm(p + "attn_norm.weight", s.n_embd));
    WOOLLY_TRY(t.matrix(p + "attn_q.weight", spec.type, s.n_embd, s.n_embd, in_std(s.n_embd, 1.5f)));
    WOOLLY_TRY(t.matrix(p + "attn_k.weight", spec.type, s.n_embd, kv, in_std(s.n_embd, 1.5f)));
    WOOLLY_TRY(t.matrix(p + "attn_v.weight", spec.type, s.n_embd, kv, in_std(s.n_embd, 1.5f)));
    WOOLLY_TRY(t.matrix(p + "attn_output.weight", spec.type, s.n_embd, s.n_embd,
                        in_std(s.n_embd, 3.0f)));
    WOOLLY_TRY(t.norm(p + "ffn_norm.weight", s.n_embd));
    WOOLLY_TRY(t.matrix(p + "ffn_gate.weight", spec.type, s.n_embd, s.n_ff, in_std(s.n_embd, 1.5f)));
    WOOLLY_TRY(t.matrix(p + "ffn_up.weight", spec.type, s.n_embd, s.n_ff, in_std(s.n_embd, 1.5f)));
    WOOLLY_TRY(t.matrix(p + "ffn_down.weight", spec.type, s.n_ff, s.n_embd, in_std(s.n_ff, 3.0f)));
  }
  return w.write_file(path);
}

}  // namespace woolly::engine
