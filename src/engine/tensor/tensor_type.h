// Tensor element types as numbered by GGUF/ggml, with their block layouts. A "block" is the unit
// a quantized row is made of: `block_elems` values stored in `block_bytes` bytes. Rows always
// hold a whole number of blocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace woolly::engine {

// Values are the on-disk ggml type ids; only the types Woolly computes with are listed.
enum class TensorType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ5_0 = 6,
  kQ5_1 = 7,
  kQ8_0 = 8,
  kQ4_K = 12,
  kQ5_K = 13,
  kQ6_K = 14,
  kBF16 = 30,
};

struct TensorTypeTraits {
  std::string_view name;  // as ggml spells it: "F32", "Q4_K", ...
  uint32_t block_elems;
  uint32_t block_bytes;
};

// The type for a ggml type id, or nothing when Woolly does not support it.
std::optional<TensorType> tensor_type_from_id(uint32_t id);
// Human name of any ggml type id, also unsupported ones ("IQ2_XXS"), for error messages.
std::string ggml_type_name(uint32_t id);

const TensorTypeTraits& traits(TensorType type);
inline std::string_view type_name(TensorType type) { return traits(type).name; }
inline uint32_t block_elems(TensorType type) { return traits(type).block_elems; }
inline uint32_t block_bytes(TensorType type) { return traits(type).block_bytes; }
// Bytes of a row of `n` elements; n must be a multiple of block_elems(type).
inline size_t row_bytes(TensorType type, int64_t n) {
  return static_cast<size_t>(n / block_elems(type)) * block_bytes(type);
}

// Block layouts (little-endian, packed). QK = 32 for the legacy types, 256 for K-quants.
// Kept here as documentation; kernels read them through these structs.
inline constexpr int kQk = 32;
inline constexpr int kQkK = 256;

struct BlockQ4_0 {  // x = (q - 8) * d; q[i] low nibble = elem i, high nibble = elem i + 16
  uint16_t d;
  uint8_t qs[kQk / 2];
};
struct BlockQ4_1 {  // x = q * d + m
  uint16_t d, m;
  uint8_t qs[kQk / 2];
};
struct BlockQ5_0 {  // x = (q - 16) * d; fifth bit of elem i is bit i of qh
  uint16_t d;
  uint8_t qh[4];
  uint8_t qs[kQk / 2];
};
struct BlockQ5_1 {  // x = q * d + m
  uint16_t d, m;
  uint8_t qh[4];
  uint8_t qs[kQk / 2];
};
struct BlockQ8_0 {  // x = q * d
  uint16_t d;
  int8_t qs[kQk];
};
// K-quants: a super-block of 256 values in 8 sub-blocks of 32 (Q4_K/Q5_K, 6-bit scale and min
// per sub-block packed in 12 bytes) or 16 sub-blocks of 16 (Q6_K, int8 scales).
struct BlockQ4_K {  // x = d * sc_j * q - dmin * m_j
  uint16_t d, dmin;
  uint8_t scales[12];
  uint8_t qs[kQkK / 2];
};
struct BlockQ5_K {
  uint16_t d, dmin;
  uint8_t scales[12];
  uint8_t qh[kQkK / 8];
  uint8_t qs[kQkK / 2];
};
struct BlockQ6_K {  // x = d * sc_j * (q - 32), q = 4 low bits from ql + 2 high bits from qh
  uint8_t ql[kQkK / 2];
  uint8_t qh[kQkK / 4];
  int8_t scales[kQkK / 16];
  uint16_t d;
};
// Activations quantized for the legacy-type dot products: a Q8_0 block whose scale is kept as
// a float (holding the same half-rounded value ggml stores), so the kernels, which read it once
// per weight row, need no conversion.
struct BlockQ8_0Act {
  float d;
  int8_t qs[kQk];
};
// Activations quantized for the K-quant dot products: float scale, int8 values, and the sums
// of each 16 values (the min terms of Q4_K/Q5_K need them).
struct BlockQ8_K {
  float d;
  int8_t qs[kQkK];
  int16_t bsums[kQkK / 16];
};

static_assert(sizeof(BlockQ4_0) == 18 && sizeof(BlockQ4_1) == 20 && sizeof(BlockQ5_0) == 22 &&
              sizeof(BlockQ5_1) == 24 && sizeof(BlockQ8_0) == 34 && sizeof(BlockQ4_K) == 144 &&
              sizeof(BlockQ5_K) == 176 && sizeof(BlockQ6_K) == 210 && sizeof(BlockQ8_K) == 292 &&
              sizeof(BlockQ8_0Act) == 36);

}  // namespace woolly::engine
