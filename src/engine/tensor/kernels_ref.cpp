// Scalar reference table: thin wrappers over dot.h.
#include "engine/tensor/half.h"
#include "engine/tensor/kernels.h"

namespace woolly::engine {
namespace {

template <TensorType T>
float ref_dot(const void* w, const void* x, int64_t n) {
  return vec_dot_ref(T, w, x, n);
}

float ref_dot_f32_f32(const float* a, const float* b, int64_t n) {
  float s = 0.f;
  for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

float ref_dot_f32_f16(const float* a, const uint16_t* b, int64_t n) {
  float s = 0.f;
  for (int64_t i = 0; i < n; ++i) s += a[i] * half_to_float(b[i]);
  return s;
}

void ref_axpy_f16(float a, const uint16_t* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += a * half_to_float(x[i]);
}

template <typename T>
void ref_weighted_sum(const float* p, const T* v, size_t stride, int n_rows, int64_t n,
                      float* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = 0.f;
  for (int j = 0; j < n_rows; ++j) {
    for (int64_t i = 0; i < n; ++i) {
      if constexpr (sizeof(T) == 2) {
        out[i] += p[j] * half_to_float(v[j * stride + i]);
      } else {
        out[i] += p[j] * v[j * stride + i];
      }
    }
  }
}

void ref_axpy(float a, const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

Kernels make_reference() {
  Kernels k;
  k.target = "scalar";
  k.encode = encode_input_ref;
  k.dot_f32 = ref_dot<TensorType::kF32>;
  k.dot_f16 = ref_dot<TensorType::kF16>;
  k.dot_bf16 = ref_dot<TensorType::kBF16>;
  k.dot_q8_0 = ref_dot<TensorType::kQ8_0>;
  k.dot_q4_0 = ref_dot<TensorType::kQ4_0>;
  k.dot_q4_1 = ref_dot<TensorType::kQ4_1>;
  k.dot_q5_0 = ref_dot<TensorType::kQ5_0>;
  k.dot_q5_1 = ref_dot<TensorType::kQ5_1>;
  k.dot_q4_k = ref_dot<TensorType::kQ4_K>;
  k.dot_q5_k = ref_dot<TensorType::kQ5_K>;
  k.dot_q6_k = ref_dot<TensorType::kQ6_K>;
  k.dot_f32_f32 = ref_dot_f32_f32;
  k.axpy = ref_axpy;
  k.dot_f32_f16 = ref_dot_f32_f16;
  k.axpy_f16 = ref_axpy_f16;
  k.weighted_sum_f32 = ref_weighted_sum<float>;
  k.weighted_sum_f16 = ref_weighted_sum<uint16_t>;
  return k;
}

}  // namespace

Kernels::DotFn Kernels::dot_for(TensorType type) const {
  switch (type) {
    case TensorType::kF32:
      return dot_f32;
    case TensorType::kF16:
      return dot_f16;
    case TensorType::kBF16:
      return dot_bf16;
    case TensorType::kQ8_0:
      return dot_q8_0;
    case TensorType::kQ4_0:
      return dot_q4_0;
    case TensorType::kQ4_1:
      return dot_q4_1;
    case TensorType::kQ5_0:
      return dot_q5_0;
    case TensorType::kQ5_1:
      return dot_q5_1;
    case TensorType::kQ4_K:
      return dot_q4_k;
    case TensorType::kQ5_K:
      return dot_q5_k;
    case TensorType::kQ6_K:
      return dot_q6_k;
  }
  return nullptr;
}

Kernels::Dot4Fn Kernels::dot4_for(TensorType type) const {
  switch (type) {
    case TensorType::kQ8_0:
      return dot4_q8_0;
    case TensorType::kQ4_0:
      return dot4_q4_0;
    case TensorType::kQ4_1:
      return dot4_q4_1;
    case TensorType::kQ5_0:
      return dot4_q5_0;
    case TensorType::kQ5_1:
      return dot4_q5_1;
    case TensorType::kQ4_K:
      return dot4_q4_k;
    case TensorType::kQ5_K:
      return dot4_q5_k;
    case TensorType::kQ6_K:
      return dot4_q6_k;
    default:
      return nullptr;
  }
}

const Kernels& reference_kernels() {
  static const Kernels k = make_reference();
  return k;
}

}  // namespace woolly::engine
