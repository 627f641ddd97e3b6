// Row conversions between float and every TensorType (plain scalar code; these are references
// for the SIMD kernels and the tools for writing test and demo models). `n` must be a multiple
// of the type's block size.
#pragma once

#include <cstdint>

#include "engine/tensor/tensor_type.h"

namespace woolly::engine {

// dst[0..n) = the values stored in `src` (a row of `type`).
void dequantize_row(TensorType type, const void* src, float* dst, int64_t n);

// Encodes n floats as `type` into dst (row_bytes(type, n) bytes). The legacy types use ggml's
// reference rounding (scale from the absolute maximum); K-quants use a simple min/max fit per
// sub-block, which is fine for tests and random-weight models but not tuned like llama-quantize.
void quantize_row(TensorType type, const float* src, void* dst, int64_t n);

// Activation quantization used by the integer dot products (llama.cpp's Q8_K layout).
void quantize_row_q8_k(const float* src, BlockQ8_K* dst, int64_t n);

}  // namespace woolly::engine
