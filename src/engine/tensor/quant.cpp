#include "engine/tensor/quant.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/tensor/detail/k_scales.h"
#include "engine/tensor/half.h"

namespace woolly::engine {
namespace {

inline int round_int(float v) { return static_cast<int>(std::nearbyint(v)); }

using detail::k_scale_min;

inline void k_pack_scale_min(int j, int sc, int m, uint8_t* q) {
  if (j < 4) {
    q[j] = static_cast<uint8_t>((q[j] & 0xC0) | sc);
    q[j + 4] = static_cast<uint8_t>((q[j + 4] & 0xC0) | m);
  } else {
    q[j + 4] = static_cast<uint8_t>((sc & 0xF) | ((m & 0xF) << 4));
    q[j - 4] = static_cast<uint8_t>(q[j - 4] | ((sc >> 4) << 6));
    q[j] = static_cast<uint8_t>(q[j] | ((m >> 4) << 6));
  }
}

void dequant_q4_k(const BlockQ4_K* b, int64_t nb, float* y) {
  for (int64_t i = 0; i < nb; ++i, ++b) {
    const float d = half_to_float(b->d), dmin = half_to_float(b->dmin);
    const uint8_t* q = b->qs;
    // Chunk c of 64 values: low nibbles of q[0..32) are sub-block 2c, high nibbles 2c+1.
    for (int c = 0; c < 4; ++c, q += 32) {
      int sc0, m0, sc1, m1;
      k_scale_min(2 * c, b->scales, sc0, m0);
      k_scale_min(2 * c + 1, b->scales, sc1, m1);
      for (int l = 0; l < 32; ++l) *y++ = d * sc0 * (q[l] & 0xF) - dmin * m0;
      for (int l = 0; l < 32; ++l) *y++ = d * sc1 * (q[l] >> 4) - dmin * m1;
    }
  }
}

void dequant_q5_k(const BlockQ5_K* b, int64_t nb, float* y) {
  for (int64_t i = 0; i < nb; ++i, ++b) {
    const float d = half_to_float(b->d), dmin = half_to_float(b->dmin);
    const uint8_t* q = b->qs;
    for (int c = 0; c < 4; ++c, q += 32) {
      int sc0, m0, sc1, m1;
      k_scale_min(2 * c, b->scales, sc0, m0);
      k_scale_min(2 * c + 1, b->scales, sc1, m1);
      const int h0 = 1 << (2 * c), h1 = 2 << (2 * c);
      for (int l = 0; l < 32; ++l)
        *y++ = d * sc0 * ((q[l] & 0xF) + ((b->qh[l] & h0) ? 16 : 0)) - dmin * m0;
      for (int l = 0; l < 32; ++l)
        *y++ = d * sc1 * ((q[l] >> 4) + ((b->qh[l] & h1) ? 16 : 0)) - dmin * m1;
    }
  }
}

void dequant_q6_k(const BlockQ6_K* b, int64_t nb, float* y) {
  for (int64_t i = 0; i < nb; ++i, ++b) {
    const float d = half_to_float(b->d);
    // Half h holds 128 values; value 128h + 32k + l has its low 4 bits in ql (nibble k/2 of
    // byte l + 32*(k%2)) and its high 2 bits in bits 2k..2k+1 of qh[l].
    for (int h = 0; h < 2; ++h) {
      const uint8_t* ql = b->ql + 64 * h;
      const uint8_t* qh = b->qh + 32 * h;
      const int8_t* sc = b->scales + 8 * h;
      float* out = y + 256 * i + 128 * h;
      for (int l = 0; l < 32; ++l) {
        const int is = l / 16;
        const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        out[l] = d * sc[is] * q1;
        out[l + 32] = d * sc[is + 2] * q2;
        out[l + 64] = d * sc[is + 4] * q3;
        out[l + 96] = d * sc[is + 6] * q4;
      }
    }
  }
}

// Q4_K / Q5_K encoder: per sub-block of 32 a scale and a (non-positive) minimum, both stored as
// 6-bit multiples of super-block d and dmin. `levels` is 15 (Q4_K) or 31 (Q5_K).
void quant_k_minmax(const float* x, int levels, float& d, float& dmin, uint8_t* scales,
                    uint8_t* q) {
  float sub_scale[8], sub_min[8];
  for (int j = 0; j < 8; ++j) {
    float lo = 0.f, hi = 0.f;
    for (int l = 0; l < 32; ++l) {
      lo = std::min(lo, x[32 * j + l]);
      hi = std::max(hi, x[32 * j + l]);
    }
    sub_scale[j] = (hi - lo) / levels;
    sub_min[j] = -lo;
  }
  const float max_scale = *std::max_element(sub_scale, sub_scale + 8);
  const float max_min = *std::max_element(sub_min, sub_min + 8);
  d = half_to_float(float_to_half(max_scale / 63.f));
  dmin = half_to_float(float_to_half(max_min / 63.f));
  std::memset(scales, 0, 12);
  for (int j = 0; j < 8; ++j) {
    const int sc = d > 0 ? std::clamp(round_int(sub_scale[j] / d), 0, 63) : 0;
    const int m = dmin > 0 ? std::clamp(round_int(sub_min[j] / dmin), 0, 63) : 0;
    k_pack_scale_min(j, sc, m, scales);
    const float step = d * sc, offset = dmin * m;
    for (int l = 0; l < 32; ++l) {
      const int v = step > 0 ? round_int((x[32 * j + l] + offset) / step) : 0;
      q[32 * j + l] = static_cast<uint8_t>(std::clamp(v, 0, levels));
    }
  }
}

void quant_q4_k(const float* x, BlockQ4_K* b, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, ++b, x += kQkK) {
    uint8_t q[kQkK];
    float d, dmin;
    quant_k_minmax(x, 15, d, dmin, b->scales, q);
    b->d = float_to_half(d);
    b->dmin = float_to_half(dmin);
    for (int c = 0; c < 4; ++c)
      for (int l = 0; l < 32; ++l)
        b->qs[32 * c + l] = static_cast<uint8_t>(q[64 * c + l] | (q[64 * c + 32 + l] << 4));
  }
}

void quant_q5_k(const float* x, BlockQ5_K* b, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, ++b, x += kQkK) {
    uint8_t q[kQkK];
    float d, dmin;
    quant_k_minmax(x, 31, d, dmin, b->scales, q);
    b->d = float_to_half(d);
    b->dmin = float_to_half(dmin);
    std::memset(b->qh, 0, sizeof b->qh);
    for (int c = 0; c < 4; ++c) {
      for (int l = 0; l < 32; ++l) {
        const uint8_t a = q[64 * c + l], h = q[64 * c + 32 + l];
        b->qs[32 * c + l] = static_cast<uint8_t>((a & 0xF) | ((h & 0xF) << 4));
        b->qh[l] |= static_cast<uint8_t>(((a >> 4) << (2 * c)) | ((h >> 4) << (2 * c + 1)));
      }
    }
  }
}

