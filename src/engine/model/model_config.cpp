#include "engine/model/model_config.h"

#include <cmath>

namespace woolly::engine {
namespace {

Error bad(const std::string& what) { return make_error(Errc::kCorruptData, "model: " + what); }

Result<int> read_positive(const GgufFile& f, const std::string& key, int64_t limit) {
  auto v = f.get_int(key);
  if (!v.ok()) return bad(v.error().message);
  if (*v <= 0 || *v > limit) return bad(key + " = " + std::to_string(*v) + " is out of range");
  return static_cast<int>(*v);
}

// Llama 3 scaling: long wavelengths are slowed by `factor`, short ones kept, a smooth ramp
// between (wavelengths measured against the original training context).
std::vector<float> llama3_factors(int n_rot, float base, float factor, float low, float high,
                                  float orig_ctx) {
  std::vector<float> out(n_rot / 2);
  const float low_wavelen = orig_ctx / low;
  const float high_wavelen = orig_ctx / high;
  for (int i = 0; i < n_rot / 2; ++i) {
    const float freq = std::pow(base, -2.f * i / n_rot);
    const float wavelen = 2.f * static_cast<float>(M_PI) / freq;
    if (wavelen < high_wavelen) {
      out[i] = 1.f;
    } else if (wavelen > low_wavelen) {
      out[i] = factor;
    } else {
      const float smooth = (orig_ctx / wavelen - low) / (high - low);
      out[i] = 1.f / ((1.f - smooth) / factor + smooth);
    }
  }
  return out;
}

}  // namespace

Result<ModelConfig> read_model_config(const GgufFile& f) {
  ModelConfig c;
  auto arch = f.get_string("general.architecture");
  if (!arch.ok()) return bad(arch.error().message);
  c.arch_name = std::string(*arch);
  if (c.arch_name == "llama") {
    c.arch = Arch::kLlama;
  } else if (c.arch_name == "qwen2") {
    c.arch = Arch::kQwen2;
  } else if (c.arch_name == "qwen3") {
    c.arch = Arch::kQwen3;
  } else {
    return make_error(Errc::kUnsupported, "model architecture '" + c.arch_name +
                                              "' is not supported (llama, qwen2, qwen3)");
  }
  const std::string p = c.arch_name + ".";
  constexpr int64_t kBig = int64_t{1} << 24;
  WOOLLY_ASSIGN_OR_RETURN(c.n_embd, read_positive(f, p + "embedding_length", kBig));
  WOOLLY_ASSIGN_OR_RETURN(c.n_layer, read_positive(f, p + "block_count", 4096));
  WOOLLY_ASSIGN_OR_RETURN(c.n_head, read_positive(f, p + "attention.head_count", 4096));
  WOOLLY_ASSIGN_OR_RETURN(c.n_ff, read_positive(f, p + "feed_forward_length", kBig));
  WOOLLY_ASSIGN_OR_RETURN(c.n_ctx_train, read_positive(f, p + "context_length", kBig));
  c.n_head_kv = c.n_head;
  if (f.has(p + "attention.head_count_kv")) {
    WOOLLY_ASSIGN_OR_RETURN(c.n_head_kv, read_positive(f, p + "attention.head_count_kv", 4096));
  }
  if (c.n_head % c.n_head_kv != 0) {
    return bad("head_count " + std::to_string(c.n_head) + " is not a multiple of head_count_kv " +
               std::to_string(c.n_head_kv));
  }
  c.head_dim = c.n_embd / c.n_head;
  if (f.has(p + "attention.key_length")) {
    WOOLLY_ASSIGN_OR_RETURN(c.head_dim, read_positive(f, p + "attention.key_length", 4096));
  }
  if (f.has(p + "attention.value_length")) {
    WOOLLY_ASSIGN_OR_RETURN(int v_len, read_positive(f, p + "attention.value_length", 4096));
    if (v_len != c.head_dim) return bad("value_length differs from key_length");
  }
  if (c.head_dim % 2 != 0) return bad("head dimension must be even");
  c.n_rot = c.head_dim;
  if (f.has(p + "rope.dimension_count")) {
    WOOLLY_ASSIGN_OR_RETURN(c.n_rot, read_positive(f, p + "rope.dimension_count", c.head_dim));
    if (c.n_rot % 2 != 0) return bad("rope.dimension_count must be even");
  }
  if (f.has(p + "rope.freq_base")) {
    auto v = f.get_float(p + "rope.freq_base");
    if (!v.ok() || !(*v > 0)) return bad(p + "rope.freq_base must be a positive number");
    c.rope_base = static_cast<float>(*v);
  }
  auto eps = f.get_float(p + "attention.layer_norm_rms_epsilon");
  if (!eps.ok() || !(*eps > 0 && *eps < 1)) {
    return bad(p + "attention.layer_norm_rms_epsilon is missing or invalid");
  }
  c.rms_eps = static_cast<float>(*eps);
  c.rope_style = c.arch == Arch::kLlama ? RopeStyle::kNormal : RopeStyle::kNeox;
  c.qkv_bias = c.arch == Arch::kQwen2;
  c.qk_norm = c.arch == Arch::kQwen3;

  const GgufTensor* embd = f.find_tensor("token_embd.weight");
  if (embd == nullptr) return bad("tensor token_embd.weight is missing");
  if (embd->n_dims != 2 || embd->ne[0] != c.n_embd) {
    return bad("token_embd.weight does not have " + std::to_string(c.n_embd) + " columns");
  }
  c.n_vocab = static_cast<int>(std::min<int64_t>(embd->ne[1], kBig * 16));
  c.tied_output = f.find_tensor("output.weight") == nullptr;

  // RoPE scaling. A rope_freqs tensor (what converters write for Llama 3) wins over keys.
  if (f.has(p + "rope.scaling.type")) {
    auto type = f.get_string(p + "rope.scaling.type");
    if (!type.ok()) return bad(type.error().message);
    auto factor = f.get_float(p + "rope.scaling.factor");
    if (*type == "linear") {
      if (!factor.ok() || !(*factor > 0)) return bad("linear RoPE scaling needs a factor");
      c.rope_freq_scale = static_cast<float>(1.0 / *factor);
    } else if (*type == "llama3") {
      auto low = f.get_float(p + "rope.scaling.low_freq_factor");
      auto high = f.get_float(p + "rope.scaling.high_freq_factor");
      auto orig = f.get_float(p + "rope.scaling.original_context_length");
      if (!factor.ok() || !low.ok() || !high.ok() || !orig.ok() || !(*high > *low)) {
        return bad(
            "llama3 RoPE scaling needs factor, low/high_freq_factor, original_context_length");
      }
      c.rope_freq_factors = llama3_factors(c.n_rot, c.rope_base, static_cast<float>(*factor),
                                           static_cast<float>(*low), static_cast<float>(*high),
                                           static_cast<float>(*orig));
    } else if (*type != "none") {
      return make_error(Errc::kUnsupported,
                        "RoPE scaling type '" + std::string(*type) + "' is not supported");
    }
  }
  return c;
}

}  // namespace woolly::engine
