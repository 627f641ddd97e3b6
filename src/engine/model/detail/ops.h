// Element-wise pieces of the transformer forward pass (normalization, rotary embedding, SwiGLU,
// attention over one head's cache). Matrix products live in engine/tensor.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/model/model.h"
#include "engine/tensor/kernels.h"

namespace woolly::engine::ops {

// y = x / sqrt(mean(x^2) + eps) * w  (sum of squares in double, as llama.cpp does); y may be x.
void rms_norm(const float* x, const float* w, float* y, int64_t n, float eps);

// cos/sin of theta_i = pos * freq_scale * base^(-2i/n_rot) / factor_i for i < n_rot/2, in float
// as llama.cpp computes them (its reference outputs agree ~10x better than with exact angles).
void rope_table(const ModelConfig& c, int pos, float* cos_out, float* sin_out);
// Rotates one head in place: pairs (2i, 2i+1) for kNormal, (i, i + n_rot/2) for kNeox.
void rope(const ModelConfig& c, float* head, const float* cs, const float* sn);

// gate[i] = silu(gate[i]) * up[i], silu(x) = x / (1 + e^-x).
void swiglu(float* gate, const float* up, int64_t n);

inline size_t kv_elem_bytes(KvType t) { return t == KvType::kF16 ? 2 : 4; }
void store_kv(KvType type, const float* src, std::byte* dst, int64_t n);
// Copies q, rounded to the cache's precision (the F16 cache compares F16 queries, as llama.cpp
// does when its cache is F16).
void round_like_cache(KvType type, const float* q, float* out, int64_t n);

// One head of causal attention over positions [0, n_pos):
//   s_j = scale * q . K_j,  p = softmax(s),  out = sum_j p_j V_j.
// K_j starts at k + j * row_stride bytes (V likewise); `scores` holds n_pos floats of scratch.
void attend(const Kernels& kern, KvType type, const float* q, int64_t hd, float scale, int n_pos,
            const std::byte* k, const std::byte* v, size_t row_stride, float* scores, float* out);

}  // namespace woolly::engine::ops