void quant_q6_k(const float* x, BlockQ6_K* b, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, ++b, x += kQkK) {
    float sub_scale[16];
    for (int j = 0; j < 16; ++j) {
      float amax = 0.f;
      for (int l = 0; l < 16; ++l) amax = std::max(amax, std::fabs(x[16 * j + l]));
      sub_scale[j] = amax / 31.f;
    }
    const float max_scale = *std::max_element(sub_scale, sub_scale + 16);
    const float d = half_to_float(float_to_half(max_scale / 127.f));
    b->d = float_to_half(d);
    int q[kQkK];
    for (int j = 0; j < 16; ++j) {
      const int sc = d > 0 ? std::clamp(round_int(sub_scale[j] / d), 0, 127) : 0;
      b->scales[j] = static_cast<int8_t>(sc);
      const float step = d * sc;
      for (int l = 0; l < 16; ++l) {
        const int v = step > 0 ? round_int(x[16 * j + l] / step) : 0;
        q[16 * j + l] = std::clamp(v, -32, 31) + 32;
      }
    }
    for (int h = 0; h < 2; ++h) {
      uint8_t* ql = b->ql + 64 * h;
      uint8_t* qh = b->qh + 32 * h;
      const int* qq = q + 128 * h;
      for (int l = 0; l < 32; ++l) {
        const int q1 = qq[l], q2 = qq[l + 32], q3 = qq[l + 64], q4 = qq[l + 96];
        ql[l] = static_cast<uint8_t>((q1 & 0xF) | ((q3 & 0xF) << 4));
        ql[l + 32] = static_cast<uint8_t>((q2 & 0xF) | ((q4 & 0xF) << 4));
        qh[l] = static_cast<uint8_t>((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) |
                                     ((q4 >> 4) << 6));
      }
    }
  }
}

