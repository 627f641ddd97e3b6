// Matrix products of the forward pass: weights in place (any TensorType, rows = outputs) times
// a batch of activation rows already encoded for that weight type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "engine/tensor/kernels.h"
#include "engine/tensor/tensor_type.h"
#include "engine/tensor/thread_pool.h"

namespace woolly::engine {

// A weight matrix used in place: n_out rows of n_in values, row r at data + r * row_bytes.
struct WeightView {
  TensorType type = TensorType::kF32;
  const std::byte* data = nullptr;
  int64_t n_in = 0;
  int64_t n_out = 0;
  size_t row_bytes = 0;

  const std::byte* row(int64_t r) const { return data + static_cast<size_t>(r) * row_bytes; }
};

// y[t * y_stride + r] = sum_i W[r][i] * x_t[i] for t < n_tokens, r < n_out, where x_t is the
// encoded input row at x + t * x_stride bytes. Output rows are split across the pool.
void matmul(const Kernels& k, ThreadPool& pool, const WeightView& w, const std::byte* x,
            size_t x_stride, int64_t n_tokens, float* y, int64_t y_stride);

// One weight matrix and its output (y_stride = w->n_out) for matmul_multi.
inline constexpr size_t kMaxMatmulJobs = 8;

struct MatmulJob {
  const WeightView* w;
  float* y;
};

// Several matrices over the same encoded input (all of them must take the same DotInput,
// e.g. Q/K/V or gate/up) in one parallel pass: one thread synchronization instead of one each.
// At most kMaxMatmulJobs jobs.
void matmul_multi(const Kernels& k, ThreadPool& pool, std::span<const MatmulJob> jobs,
                  const std::byte* x, size_t x_stride, int64_t n_tokens);

}  // namespace woolly::engine
