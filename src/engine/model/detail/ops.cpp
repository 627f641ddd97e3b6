#include "engine/model/detail/ops.h"

#include <cmath>
#include <cstring>

#include "engine/tensor/half.h"

namespace woolly::engine::ops {

void rms_norm(const float* x, const float* w, float* y, int64_t n, float eps) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  const float scale = static_cast<float>(1.0 / std::sqrt(sum / n + eps));
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * scale * w[i];
}

void rope_table(const ModelConfig& c, int pos, float* cos_out, float* sin_out) {
  const int half = c.n_rot / 2;
  // theta_i = p * base^(-2i/n_rot), built by repeated float multiplication like llama.cpp's
  // rope cache, so long positions round the same way as the reference outputs.
  const float theta_scale = std::pow(c.rope_base, -2.0f / c.n_rot);
  float theta = static_cast<float>(pos) * c.rope_freq_scale;
  for (int i = 0; i < half; ++i) {
    const float t = c.rope_freq_factors.empty() ? theta : theta / c.rope_freq_factors[i];
    cos_out[i] = std::cos(t);
    sin_out[i] = std::sin(t);
    theta *= theta_scale;
  }
}

void rope(const ModelConfig& c, float* head, const float* cs, const float* sn) {
  const int half = c.n_rot / 2;
  // (a, b) -> (a cos - b sin, a sin + b cos) for each rotated pair.
  for (int i = 0; i < half; ++i) {
    float* a = c.rope_style == RopeStyle::kNormal ? head + 2 * i : head + i;
    float* b = c.rope_style == RopeStyle::kNormal ? head + 2 * i + 1 : head + i + half;
    const float x0 = *a, x1 = *b;
    *a = x0 * cs[i] - x1 * sn[i];
    *b = x0 * sn[i] + x1 * cs[i];
  }
}

void swiglu(float* gate, const float* up, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i];
    gate[i] = g / (1.f + std::exp(-g)) * up[i];
  }
}

void store_kv(KvType type, const float* src, std::byte* dst, int64_t n) {
  if (type == KvType::kF32) {
    std::memcpy(dst, src, n * sizeof(float));
    return;
  }
  auto* h = reinterpret_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) h[i] = float_to_half(src[i]);
}

void round_like_cache(KvType type, const float* q, float* out, int64_t n) {
  if (type == KvType::kF32) {
    std::memcpy(out, q, n * sizeof(float));
    return;
  }
  for (int64_t i = 0; i < n; ++i) out[i] = half_to_float(float_to_half(q[i]));
}

void attend(const Kernels& kern, KvType type, const float* q, int64_t hd, float scale, int n_pos,
            const std::byte* k, const std::byte* v, size_t row_stride, float* scores, float* out) {
  float max = -INFINITY;
  for (int j = 0; j < n_pos; ++j) {
    const std::byte* kj = k + j * row_stride;
    float s;
    if (type == KvType::kF32) {
      s = kern.dot_f32_f32(q, reinterpret_cast<const float*>(kj), hd);
    } else {
      s = kern.dot_f32_f16(q, reinterpret_cast<const uint16_t*>(kj), hd);
    }
    scores[j] = s * scale;
    max = std::max(max, scores[j]);
  }
  double sum = 0.0;
  for (int j = 0; j < n_pos; ++j) {
    scores[j] = std::exp(scores[j] - max);
    sum += scores[j];
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int j = 0; j < n_pos; ++j) scores[j] *= inv;
  if (type == KvType::kF32) {
    kern.weighted_sum_f32(scores, reinterpret_cast<const float*>(v), row_stride / sizeof(float),
                          n_pos, hd, out);
  } else {
    kern.weighted_sum_f16(scores, reinterpret_cast<const uint16_t*>(v),
                          row_stride / sizeof(uint16_t), n_pos, hd, out);
  }
}

}  // namespace woolly::engine::ops
