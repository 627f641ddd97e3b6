// Every SIMD kernel table this CPU supports against the scalar reference.
#include "engine/tensor/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "engine/tensor/half.h"
#include "engine/tensor/quant.h"

namespace woolly::engine {
namespace {

std::vector<float> random_row(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.f, 1.f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

constexpr TensorType kAllTypes[] = {TensorType::kF32,  TensorType::kF16,  TensorType::kBF16,
                                    TensorType::kQ8_0, TensorType::kQ4_0, TensorType::kQ4_1,
                                    TensorType::kQ5_0, TensorType::kQ5_1, TensorType::kQ4_K,
                                    TensorType::kQ5_K, TensorType::kQ6_K};

TEST(Kernels, SeveralTargetsAreTested) {
  const auto tables = all_supported_kernels();
  ASSERT_FALSE(tables.empty());
  for (const Kernels* k : tables) std::printf("  kernel target: %s\n", k->target);
  EXPECT_NE(std::string(best_kernels().target), "scalar");
}

TEST(Kernels, QuantizedDotsMatchTheReferenceOnEveryTarget) {
  const Kernels& ref = reference_kernels();
  for (const Kernels* k : all_supported_kernels()) {
    for (TensorType type : kAllTypes) {
      for (int64_t n : {256, 768, 2048}) {
        const std::vector<float> w = random_row(n, 100 + n), x = random_row(n, 200 + n);
        std::vector<std::byte> wq(row_bytes(type, n));
        quantize_row(type, w.data(), wq.data(), n);
        const DotInput in = dot_input_for(type);
        std::vector<std::byte> xq(dot_input_bytes(in, n)), xq_ref(dot_input_bytes(in, n));
        k->encode(in, x.data(), xq.data(), n);
        ref.encode(in, x.data(), xq_ref.data(), n);
        ASSERT_EQ(xq, xq_ref) << k->target << " encodes differently";
        const float want = ref.dot_for(type)(wq.data(), xq.data(), n);
        const float got = k->dot_for(type)(wq.data(), xq.data(), n);
        // Integer sums are exact; only the float accumulation order differs.
        EXPECT_NEAR(got, want, 1e-4 * std::sqrt(static_cast<double>(n)) * (1 + std::fabs(want)))
            << k->target << " " << type_name(type) << " n=" << n;
      }
    }
  }
}

TEST(Kernels, FourRowDotsMatchTheReferenceOnEveryTarget) {
  const Kernels& ref = reference_kernels();
  const int64_t n = 512;
  for (const Kernels* k : all_supported_kernels()) {
    for (TensorType type : kAllTypes) {
      if (k->dot4_for(type) == nullptr) continue;
      const std::vector<float> w = random_row(n, 5);
      std::vector<std::byte> wq(row_bytes(type, n));
      quantize_row(type, w.data(), wq.data(), n);
      const DotInput in = dot_input_for(type);
      const size_t stride = dot_input_bytes(in, n);
      std::vector<std::byte> xs(4 * stride);
      for (int r = 0; r < 4; ++r) {
        ref.encode(in, random_row(n, 50 + r).data(), xs.data() + r * stride, n);
      }
      float out[4];
      k->dot4_for(type)(wq.data(), xs.data(), stride, n, out);
      for (int r = 0; r < 4; ++r) {
        const float want = ref.dot_for(type)(wq.data(), xs.data() + r * stride, n);
        EXPECT_NEAR(out[r], want, 1e-3 * (1 + std::fabs(want)))
            << k->target << " " << type_name(type);
      }
    }
  }
}

TEST(Kernels, WeightedSumsMatchTheReferenceOnEveryTarget) {
  const Kernels& ref = reference_kernels();
  for (const Kernels* k : all_supported_kernels()) {
    for (int64_t n : {32, 64, 80, 128, 7}) {
      for (int rows : {1, 2, 7, 100}) {
        const size_t stride = static_cast<size_t>(n) + 16;  // rows of a wider cache line
        const std::vector<float> p = random_row(rows, 3), v = random_row(rows * stride, 4);
        std::vector<uint16_t> vh(v.size());
        for (size_t i = 0; i < v.size(); ++i) vh[i] = float_to_half(v[i]);
        std::vector<float> got(n, 9.f), want(n, -9.f), got_h(n, 9.f), want_h(n, -9.f);
        k->weighted_sum_f32(p.data(), v.data(), stride, rows, n, got.data());
        ref.weighted_sum_f32(p.data(), v.data(), stride, rows, n, want.data());
        k->weighted_sum_f16(p.data(), vh.data(), stride, rows, n, got_h.data());
        ref.weighted_sum_f16(p.data(), vh.data(), stride, rows, n, want_h.data());
        for (int64_t i = 0; i < n; ++i) {
          EXPECT_NEAR(got[i], want[i], 1e-4 * rows) << k->target << " n=" << n << " rows=" << rows;
          EXPECT_NEAR(got_h[i], want_h[i], 1e-4 * rows) << k->target;
        }
      }
    }
  }
}

TEST(Kernels, FloatHelpersMatchTheReferenceOnEveryTarget) {
  const Kernels& ref = reference_kernels();
  for (const Kernels* k : all_supported_kernels()) {
    for (int64_t n : {1, 7, 32, 100, 128}) {
      const std::vector<float> a = random_row(n, 1), b = random_row(n, 2);
      std::vector<uint16_t> bh(n);
      for (int64_t i = 0; i < n; ++i) bh[i] = float_to_half(b[i]);
      EXPECT_NEAR(k->dot_f32_f32(a.data(), b.data(), n), ref.dot_f32_f32(a.data(), b.data(), n),
                  1e-4 * n)
          << k->target;
      EXPECT_NEAR(k->dot_f32_f16(a.data(), bh.data(), n), ref.dot_f32_f16(a.data(), bh.data(), n),
                  1e-4 * n)
          << k->target;
      std::vector<float> y1 = b, y2 = b, y3 = b, y4 = b;
      k->axpy(0.5f, a.data(), y1.data(), n);
      ref.axpy(0.5f, a.data(), y2.data(), n);
      k->axpy_f16(-2.f, bh.data(), y3.data(), n);
      ref.axpy_f16(-2.f, bh.data(), y4.data(), n);
      for (int64_t i = 0; i < n; ++i) {
        EXPECT_NEAR(y1[i], y2[i], 1e-5) << k->target;
        EXPECT_NEAR(y3[i], y4[i], 1e-5) << k->target;
      }
    }
  }
}

}  // namespace
}  // namespace woolly::engine
