#include "engine/tensor/dot.h"

#include <cstring>

#include "engine/tensor/detail/k_scales.h"
#include "engine/tensor/half.h"
#include "engine/tensor/quant.h"

namespace woolly::engine {
namespace {

using detail::k_scale_min;

// Unpacks a legacy block's 32 weights to small integers (before bias) and returns d and m.
void unpack_legacy(TensorType type, const uint8_t* p, int q[32], float& d, float& m) {
  uint16_t dh, mh = 0;
  std::memcpy(&dh, p, 2);
  const bool has_min = type == TensorType::kQ4_1 || type == TensorType::kQ5_1;
  const bool five = type == TensorType::kQ5_0 || type == TensorType::kQ5_1;
  if (has_min) std::memcpy(&mh, p + 2, 2);
  const uint8_t* qs = p + (has_min ? 4 : 2);
  uint32_t qh = 0;
  if (five) {
    std::memcpy(&qh, qs, 4);
    qs += 4;
  }
  const int bias = has_min ? 0 : (five ? 16 : 8);
  for (int l = 0; l < 16; ++l) {
    q[l] = ((qs[l] & 0xF) | (five ? static_cast<int>((qh >> l) & 1) << 4 : 0)) - bias;
    q[l + 16] = ((qs[l] >> 4) | (five ? static_cast<int>((qh >> (l + 16)) & 1) << 4 : 0)) - bias;
  }
  d = half_to_float(dh);
  m = has_min ? half_to_float(mh) : 0.f;
}

// Integer levels (0..15 or 0..31) of a Q4_K/Q5_K super-block in value order; qh null for Q4_K.
void k_levels_q45(const uint8_t* qs, const uint8_t* qh, int q[kQkK]) {
  for (int c = 0; c < 4; ++c) {
    for (int l = 0; l < 32; ++l) {
      q[64 * c + l] = qs[32 * c + l] & 0xF;
      q[64 * c + 32 + l] = qs[32 * c + l] >> 4;
      if (qh != nullptr) {
        q[64 * c + l] += ((qh[l] >> (2 * c)) & 1) << 4;
        q[64 * c + 32 + l] += ((qh[l] >> (2 * c + 1)) & 1) << 4;
      }
    }
  }
}

// Signed levels (-32..31) of a Q6_K super-block in value order.
void k_levels_q6(const BlockQ6_K& b, int q[kQkK]) {
  for (int h = 0; h < 2; ++h) {
    const uint8_t* ql = b.ql + 64 * h;
    const uint8_t* qh = b.qh + 32 * h;
    int* out = q + 128 * h;
    for (int l = 0; l < 32; ++l) {
      out[l] = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
      out[l + 32] = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
      out[l + 64] = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
      out[l + 96] = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
    }
  }
}

}  // namespace

DotInput dot_input_for(TensorType w) {
  switch (w) {
    case TensorType::kF32:
      return DotInput::kF32;
    case TensorType::kF16:
      return DotInput::kF16;
    case TensorType::kBF16:
      return DotInput::kBF16;
    case TensorType::kQ4_K:
    case TensorType::kQ5_K:
    case TensorType::kQ6_K:
      return DotInput::kQ8_K;
    default:
      return DotInput::kQ8_0;
  }
}

size_t dot_input_bytes(DotInput in, int64_t n) {
  switch (in) {
    case DotInput::kF32:
      return n * 4;
    case DotInput::kF16:
    case DotInput::kBF16:
      return n * 2;
    case DotInput::kQ8_0:
      return n / kQk * sizeof(BlockQ8_0Act);
    case DotInput::kQ8_K:
      return n / kQkK * sizeof(BlockQ8_K);
  }
  return 0;
}

void encode_input_ref(DotInput in, const float* x, void* dst, int64_t n) {
  switch (in) {
    case DotInput::kF32:
      std::memcpy(dst, x, n * 4);
      return;
    case DotInput::kF16:
      quantize_row(TensorType::kF16, x, dst, n);
      return;
    case DotInput::kBF16:
      quantize_row(TensorType::kBF16, x, dst, n);
      return;
    case DotInput::kQ8_0: {
      auto* out = static_cast<BlockQ8_0Act*>(dst);
      for (int64_t i = 0; i < n / kQk; ++i) {
        BlockQ8_0 b;
        quantize_row(TensorType::kQ8_0, x + i * kQk, &b, kQk);
        out[i].d = half_to_float(b.d);
        std::memcpy(out[i].qs, b.qs, kQk);
      }
      return;
    }
    case DotInput::kQ8_K:
      quantize_row_q8_k(x, static_cast<BlockQ8_K*>(dst), n);
      return;
  }
}

float vec_dot_ref(TensorType type, const void* w, const void* x, int64_t n) {
  switch (type) {
    case TensorType::kF32: {
      const auto* a = static_cast<const float*>(w);
      const auto* b = static_cast<const float*>(x);
      float s = 0.f;
      for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
      return s;
    }
    case TensorType::kF16:
    case TensorType::kBF16: {
      const auto* a = static_cast<const uint16_t*>(w);
      const auto* b = static_cast<const uint16_t*>(x);
      const bool bf = type == TensorType::kBF16;
      float s = 0.f;
      for (int64_t i = 0; i < n; ++i) {
        s += bf ? bf16_to_float(a[i]) * bf16_to_float(b[i])
                : half_to_float(a[i]) * half_to_float(b[i]);
      }
      return s;
    }
    case TensorType::kQ4_0:
    case TensorType::kQ4_1:
    case TensorType::kQ5_0:
    case TensorType::kQ5_1:
    case TensorType::kQ8_0: {
      // Per block: d_w * d_x * sum(q_w * q_x) + m_w * d_x * sum(q_x).
      const auto* xb = static_cast<const BlockQ8_0Act*>(x);
      const auto* base = static_cast<const uint8_t*>(w);
      const size_t bytes = block_bytes(type);
      float s = 0.f;
      for (int64_t i = 0; i < n / kQk; ++i) {
        int q[32];
        float d, m = 0.f;
        if (type == TensorType::kQ8_0) {
          const auto* wb = reinterpret_cast<const BlockQ8_0*>(base) + i;
          for (int l = 0; l < 32; ++l) q[l] = wb->qs[l];
          d = half_to_float(wb->d);
        } else {
          unpack_legacy(type, base + i * bytes, q, d, m);
        }
        int dot = 0, sum_x = 0;
        for (int l = 0; l < 32; ++l) {
          dot += q[l] * xb[i].qs[l];
          sum_x += xb[i].qs[l];
        }
        const float dx = xb[i].d;
        s += d * dx * static_cast<float>(dot) + m * dx * static_cast<float>(sum_x);
      }
      return s;
    }
    case TensorType::kQ4_K:
    case TensorType::kQ5_K:
    case TensorType::kQ6_K: {
      // Q4_K/Q5_K: d * d_x * sum_j sc_j * sum(q * q_x) - dmin * d_x * sum_j m_j * bsum_j over
      // 8 sub-blocks of 32; Q6_K: d * d_x * sum_j sc_j * sum((q - 32) * q_x) over 16 of 16.
      const auto* xb = static_cast<const BlockQ8_K*>(x);
      float s = 0.f;
      for (int64_t i = 0; i < n / kQkK; ++i) {
        int q[kQkK];
        int64_t dot = 0, mins = 0;
        float d, dmin = 0.f;
        if (type == TensorType::kQ6_K) {
          const BlockQ6_K& b = static_cast<const BlockQ6_K*>(w)[i];
          k_levels_q6(b, q);
          for (int j = 0; j < 16; ++j) {
            int sub = 0;
            for (int l = 0; l < 16; ++l) sub += q[16 * j + l] * xb[i].qs[16 * j + l];
            dot += static_cast<int64_t>(b.scales[j]) * sub;
          }
          d = half_to_float(b.d);
        } else {
          const uint8_t* scales;
          if (type == TensorType::kQ5_K) {
            const BlockQ5_K& b = static_cast<const BlockQ5_K*>(w)[i];
            k_levels_q45(b.qs, b.qh, q);
            scales = b.scales;
            d = half_to_float(b.d);
            dmin = half_to_float(b.dmin);
          } else {
            const BlockQ4_K& b = static_cast<const BlockQ4_K*>(w)[i];
            k_levels_q45(b.qs, nullptr, q);
            scales = b.scales;
            d = half_to_float(b.d);
            dmin = half_to_float(b.dmin);
          }
          for (int j = 0; j < 8; ++j) {
            int sc, m;
            k_scale_min(j, scales, sc, m);
            int sub = 0;
            for (int l = 0; l < 32; ++l) sub += q[32 * j + l] * xb[i].qs[32 * j + l];
            dot += static_cast<int64_t>(sc) * sub;
            mins += static_cast<int64_t>(m) * (xb[i].bsums[2 * j] + xb[i].bsums[2 * j + 1]);
          }
        }
        s += d * xb[i].d * static_cast<float>(dot) - dmin * xb[i].d * static_cast<float>(mins);
      }
      return s;
    }
  }
  return 0.f;
}

}  // namespace woolly::engine
