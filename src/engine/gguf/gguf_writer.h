// Builds a GGUF v3 file in memory: metadata of every GGUF type and tensors placed at the
// alignment. Used by tests, the fuzz corpus, the demo model and weight converters.
//
//   GgufWriter w;
//   w.set_string("general.architecture", "llama");
//   w.add_tensor("token_embd.weight", TensorType::kF32, {n_embd, n_vocab}, bytes);
//   WOOLLY_TRY(w.write_file(path));
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "engine/gguf/gguf_value.h"
#include "engine/tensor/tensor_type.h"

namespace woolly::engine {

class GgufWriter {
 public:
  explicit GgufWriter(uint32_t alignment = 32) : alignment_(alignment) {}

  void set_u8(std::string_view key, uint8_t v) { scalar(key, GgufType::kUint8, &v, 1); }
  void set_i8(std::string_view key, int8_t v) { scalar(key, GgufType::kInt8, &v, 1); }
  void set_u16(std::string_view key, uint16_t v) { scalar(key, GgufType::kUint16, &v, 2); }
  void set_i16(std::string_view key, int16_t v) { scalar(key, GgufType::kInt16, &v, 2); }
  void set_u32(std::string_view key, uint32_t v) { scalar(key, GgufType::kUint32, &v, 4); }
  void set_i32(std::string_view key, int32_t v) { scalar(key, GgufType::kInt32, &v, 4); }
  void set_u64(std::string_view key, uint64_t v) { scalar(key, GgufType::kUint64, &v, 8); }
  void set_i64(std::string_view key, int64_t v) { scalar(key, GgufType::kInt64, &v, 8); }
  void set_f32(std::string_view key, float v) { scalar(key, GgufType::kFloat32, &v, 4); }
  void set_f64(std::string_view key, double v) { scalar(key, GgufType::kFloat64, &v, 8); }
  void set_bool(std::string_view key, bool v);
  void set_string(std::string_view key, std::string_view v);
  void set_string_array(std::string_view key, std::span<const std::string> values);
  void set_i32_array(std::string_view key, std::span<const int32_t> values);
  void set_f32_array(std::string_view key, std::span<const float> values);

  // `dims` innermost first (ggml order: {n_in, n_out} for a weight matrix). `data` must hold
  // exactly the bytes of that shape in `type`; it is copied.
  Status add_tensor(std::string_view name, TensorType type, std::initializer_list<int64_t> dims,
                    std::span<const std::byte> data);
  Status add_tensor(std::string_view name, TensorType type, std::span<const int64_t> dims,
                    std::span<const std::byte> data);

  std::vector<std::byte> to_bytes() const;
  Status write_file(const std::string& path) const;

 private:
  struct PendingTensor {
    std::string name;
    TensorType type;
    std::vector<int64_t> dims;
    std::vector<std::byte> data;
  };
  void key_and_type(std::string_view key, GgufType type);
  void scalar(std::string_view key, GgufType type, const void* v, size_t n);
  void put(const void* p, size_t n);
  void put_string(std::string_view s);

  uint32_t alignment_;
  uint64_t n_kv_ = 0;
  std::vector<std::byte> kv_bytes_;
  std::vector<PendingTensor> tensors_;
};

}  // namespace woolly::engine