// Legacy 32-value blocks. Symmetric types (Q4_0, Q5_0, Q8_0) take d from the value with the
// largest magnitude, keeping its sign, so it maps exactly to the most negative level.
void quant_legacy(TensorType type, const float* x, void* dst, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQk) {
    float amax = 0.f, max = 0.f, lo = x[0], hi = x[0];
    for (int l = 0; l < kQk; ++l) {
      if (std::fabs(x[l]) > amax) {
        amax = std::fabs(x[l]);
        max = x[l];
      }
      lo = std::min(lo, x[l]);
      hi = std::max(hi, x[l]);
    }
    switch (type) {
      case TensorType::kQ8_0: {
        auto* b = static_cast<BlockQ8_0*>(dst) + i;
        const float d = amax / 127.f, id = d ? 1.f / d : 0.f;
        b->d = float_to_half(d);
        for (int l = 0; l < kQk; ++l) b->qs[l] = static_cast<int8_t>(round_int(x[l] * id));
        break;
      }
      case TensorType::kQ4_0:
      case TensorType::kQ5_0: {
        const bool five = type == TensorType::kQ5_0;
        const float d = max / (five ? -16.f : -8.f), id = d ? 1.f / d : 0.f;
        const int top = five ? 31 : 15, bias = five ? 16 : 8;
        uint8_t q[kQk];
        for (int l = 0; l < kQk; ++l)
          q[l] = static_cast<uint8_t>(std::min(top, static_cast<int>(x[l] * id + bias + 0.5f)));
        uint8_t* qs =
            five ? static_cast<BlockQ5_0*>(dst)[i].qs : static_cast<BlockQ4_0*>(dst)[i].qs;
        for (int l = 0; l < 16; ++l)
          qs[l] = static_cast<uint8_t>((q[l] & 0xF) | ((q[l + 16] & 0xF) << 4));
        if (five) {
          auto* b = static_cast<BlockQ5_0*>(dst) + i;
          b->d = float_to_half(d);
          uint32_t qh = 0;
          for (int l = 0; l < kQk; ++l) qh |= static_cast<uint32_t>(q[l] >> 4) << l;
          std::memcpy(b->qh, &qh, 4);
        } else {
          static_cast<BlockQ4_0*>(dst)[i].d = float_to_half(d);
        }
        break;
      }
      default: {  // Q4_1, Q5_1: x = q * d + m with m = min
        const bool five = type == TensorType::kQ5_1;
        const int top = five ? 31 : 15;
        const float d = (hi - lo) / top, id = d ? 1.f / d : 0.f;
        uint8_t q[kQk];
        for (int l = 0; l < kQk; ++l)
          q[l] = static_cast<uint8_t>(std::min(top, static_cast<int>((x[l] - lo) * id + 0.5f)));
        uint8_t* qs =
            five ? static_cast<BlockQ5_1*>(dst)[i].qs : static_cast<BlockQ4_1*>(dst)[i].qs;
        for (int l = 0; l < 16; ++l)
          qs[l] = static_cast<uint8_t>((q[l] & 0xF) | ((q[l + 16] & 0xF) << 4));
        if (five) {
          auto* b = static_cast<BlockQ5_1*>(dst) + i;
          b->d = float_to_half(d);
          b->m = float_to_half(lo);
          uint32_t qh = 0;
          for (int l = 0; l < kQk; ++l) qh |= static_cast<uint32_t>(q[l] >> 4) << l;
          std::memcpy(b->qh, &qh, 4);
        } else {
          auto* b = static_cast<BlockQ4_1*>(dst) + i;
          b->d = float_to_half(d);
          b->m = float_to_half(lo);
        }
        break;
      }
    }
  }
}

}  // namespace

