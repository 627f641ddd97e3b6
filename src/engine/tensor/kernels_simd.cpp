// SIMD kernel tables, written once with Highway and compiled for each x86 target (SSE4, AVX2,
// AVX-512; the portable EMU128 build covers other CPUs). Quantized dot products follow one
// pattern: unpack a weight block to int8 levels with 128-bit byte operations, then multiply
// with the int8 activations as widened int16 pairs summed into int32 lanes (vpmaddwd), scale
// the block's integer sums once and accumulate in float lanes. Everything is reduced to a
// scalar once per row.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/tensor/kernels_simd.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <cstring>

#include "engine/tensor/detail/k_scales.h"
#include "engine/tensor/half.h"
#include "engine/tensor/kernels.h"

HWY_BEFORE_NAMESPACE();
namespace woolly::engine {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET == HWY_SCALAR
// Single-lane "SIMD" gains nothing over the reference; this target only exists as a fallback.
const Kernels* GetKernels() { return &reference_kernels(); }
#else

// ---------------------------------------------------------------- float rows
using DF = hn::ScalableTag<float>;

// sum_i a[i] * b[i]
float DotF32(const float* a, const float* b, int64_t n) {
  const DF df;
  const int64_t N = static_cast<int64_t>(hn::Lanes(df));
  auto s0 = hn::Zero(df), s1 = hn::Zero(df);
  int64_t i = 0;
  for (; i + 2 * N <= n; i += 2 * N) {
    s0 = hn::MulAdd(hn::LoadU(df, a + i), hn::LoadU(df, b + i), s0);
    s1 = hn::MulAdd(hn::LoadU(df, a + i + N), hn::LoadU(df, b + i + N), s1);
  }
  for (; i + N <= n; i += N) s0 = hn::MulAdd(hn::LoadU(df, a + i), hn::LoadU(df, b + i), s0);
  float s = hn::GetLane(hn::SumOfLanes(df, hn::Add(s0, s1)));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

float DotF32W(const void* w, const void* x, int64_t n) {
  return DotF32(static_cast<const float*>(w), static_cast<const float*>(x), n);
}

// sum_i a[i] * half(b[i]); a is float, b IEEE half.
float DotF32F16(const float* a, const uint16_t* b, int64_t n) {
  const DF df;
  const hn::Rebind<hwy::float16_t, DF> dh;
  const int64_t N = static_cast<int64_t>(hn::Lanes(df));
  auto s = hn::Zero(df);
  int64_t i = 0;
  for (; i + N <= n; i += N) {
    const auto h = hn::LoadU(dh, reinterpret_cast<const hwy::float16_t*>(b + i));
    s = hn::MulAdd(hn::LoadU(df, a + i), hn::PromoteTo(df, h), s);
  }
  float r = hn::GetLane(hn::SumOfLanes(df, s));
  for (; i < n; ++i) r += a[i] * half_to_float(b[i]);
  return r;
}

// sum_i half(a[i]) * half(b[i]) (F16 weights against F16-rounded activations), float sums.
float DotF16(const void* w, const void* x, int64_t n) {
  const DF df;
  const hn::Rebind<hwy::float16_t, DF> dh;
  const auto* a = static_cast<const hwy::float16_t*>(w);
  const auto* b = static_cast<const hwy::float16_t*>(x);
  const int64_t N = static_cast<int64_t>(hn::Lanes(df));
  auto s0 = hn::Zero(df), s1 = hn::Zero(df);
  int64_t i = 0;
  for (; i + 2 * N <= n; i += 2 * N) {
    s0 = hn::MulAdd(hn::PromoteTo(df, hn::LoadU(dh, a + i)),
                    hn::PromoteTo(df, hn::LoadU(dh, b + i)), s0);
    s1 = hn::MulAdd(hn::PromoteTo(df, hn::LoadU(dh, a + i + N)),
                    hn::PromoteTo(df, hn::LoadU(dh, b + i + N)), s1);
  }
  for (; i + N <= n; i += N) {
    s0 = hn::MulAdd(hn::PromoteTo(df, hn::LoadU(dh, a + i)),
                    hn::PromoteTo(df, hn::LoadU(dh, b + i)), s0);
  }
  float r = hn::GetLane(hn::SumOfLanes(df, hn::Add(s0, s1)));
  const auto* ua = static_cast<const uint16_t*>(w);
  const auto* ub = static_cast<const uint16_t*>(x);
  for (; i < n; ++i) r += half_to_float(ua[i]) * half_to_float(ub[i]);
  return r;
}

// bfloat16 is the top half of a float: widen to 32 bits and shift into place.
float DotBF16(const void* w, const void* x, int64_t n) {
  const DF df;
  const hn::RebindToUnsigned<DF> du32;
  const hn::Rebind<uint16_t, DF> du16;
  const auto* a = static_cast<const uint16_t*>(w);
  const auto* b = static_cast<const uint16_t*>(x);
  const int64_t N = static_cast<int64_t>(hn::Lanes(df));
  auto s = hn::Zero(df);
  int64_t i = 0;
  for (; i + N <= n; i += N) {
    const auto va = hn::BitCast(df, hn::ShiftLeft<16>(hn::PromoteTo(du32, hn::LoadU(du16, a + i))));
    const auto vb = hn::BitCast(df, hn::ShiftLeft<16>(hn::PromoteTo(du32, hn::LoadU(du16, b + i))));
    s = hn::MulAdd(va, vb, s);
  }
  float r = hn::GetLane(hn::SumOfLanes(df, s));
  for (; i < n; ++i) r += bf16_to_float(a[i]) * bf16_to_float(b[i]);
  return r;
}

// y[i] += a * x[i]
void Axpy(float a, const float* x, float* y, int64_t n) {
  const DF df;
  const int64_t N = static_cast<int64_t>(hn::Lanes(df));
  const auto va = hn::Set(df, a);
  int64_t i = 0;
  for (; i + N <= n; i += N)
    hn::StoreU(hn::MulAdd(va, hn::LoadU(df, x + i), hn::LoadU(df, y + i)), df, y + i);
  for (; i < n; ++i) y[i] += a * x[i];
}

// y[i] += a * half(x[i])
void AxpyF16(float a, const uint16_t* x, float* y, int64_t n) {
  const DF df;
  const hn::Rebind<hwy::float16_t, DF> dh;
  const int64_t N = static_cast<int64_t>(hn::Lanes(df));
  const auto va = hn::Set(df, a);
  int64_t i = 0;
  for (; i + N <= n; i += N) {
    const auto h = hn::PromoteTo(df, hn::LoadU(dh, reinterpret_cast<const hwy::float16_t*>(x + i)));
    hn::StoreU(hn::MulAdd(va, h, hn::LoadU(df, y + i)), df, y + i);
  }
  for (; i < n; ++i) y[i] += a * half_to_float(x[i]);
}

// out[i] = sum_j p[j] * v[j * stride + i]: one lane chunk of out at a time stays in registers
// while the rows stream past (two accumulators for independent FMA chains).
template <typename T>
void WeightedSum(const float* p, const T* v, size_t stride, int n_rows, int64_t n, float* out) {
  const DF df;
  const int64_t N = static_cast<int64_t>(hn::Lanes(df));
  auto load = [&](const T* ptr) {
    if constexpr (sizeof(T) == 2) {
      const hn::Rebind<hwy::float16_t, DF> dh;
      return hn::PromoteTo(df, hn::LoadU(dh, reinterpret_cast<const hwy::float16_t*>(ptr)));
    } else {
      return hn::LoadU(df, ptr);
    }
  };
  int64_t i = 0;
  for (; i + N <= n; i += N) {
    auto a0 = hn::Zero(df), a1 = hn::Zero(df);
    int j = 0;
    for (; j + 2 <= n_rows; j += 2) {
      a0 = hn::MulAdd(hn::Set(df, p[j]), load(v + j * stride + i), a0);
      a1 = hn::MulAdd(hn::Set(df, p[j + 1]), load(v + (j + 1) * stride + i), a1);
    }
    if (j < n_rows) a0 = hn::MulAdd(hn::Set(df, p[j]), load(v + j * stride + i), a0);
    hn::StoreU(hn::Add(a0, a1), df, out + i);
  }
  for (; i < n; ++i) {
    float s = 0.f;
    for (int j = 0; j < n_rows; ++j) {
      if constexpr (sizeof(T) == 2) {
        s += p[j] * half_to_float(v[j * stride + i]);
      } else {
        s += p[j] * v[j * stride + i];
      }
    }
    out[i] = s;
  }
}

// ---------------------------------------------------------------- integer blocks
// D16 lanes of int16 (at most kCap); products of adjacent pairs land in D32 int32 lanes.
template <size_t kCap>
struct IntTags {
  using D16 = hn::CappedTag<int16_t, kCap>;
  using D32 = hn::Repartition<int32_t, D16>;
  using D8 = hn::Rebind<int8_t, D16>;
  using DF = hn::Rebind<float, D32>;
};

// acc0 + acc1 lanes += a[i] * b[i] for i < kLen (kLen a multiple of the lane count).
template <size_t kLen, class T = IntTags<kLen> >
HWY_INLINE void DotI8(const int8_t* a, const int8_t* b, hn::Vec<typename T::D32>& acc0,
                      hn::Vec<typename T::D32>& acc1) {
  const typename T::D16 d16;
  const typename T::D32 d32;
  const typename T::D8 d8;
  const size_t N = hn::Lanes(d16);
  for (size_t i = 0; i < kLen; i += N) {
    const auto va = hn::PromoteTo(d16, hn::LoadU(d8, a + i));
    const auto vb = hn::PromoteTo(d16, hn::LoadU(d8, b + i));
    acc0 = hn::ReorderWidenMulAccumulate(d32, va, vb, acc0, acc1);
  }
}

using D8x16 = hn::FixedTag<uint8_t, 16>;

// ---- Whole sub-blocks in registers. A 32-value sub-block of int8 levels is one DI8 vector
// on AVX2/AVX-512 (two on SSE4); widened to int16 for the multiplies in one part on AVX-512,
// two elsewhere. Keeping levels in registers avoids storing and reloading them per row.
using DI8 = hn::CappedTag<int8_t, 32>;
using DU8 = hn::RebindToUnsigned<DI8>;
constexpr size_t kN8 = hn::MaxLanes(DI8());
constexpr int kVecsPer32 = static_cast<int>(32 / kN8);
#if HWY_TARGET <= HWY_AVX3
using DW16 = hn::Rebind<int16_t, DI8>;
constexpr int kWideParts = 1;
#else
using DW16 = hn::Rebind<int16_t, hn::Half<DI8> >;
constexpr int kWideParts = 2;
#endif
using DW32 = hn::Repartition<int32_t, DW16>;
using DWF = hn::Rebind<float, DW32>;
using VI8 = hn::Vec<DI8>;
using VW32 = hn::Vec<DW32>;

struct Widened {
  hn::Vec<DW16> part[kWideParts];
};

HWY_INLINE Widened Widen(VI8 v) {
  const DW16 d16;
  Widened w;
#if HWY_TARGET <= HWY_AVX3
  w.part[0] = hn::PromoteTo(d16, v);
#else
  const hn::Half<DI8> dh;
  w.part[0] = hn::PromoteTo(d16, hn::LowerHalf(dh, v));
  w.part[1] = hn::PromoteTo(d16, hn::UpperHalf(dh, v));
#endif
  return w;
}

// Lanes of acc0 + acc1 gain w[i] * x[i] summed over the vector.
HWY_INLINE void MulAcc(const Widened& w, VI8 x, VW32& acc0, VW32& acc1) {
  const DW32 d32;
  const Widened wx = Widen(x);
  for (int p = 0; p < kWideParts; ++p) {
    acc0 = hn::ReorderWidenMulAccumulate(d32, w.part[p], wx.part[p], acc0, acc1);
  }
}

// Lane i of a 32-value group takes bit i of a 32-bit word: byte i / 8, bit i % 8.
alignas(32) constexpr uint8_t kByteOfLane[32] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
                                                 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3};
alignas(32) constexpr uint8_t kBitOfLane[32] = {1,  2,   4,  8,  16,  32, 64, 128, 1,  2,  4,
                                                8,  16,  32, 64, 128, 1,  2,  4,   8,  16, 32,
                                                64, 128, 1,  2,  4,   8,  16, 32,  64, 128};

enum class Legacy { kQ4_0, kQ4_1, kQ5_0, kQ5_1 };

// A legacy block's 32 levels as kVecsPer32 vectors (bias removed for the symmetric types),
// plus its scale d and min m. Values 0..15 are the low nibbles of qs, 16..31 the high ones;
// Q5 types add 16 where bit i of the 32-bit qh is set.
template <Legacy kType>
HWY_INLINE void LegacyLevels(const uint8_t* p, VI8* out, float& d, float& m) {
  constexpr bool kMin = kType == Legacy::kQ4_1 || kType == Legacy::kQ5_1;
  constexpr bool kFive = kType == Legacy::kQ5_0 || kType == Legacy::kQ5_1;
  const DU8 du;
  const DI8 di;
  uint16_t h;
  std::memcpy(&h, p, 2);
  d = half_to_float(h);
  m = 0.f;
  if constexpr (kMin) {
    std::memcpy(&h, p + 2, 2);
    m = half_to_float(h);
  }
  const uint8_t* qs = p + (kMin ? 4 : 2) + (kFive ? 4 : 0);
  const D8x16 d16b;
  const auto v = hn::LoadU(d16b, qs);
  const auto lo = hn::And(v, hn::Set(d16b, 0x0F));
  const auto hi = hn::ShiftRight<4>(v);
  hn::Vec<DU8> nib[kVecsPer32];
#if HWY_TARGET <= HWY_AVX2
  nib[0] = hn::Combine(du, hi, lo);
#else
  nib[0] = lo;
  nib[1] = hi;
#endif
  const auto bias = hn::Set(di, static_cast<int8_t>(kMin ? 0 : (kFive ? 16 : 8)));
  for (int k = 0; k < kVecsPer32; ++k) {
    if constexpr (kFive) {
      uint32_t qh;
      std::memcpy(&qh, p + (kMin ? 4 : 2), 4);
      const auto words = hn::BitCast(du, hn::Set(hn::Repartition<uint32_t, DU8>(), qh));
      const auto sel = hn::TableLookupBytes(words, hn::LoadU(du, kByteOfLane + k * kN8));
      const auto bit = hn::LoadU(du, kBitOfLane + k * kN8);
      const auto set = hn::Ne(hn::And(sel, bit), hn::Zero(du));
      nib[k] = hn::Or(nib[k], hn::IfThenElseZero(set, hn::Set(du, 16)));
    }
    out[k] = hn::Sub(hn::BitCast(di, nib[k]), bias);
  }
}

// For activation rows r < R (row r at x + r * x_stride), out[r] = sum over blocks b of
// d_w * d_x * sum(q_w * q_x)  (+ m_w * d_x * sum(q_x) for the types with a min).
// Each weight block is unpacked and widened once and used for all R rows (prompt processing).
template <Legacy kType, int R>
void DotLegacyN(const void* w, const std::byte* x, size_t x_stride, int64_t n, float* out) {
  const DW32 d32;
  const DWF df;
  const DI8 di;
  constexpr bool kMin = kType == Legacy::kQ4_1 || kType == Legacy::kQ5_1;
  constexpr size_t kBytes = kType == Legacy::kQ4_0   ? sizeof(BlockQ4_0)
                            : kType == Legacy::kQ4_1 ? sizeof(BlockQ4_1)
                            : kType == Legacy::kQ5_0 ? sizeof(BlockQ5_0)
                                                     : sizeof(BlockQ5_1);
  const auto* wp = static_cast<const uint8_t*>(w);
  const BlockQ8_0Act* xb[R];
  hn::Vec<DWF> acc[R];
  float min_sum[R];
  for (int r = 0; r < R; ++r) {
    xb[r] = reinterpret_cast<const BlockQ8_0Act*>(x + r * x_stride);
    acc[r] = hn::Zero(df);
    min_sum[r] = 0.f;
  }
  Widened ones[kVecsPer32];
  if constexpr (kMin) {
    for (int k = 0; k < kVecsPer32; ++k) ones[k] = Widen(hn::Set(di, 1));
  }
  for (int64_t i = 0; i < n / kQk; ++i) {
    float d, m;
    VI8 lv[kVecsPer32];
    LegacyLevels<kType>(wp + i * kBytes, lv, d, m);
    Widened wv[kVecsPer32];
    for (int k = 0; k < kVecsPer32; ++k) wv[k] = Widen(lv[k]);
    for (int r = 0; r < R; ++r) {
      auto s0 = hn::Zero(d32), s1 = hn::Zero(d32);
      for (int k = 0; k < kVecsPer32; ++k) {
        MulAcc(wv[k], hn::LoadU(di, xb[r][i].qs + k * kN8), s0, s1);
      }
      const float dx = xb[r][i].d;
      acc[r] = hn::MulAdd(hn::ConvertTo(df, hn::Add(s0, s1)), hn::Set(df, d * dx), acc[r]);
      if constexpr (kMin) {
        auto t0 = hn::Zero(d32), t1 = hn::Zero(d32);
        for (int k = 0; k < kVecsPer32; ++k) {
          MulAcc(ones[k], hn::LoadU(di, xb[r][i].qs + k * kN8), t0, t1);
        }
        min_sum[r] +=
            m * dx * static_cast<float>(hn::GetLane(hn::SumOfLanes(d32, hn::Add(t0, t1))));
      }
    }
  }
  for (int r = 0; r < R; ++r) out[r] = hn::GetLane(hn::SumOfLanes(df, acc[r])) + min_sum[r];
}

// out[r] = sum over blocks of d_w * d_x * sum(q_w * q_x).
template <int R>
void DotQ8_0N(const void* w, const std::byte* x, size_t x_stride, int64_t n, float* out) {
  using T = IntTags<32>;
  const T::D32 d32;
  const T::DF df;
  const auto* wb = static_cast<const BlockQ8_0*>(w);
  const BlockQ8_0Act* xb[R];
  hn::Vec<T::DF> acc[R];
  for (int r = 0; r < R; ++r) {
    xb[r] = reinterpret_cast<const BlockQ8_0Act*>(x + r * x_stride);
    acc[r] = hn::Zero(df);
  }
  for (int64_t i = 0; i < n / kQk; ++i) {
    const float dw = half_to_float(wb[i].d);
    for (int r = 0; r < R; ++r) {
      auto s0 = hn::Zero(d32), s1 = hn::Zero(d32);
      DotI8<32>(wb[i].qs, xb[r][i].qs, s0, s1);
      const float scale = dw * xb[r][i].d;
      acc[r] = hn::MulAdd(hn::ConvertTo(df, hn::Add(s0, s1)), hn::Set(df, scale), acc[r]);
    }
  }
  for (int r = 0; r < R; ++r) out[r] = hn::GetLane(hn::SumOfLanes(df, acc[r]));
}

// ---------------------------------------------------------------- K-quants
// out[r] = sum over super-blocks of
//   d * d_x * sum_j sc_j * (q_j . x_j) - dmin * d_x * sum_j m_j * bsum_j   (8 sub-blocks of 32)
// Chunk c's 32 bytes of qs hold sub-block 2c in the low nibbles and 2c+1 in the high ones;
// Q5_K adds 16 where bit 2c (resp. 2c+1) of qh[l] is set. Sub-blocks are widened once and
// used for all R rows.
template <bool kFive, int R>
void DotK45N(const void* w, const std::byte* x, size_t x_stride, int64_t n, float* out) {
  const DW32 d32;
  const DWF df;
  const DI8 di;
  const DU8 du;
  const BlockQ8_K* xb[R];
  hn::Vec<DWF> acc[R];
  float mins_total[R];
  for (int r = 0; r < R; ++r) {
    xb[r] = reinterpret_cast<const BlockQ8_K*>(x + r * x_stride);
    acc[r] = hn::Zero(df);
    mins_total[r] = 0.f;
  }
  const auto mask = hn::Set(du, 0x0F);
  const auto sixteen = hn::Set(du, 16);
  for (int64_t i = 0; i < n / kQkK; ++i) {
    const uint8_t *scales, *qs, *qh = nullptr;
    uint16_t dh, mh;
    if constexpr (kFive) {
      const BlockQ5_K& b = static_cast<const BlockQ5_K*>(w)[i];
      scales = b.scales;
      qs = b.qs;
      qh = b.qh;
      dh = b.d;
      mh = b.dmin;
    } else {
      const BlockQ4_K& b = static_cast<const BlockQ4_K*>(w)[i];
      scales = b.scales;
      qs = b.qs;
      dh = b.d;
      mh = b.dmin;
    }
    int sc[8], m[8];
    for (int j = 0; j < 8; ++j) detail::k_scale_min(j, scales, sc[j], m[j]);
    VW32 isum[R];
    for (int r = 0; r < R; ++r) isum[r] = hn::Zero(d32);
    for (int c = 0; c < 4; ++c) {
      Widened lo_w[kVecsPer32], hi_w[kVecsPer32];
      for (int k = 0; k < kVecsPer32; ++k) {
        const auto v = hn::LoadU(du, qs + 32 * c + k * kN8);
        auto lo = hn::And(v, mask);
        auto hi = hn::ShiftRight<4>(v);
        if constexpr (kFive) {
          const auto h = hn::LoadU(du, qh + k * kN8);
          const auto bit_lo = hn::Set(du, static_cast<uint8_t>(1u << (2 * c)));
          const auto bit_hi = hn::Set(du, static_cast<uint8_t>(2u << (2 * c)));
          lo = hn::Or(lo, hn::IfThenElseZero(hn::Ne(hn::And(h, bit_lo), hn::Zero(du)), sixteen));
          hi = hn::Or(hi, hn::IfThenElseZero(hn::Ne(hn::And(h, bit_hi), hn::Zero(du)), sixteen));
        }
        lo_w[k] = Widen(hn::BitCast(di, lo));
        hi_w[k] = Widen(hn::BitCast(di, hi));
      }
      for (int r = 0; r < R; ++r) {
        auto a0 = hn::Zero(d32), a1 = hn::Zero(d32), b0 = hn::Zero(d32), b1 = hn::Zero(d32);
        for (int k = 0; k < kVecsPer32; ++k) {
          MulAcc(lo_w[k], hn::LoadU(di, xb[r][i].qs + 64 * c + k * kN8), a0, a1);
          MulAcc(hi_w[k], hn::LoadU(di, xb[r][i].qs + 64 * c + 32 + k * kN8), b0, b1);
        }
        isum[r] = hn::Add(isum[r], hn::Mul(hn::Add(a0, a1), hn::Set(d32, sc[2 * c])));
        isum[r] = hn::Add(isum[r], hn::Mul(hn::Add(b0, b1), hn::Set(d32, sc[2 * c + 1])));
      }
    }
    const float d = half_to_float(dh), dmin = half_to_float(mh);
    for (int r = 0; r < R; ++r) {
      int mins = 0;
      for (int j = 0; j < 8; ++j)
        mins += m[j] * (xb[r][i].bsums[2 * j] + xb[r][i].bsums[2 * j + 1]);
      acc[r] = hn::MulAdd(hn::ConvertTo(df, isum[r]), hn::Set(df, d * xb[r][i].d), acc[r]);
      mins_total[r] += dmin * xb[r][i].d * static_cast<float>(mins);
    }
  }
  for (int r = 0; r < R; ++r) out[r] = hn::GetLane(hn::SumOfLanes(df, acc[r])) - mins_total[r];
}

// Signed levels (-32..31) of a Q6_K super-block in value order (see quant.cpp for the layout).
HWY_INLINE void UnpackQ6K(const BlockQ6_K& b, int8_t* q) {
  const D8x16 d;
  const hn::RebindToSigned<D8x16> di;
  const auto m4 = hn::Set(d, 0x0F);
  const auto m2 = hn::Set(d, 0x03);
  const auto bias = hn::Set(di, 32);
  for (int h = 0; h < 2; ++h) {
    for (int l = 0; l < 32; l += 16) {
      const auto a = hn::LoadU(d, b.ql + 64 * h + l);
      const auto c = hn::LoadU(d, b.ql + 64 * h + 32 + l);
      const auto hb = hn::LoadU(d, b.qh + 32 * h + l);
      const auto q1 = hn::Or(hn::And(a, m4), hn::ShiftLeft<4>(hn::And(hb, m2)));
      const auto q2 = hn::Or(hn::And(c, m4), hn::ShiftLeft<4>(hn::And(hn::ShiftRight<2>(hb), m2)));
      const auto q3 =
          hn::Or(hn::ShiftRight<4>(a), hn::ShiftLeft<4>(hn::And(hn::ShiftRight<4>(hb), m2)));
      const auto q4 = hn::Or(hn::ShiftRight<4>(c), hn::ShiftLeft<4>(hn::ShiftRight<6>(hb)));
      int8_t* out = q + 128 * h + l;
      hn::StoreU(hn::Sub(hn::BitCast(di, q1), bias), di, out);
      hn::StoreU(hn::Sub(hn::BitCast(di, q2), bias), di, out + 32);
      hn::StoreU(hn::Sub(hn::BitCast(di, q3), bias), di, out + 64);
      hn::StoreU(hn::Sub(hn::BitCast(di, q4), bias), di, out + 96);
    }
  }
}

// out[r] = sum over super-blocks of d * d_x * sum_j sc_j * (q_j . x_j), 16 sub-blocks of 16.
template <int R>
void DotQ6KN(const void* w, const std::byte* x, size_t x_stride, int64_t n, float* out) {
  using T = IntTags<16>;
  const T::D32 d32;
  const T::DF df;
  const auto* wb = static_cast<const BlockQ6_K*>(w);
  const BlockQ8_K* xb[R];
  hn::Vec<T::DF> acc[R];
  for (int r = 0; r < R; ++r) {
    xb[r] = reinterpret_cast<const BlockQ8_K*>(x + r * x_stride);
    acc[r] = hn::Zero(df);
  }
  HWY_ALIGN int8_t q[kQkK];
  for (int64_t i = 0; i < n / kQkK; ++i) {
    UnpackQ6K(wb[i], q);
    const float d = half_to_float(wb[i].d);
    for (int r = 0; r < R; ++r) {
      auto isum = hn::Zero(d32);
      for (int j = 0; j < 16; ++j) {
        auto s0 = hn::Zero(d32), s1 = hn::Zero(d32);
        DotI8<16>(q + 16 * j, xb[r][i].qs + 16 * j, s0, s1);
        isum = hn::Add(isum, hn::Mul(hn::Add(s0, s1), hn::Set(d32, int32_t{wb[i].scales[j]})));
      }
      acc[r] = hn::MulAdd(hn::ConvertTo(df, isum), hn::Set(df, d * xb[r][i].d), acc[r]);
    }
  }
  for (int r = 0; r < R; ++r) out[r] = hn::GetLane(hn::SumOfLanes(df, acc[r]));
}

// Single-row form of a multi-row kernel, for the Kernels::DotFn slots.
template <void (*kFn)(const void*, const std::byte*, size_t, int64_t, float*)>
float One(const void* w, const void* x, int64_t n) {
  float out;
  kFn(w, static_cast<const std::byte*>(x), 0, n, &out);
  return out;
}

const Kernels* GetKernels() {
  static const Kernels k = [] {
    Kernels t;
    t.target = hwy::TargetName(HWY_TARGET);
    t.encode = encode_input_ref;  // O(n) per row, negligible next to the O(n * rows) products
    t.dot_f32 = DotF32W;
    t.dot_f16 = DotF16;
    t.dot_bf16 = DotBF16;
    t.dot_q8_0 = One<DotQ8_0N<1> >;
    t.dot_q4_0 = One<DotLegacyN<Legacy::kQ4_0, 1> >;
    t.dot_q4_1 = One<DotLegacyN<Legacy::kQ4_1, 1> >;
    t.dot_q5_0 = One<DotLegacyN<Legacy::kQ5_0, 1> >;
    t.dot_q5_1 = One<DotLegacyN<Legacy::kQ5_1, 1> >;
    t.dot_q4_k = One<DotK45N<false, 1> >;
    t.dot_q5_k = One<DotK45N<true, 1> >;
    t.dot_q6_k = One<DotQ6KN<1> >;
    t.dot4_q8_0 = DotQ8_0N<4>;
    t.dot4_q4_0 = DotLegacyN<Legacy::kQ4_0, 4>;
    t.dot4_q4_1 = DotLegacyN<Legacy::kQ4_1, 4>;
    t.dot4_q5_0 = DotLegacyN<Legacy::kQ5_0, 4>;
    t.dot4_q5_1 = DotLegacyN<Legacy::kQ5_1, 4>;
    t.dot4_q4_k = DotK45N<false, 4>;
    t.dot4_q5_k = DotK45N<true, 4>;
    t.dot4_q6_k = DotQ6KN<4>;
    t.dot_f32_f32 = DotF32;
    t.dot_f32_f16 = DotF32F16;
    t.axpy = Axpy;
    t.axpy_f16 = AxpyF16;
    t.weighted_sum_f32 = WeightedSum<float>;
    t.weighted_sum_f16 = WeightedSum<uint16_t>;
    return t;
  }();
  return &k;
}

#endif  // HWY_TARGET == HWY_SCALAR

}  // namespace HWY_NAMESPACE
}  // namespace woolly::engine
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace woolly::engine {

HWY_EXPORT(GetKernels);

const Kernels& best_kernels() { return *HWY_DYNAMIC_DISPATCH(GetKernels)(); }

std::vector<const Kernels*> all_supported_kernels() {
  std::vector<const Kernels*> out;
  for (uint32_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    out.push_back(HWY_DYNAMIC_DISPATCH(GetKernels)());
  }
  hwy::SetSupportedTargetsForTest(0);
  return out;
}

}  // namespace woolly::engine
#endif  // HWY_ONCE
