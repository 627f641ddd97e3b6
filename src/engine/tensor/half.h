// IEEE half and bfloat16 <-> float conversions (scalar). Round to nearest even, like the F16C
// and AVX-512 BF16 instructions, so scalar and SIMD paths produce the same bits.
#pragma once

#include <cstdint>
#include <cstring>

namespace woolly::engine {

inline uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float bits_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// Decoded by table: 65536 floats, filled once at start-up.
extern const float* const kHalfTable;
inline float half_to_float(uint16_t h) { return kHalfTable[h]; }
float half_to_float_slow(uint16_t h);
uint16_t float_to_half(float f);

inline float bf16_to_float(uint16_t h) { return bits_float(static_cast<uint32_t>(h) << 16); }
inline uint16_t float_to_bf16(float f) {
  uint32_t u = float_bits(f);
  if ((u & 0x7fffffff) > 0x7f800000) return static_cast<uint16_t>((u >> 16) | 0x40);  // NaN
  u += 0x7fff + ((u >> 16) & 1);
  return static_cast<uint16_t>(u >> 16);
}

}  // namespace woolly::engine
