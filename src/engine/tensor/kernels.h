// The compute kernels of the forward pass as one table per instruction set. A forward pass asks
// for `best_kernels()` once and calls through the table, so the target choice is made once per
// pass, not per call. `reference_kernels()` is the plain scalar version every SIMD table is
// tested against.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/tensor/dot.h"
#include "engine/tensor/tensor_type.h"

namespace woolly::engine {

struct Kernels {
  // sum_i w[i] * x[i], w a row of the weight type, x encoded with encode(dot_input_for(type)).
  using DotFn = float (*)(const void* w, const void* x, int64_t n);
  using EncodeFn = void (*)(DotInput in, const float* x, void* dst, int64_t n);

  const char* target = "scalar";
  EncodeFn encode = nullptr;
  DotFn dot_f32 = nullptr, dot_f16 = nullptr, dot_bf16 = nullptr;
  DotFn dot_q8_0 = nullptr, dot_q4_0 = nullptr, dot_q4_1 = nullptr, dot_q5_0 = nullptr,
        dot_q5_1 = nullptr;
  DotFn dot_q4_k = nullptr, dot_q5_k = nullptr, dot_q6_k = nullptr;
  // Plain float helpers of the forward pass.
  float (*dot_f32_f32)(const float* a, const float* b, int64_t n) = nullptr;
  float (*dot_f32_f16)(const float* a, const uint16_t* b_half, int64_t n) = nullptr;
  // y[i] += a * x[i]
  void (*axpy)(float a, const float* x, float* y, int64_t n) = nullptr;
  void (*axpy_f16)(float a, const uint16_t* x_half, float* y, int64_t n) = nullptr;
  // Attention's value sum: out[i] = sum_{j < n_rows} p[j] * v[j * v_stride + i] for i < n,
  // v_stride in elements (floats or halves). Keeps out in registers across all rows.
  void (*weighted_sum_f32)(const float* p, const float* v, size_t v_stride, int n_rows, int64_t n,
                           float* out) = nullptr;
  void (*weighted_sum_f16)(const float* p, const uint16_t* v_half, size_t v_stride, int n_rows,
                           int64_t n, float* out) = nullptr;

  // Four activation rows at once (row r at x + r * x_stride): out[r] = dot(w, row r). Weight
  // blocks are unpacked once for all four, which is what makes prompt processing fast. Null
  // for types without one (callers fall back to dot_for).
  using Dot4Fn = void (*)(const void* w, const std::byte* x, size_t x_stride, int64_t n,
                          float* out);
  Dot4Fn dot4_q8_0 = nullptr, dot4_q4_0 = nullptr, dot4_q4_1 = nullptr, dot4_q5_0 = nullptr,
         dot4_q5_1 = nullptr, dot4_q4_k = nullptr, dot4_q5_k = nullptr, dot4_q6_k = nullptr;

  DotFn dot_for(TensorType type) const;
  Dot4Fn dot4_for(TensorType type) const;
};

const Kernels& reference_kernels();
// The best table for this CPU (Highway's runtime dispatch), resolved on each call; call once per
// forward pass and keep the reference.
const Kernels& best_kernels();
// One table per SIMD target compiled in and supported by this CPU (for tests).
std::vector<const Kernels*> all_supported_kernels();

}  // namespace woolly::engine
