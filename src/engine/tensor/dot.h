// Dot products between a weight row of any TensorType and an activation row encoded the way
// llama.cpp encodes it for that weight type: F32 stays F32, F16/BF16 weights meet F16/BF16
// activations, the legacy quants meet Q8_0 blocks and the K-quants Q8_K blocks (integer dot
// products, one float multiply per block). This file is the scalar reference; kernels.h holds
// the SIMD versions, which must agree with it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/tensor/tensor_type.h"

namespace woolly::engine {

enum class DotInput { kF32, kF16, kBF16, kQ8_0, kQ8_K };

DotInput dot_input_for(TensorType weight);
// Bytes one encoded activation row of n values takes.
size_t dot_input_bytes(DotInput in, int64_t n);
// Encodes n floats for dot products against rows whose type maps to `in`.
void encode_input_ref(DotInput in, const float* x, void* dst, int64_t n);
// sum_i w[i] * x[i] for a weight row of `type` and an activation row encoded for it.
float vec_dot_ref(TensorType type, const void* w, const void* x, int64_t n);

}  // namespace woolly::engine
