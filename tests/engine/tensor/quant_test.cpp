#include "engine/tensor/quant.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "engine/tensor/dot.h"
#include "engine/tensor/half.h"

namespace woolly::engine {
namespace {

std::vector<float> random_row(int64_t n, uint32_t seed, float scale = 1.f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

TEST(Half, EveryHalfRoundTripsThroughFloat) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = half_to_float(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    EXPECT_EQ(float_to_half(f), h) << h;
  }
}

TEST(Half, RoundsToNearestEven) {
  EXPECT_EQ(half_to_float(float_to_half(1.0f + 1.0f / 2048)), 1.0f);  // tie -> even
  EXPECT_EQ(half_to_float(float_to_half(1.0f + 3.0f / 2048)), 1.0f + 2.0f / 1024);
  EXPECT_EQ(float_to_half(1e6f), 0x7c00);                            // overflow -> inf
  EXPECT_EQ(half_to_float(float_to_half(1e-7f)), half_to_float(2));  // subnormal
  EXPECT_EQ(bf16_to_float(float_to_bf16(1.00390625f)), 1.0f);        // tie -> even
  EXPECT_EQ(bf16_to_float(float_to_bf16(-2.5f)), -2.5f);
}

struct TypeCase {
  TensorType type;
  double max_rel_rms;  // rms error of a round trip, relative to the data's rms
};

class QuantTest : public ::testing::TestWithParam<TypeCase> {};

TEST_P(QuantTest, RoundTripErrorIsWithinTheTypesPrecision) {
  const TypeCase tc = GetParam();
  const int64_t n = 1024;
  const std::vector<float> x = random_row(n, 7);
  std::vector<std::byte> q(row_bytes(tc.type, n));
  quantize_row(tc.type, x.data(), q.data(), n);
  std::vector<float> y(n);
  dequantize_row(tc.type, q.data(), y.data(), n);
  double err = 0, ref = 0;
  for (int64_t i = 0; i < n; ++i) {
    err += (y[i] - x[i]) * (y[i] - x[i]);
    ref += x[i] * x[i];
  }
  EXPECT_LE(std::sqrt(err / ref), tc.max_rel_rms) << type_name(tc.type);
  EXPECT_GT(std::sqrt(err / ref), tc.max_rel_rms / 1000) << "suspiciously exact";
}

TEST_P(QuantTest, ReferenceDotMatchesDequantizedFloatDot) {
  const TypeCase tc = GetParam();
  const int64_t n = 512;
  const std::vector<float> w = random_row(n, 11), x = random_row(n, 12);
  std::vector<std::byte> wq(row_bytes(tc.type, n));
  quantize_row(tc.type, w.data(), wq.data(), n);
  std::vector<float> wd(n);
  dequantize_row(tc.type, wq.data(), wd.data(), n);
  const DotInput in = dot_input_for(tc.type);
  std::vector<std::byte> xq(dot_input_bytes(in, n));
  encode_input_ref(in, x.data(), xq.data(), n);
  double exact = 0, norm = 0;
  for (int64_t i = 0; i < n; ++i) {
    exact += static_cast<double>(wd[i]) * x[i];
    norm += std::fabs(wd[i] * x[i]);
  }
  const float got = vec_dot_ref(tc.type, wq.data(), xq.data(), n);
  // The only difference is the activation encoding (Q8: ~0.4% per value, F16: ~0.05%).
  EXPECT_NEAR(got, exact, 0.01 * norm) << type_name(tc.type);
}

INSTANTIATE_TEST_SUITE_P(
    Types, QuantTest,
    ::testing::Values(TypeCase{TensorType::kF16, 1e-3}, TypeCase{TensorType::kBF16, 5e-3},
                      TypeCase{TensorType::kQ8_0, 1e-2}, TypeCase{TensorType::kQ4_0, 0.15},
                      TypeCase{TensorType::kQ4_1, 0.15}, TypeCase{TensorType::kQ5_0, 0.08},
                      TypeCase{TensorType::kQ5_1, 0.08}, TypeCase{TensorType::kQ4_K, 0.15},
                      TypeCase{TensorType::kQ5_K, 0.08}, TypeCase{TensorType::kQ6_K, 0.05}),
    [](const ::testing::TestParamInfo<TypeCase>& info) {
      return std::string(type_name(info.param.type));
    });

TEST(Quant, Q8_0BlockLayoutIsGgmls) {
  // One block: scale = amax / 127 stored as half, then the 32 rounded values.
  std::vector<float> x(32);
  for (int i = 0; i < 32; ++i) x[i] = static_cast<float>(i - 16) * 0.5f;
  BlockQ8_0 b;
  quantize_row(TensorType::kQ8_0, x.data(), &b, 32);
  EXPECT_EQ(half_to_float(b.d), half_to_float(float_to_half(8.0f / 127)));
  EXPECT_EQ(b.qs[0], -127);
  EXPECT_EQ(b.qs[16], 0);
}

TEST(Quant, Q4_0NibbleOrderIsGgmls) {
  // Element i < 16 is the low nibble of qs[i]; element i + 16 the high nibble.
  BlockQ4_0 b{};
  b.d = float_to_half(1.0f);
  b.qs[0] = 0x9F;  // elem 0 = 15 - 8 = 7, elem 16 = 9 - 8 = 1
  for (int i = 1; i < 16; ++i) b.qs[i] = 0x88;
  std::vector<float> y(32);
  dequantize_row(TensorType::kQ4_0, &b, y.data(), 32);
  EXPECT_EQ(y[0], 7.0f);
  EXPECT_EQ(y[16], 1.0f);
  EXPECT_EQ(y[1], 0.0f);
}

TEST(Quant, Q8KKeepsBlockSums) {
  const std::vector<float> x = random_row(256, 3);
  BlockQ8_K b;
  quantize_row_q8_k(x.data(), &b, 256);
  for (int j = 0; j < 16; ++j) {
    int s = 0;
    for (int l = 0; l < 16; ++l) s += b.qs[16 * j + l];
    EXPECT_EQ(b.bsums[j], s);
  }
  for (int l = 0; l < 256; ++l) EXPECT_NEAR(b.qs[l] * b.d, x[l], std::fabs(b.d));
}

}  // namespace
}  // namespace woolly::engine