void dequantize_row(TensorType type, const void* src, float* y, int64_t n) {
  const int64_t nb = n / block_elems(type);
  switch (type) {
    case TensorType::kF32:
      std::memcpy(y, src, n * sizeof(float));
      return;
    case TensorType::kF16: {
      const auto* h = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < n; ++i) y[i] = half_to_float(h[i]);
      return;
    }
    case TensorType::kBF16: {
      const auto* h = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < n; ++i) y[i] = bf16_to_float(h[i]);
      return;
    }
    case TensorType::kQ8_0: {
      const auto* b = static_cast<const BlockQ8_0*>(src);
      for (int64_t i = 0; i < nb; ++i) {
        const float d = half_to_float(b[i].d);
        for (int l = 0; l < kQk; ++l) *y++ = d * b[i].qs[l];
      }
      return;
    }
    case TensorType::kQ4_0:
    case TensorType::kQ4_1:
    case TensorType::kQ5_0:
    case TensorType::kQ5_1: {
      const auto* base = static_cast<const uint8_t*>(src);
      const size_t bytes = block_bytes(type);
      for (int64_t i = 0; i < nb; ++i, y += kQk) {
        const uint8_t* p = base + i * bytes;
        uint16_t dh, mh = 0;
        std::memcpy(&dh, p, 2);
        const bool has_min = type == TensorType::kQ4_1 || type == TensorType::kQ5_1;
        if (has_min) std::memcpy(&mh, p + 2, 2);
        const bool five = type == TensorType::kQ5_0 || type == TensorType::kQ5_1;
        uint32_t qh = 0;
        const uint8_t* qs = p + (has_min ? 4 : 2);
        if (five) {
          std::memcpy(&qh, qs, 4);
          qs += 4;
        }
        const float d = half_to_float(dh), m = has_min ? half_to_float(mh) : 0.f;
        const int bias = has_min ? 0 : (five ? 16 : 8);
        // Value l: low nibble of qs[l] (l < 16) or high nibble of qs[l-16]; bit l of qh on top.
        for (int l = 0; l < 16; ++l) {
          const int lo = (qs[l] & 0xF) | (five ? ((qh >> l) & 1) << 4 : 0);
          const int hi = (qs[l] >> 4) | (five ? ((qh >> (l + 16)) & 1) << 4 : 0);
          y[l] = (lo - bias) * d + m;
          y[l + 16] = (hi - bias) * d + m;
        }
      }
      return;
    }
    case TensorType::kQ4_K:
      dequant_q4_k(static_cast<const BlockQ4_K*>(src), nb, y);
      return;
    case TensorType::kQ5_K:
      dequant_q5_k(static_cast<const BlockQ5_K*>(src), nb, y);
      return;
    case TensorType::kQ6_K:
      dequant_q6_k(static_cast<const BlockQ6_K*>(src), nb, y);
      return;
  }
}

void quantize_row(TensorType type, const float* x, void* dst, int64_t n) {
  const int64_t nb = n / block_elems(type);
  switch (type) {
    case TensorType::kF32:
      std::memcpy(dst, x, n * sizeof(float));
      return;
    case TensorType::kF16: {
      auto* h = static_cast<uint16_t*>(dst);
      for (int64_t i = 0; i < n; ++i) h[i] = float_to_half(x[i]);
      return;
    }
    case TensorType::kBF16: {
      auto* h = static_cast<uint16_t*>(dst);
      for (int64_t i = 0; i < n; ++i) h[i] = float_to_bf16(x[i]);
      return;
    }
    case TensorType::kQ4_K:
      quant_q4_k(x, static_cast<BlockQ4_K*>(dst), nb);
      return;
    case TensorType::kQ5_K:
      quant_q5_k(x, static_cast<BlockQ5_K*>(dst), nb);
      return;
    case TensorType::kQ6_K:
      quant_q6_k(x, static_cast<BlockQ6_K*>(dst), nb);
      return;
    default:
      quant_legacy(type, x, dst, nb);
      return;
  }
}

void quantize_row_q8_k(const float* x, BlockQ8_K* b, int64_t n) {
  for (int64_t i = 0; i < n / kQkK; ++i, ++b, x += kQkK) {
    float amax = 0.f, max = 0.f;
    for (int l = 0; l < kQkK; ++l) {
      if (std::fabs(x[l]) > amax) {
        amax = std::fabs(x[l]);
        max = x[l];
      }
    }
    if (amax == 0.f) {
      std::memset(b, 0, sizeof *b);
      continue;
    }
    // Like llama.cpp: the largest-magnitude value maps to -127 (sign folded into the scale).
    const float iscale = -127.f / max;
    for (int l = 0; l < kQkK; ++l)
      b->qs[l] = static_cast<int8_t>(std::min(127, round_int(iscale * x[l])));
    for (int j = 0; j < kQkK / 16; ++j) {
      int sum = 0;
      for (int l = 0; l < 16; ++l) sum += b->qs[16 * j + l];
      b->bsums[j] = static_cast<int16_t>(sum);
    }
    b->d = 1.f / iscale;
  }
}

}  // namespace woolly::engine
