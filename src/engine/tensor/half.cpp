#include "engine/tensor/half.h"

#include <cmath>
#include <vector>

namespace woolly::engine {

float half_to_float_slow(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t exp = (h >> 10) & 0x1f;
  const uint32_t mant = h & 0x3ff;
  if (exp == 0) {
    // Subnormal or zero: mant * 2^-24.
    const float v = std::ldexp(static_cast<float>(mant), -24);
    return bits_float(float_bits(v) | sign);
  }
  if (exp == 31) return bits_float(sign | 0x7f800000 | (mant << 13));
  return bits_float(sign | ((exp + 112) << 23) | (mant << 13));
}

uint16_t float_to_half(float f) {
  const uint32_t u = float_bits(f);
  const uint32_t sign = (u >> 16) & 0x8000;
  const uint32_t abs = u & 0x7fffffff;
  if (abs > 0x7f800000) return static_cast<uint16_t>(sign | 0x7e00);   // NaN
  if (abs >= 0x477ff000) return static_cast<uint16_t>(sign | 0x7c00);  // rounds to infinity
  if (abs < 0x38800000) {
    // Result is subnormal in half: round abs * 2^24 to an integer, nearest even.
    const float v = bits_float(abs) * 16777216.0f;
    return static_cast<uint16_t>(sign | static_cast<uint32_t>(std::nearbyint(v)));
  }
  // Normal: drop 13 mantissa bits with round to nearest even; a carry bumps the exponent.
  uint32_t r = abs - (112u << 23);
  r += 0xfff + ((r >> 13) & 1);
  return static_cast<uint16_t>(sign | (r >> 13));
}

namespace {
const float* build_table() {
  static std::vector<float> table = [] {
    std::vector<float> t(65536);
    for (uint32_t i = 0; i < 65536; ++i) t[i] = half_to_float_slow(static_cast<uint16_t>(i));
    return t;
  }();
  return table.data();
}
}  // namespace

const float* const kHalfTable = build_table();

}  // namespace woolly::engine
