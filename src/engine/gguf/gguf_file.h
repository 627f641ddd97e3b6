// Read-only view of a GGUF (v2/v3) model file. The file is memory-mapped and tensor data is used
// in place; nothing is copied. Every count, length, type, dimension and offset is checked against
// the bytes actually present before use, so a truncated or hostile file yields
// Errc::kCorruptData with a message saying what is wrong.
//
//   WOOLLY_ASSIGN_OR_RETURN(auto file, GgufFile::open(path));
//   WOOLLY_ASSIGN_OR_RETURN(std::string_view arch, file->get_string("general.architecture"));
//   const GgufTensor* embd = file->find_tensor("token_embd.weight");
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "engine/gguf/gguf_value.h"
#include "engine/tensor/tensor_type.h"

namespace woolly::engine {

// One metadata entry. Strings point into the file.
struct GgufKv {
  std::string_view key;
  GgufType type;
  GgufType array_type = GgufType::kUint8;  // element type when type == kArray
  uint64_t array_count = 0;                // elements when type == kArray
  const std::byte* value = nullptr;  // start of the encoded value (after the type / array header)
  size_t value_bytes = 0;            // encoded size of the value
};

struct GgufTensor {
  std::string_view name;
  TensorType type;
  uint32_t n_dims;
  int64_t ne[4];  // ne[0] is the innermost (contiguous) dimension; unused dims are 1
  int64_t n_elements;
  uint64_t offset;  // from the start of the file
  size_t n_bytes;
  const std::byte* data;  // in the mapping; never null for a valid file

  int64_t rows() const { return n_elements / ne[0]; }
};

class GgufFile {
 public:
  // Maps `path` read-only. Errors: kNotFound / kIo for the file, kCorruptData for its content,
  // kUnsupported for a valid file using a tensor type Woolly cannot run.
  static Result<std::unique_ptr<GgufFile>> open(const std::string& path);
  // Parses a copy-free in-memory image (tests, fuzzing); the buffer is moved in and kept.
  static Result<std::unique_ptr<GgufFile>> from_buffer(std::vector<std::byte> bytes);

  ~GgufFile();
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;

  uint32_t version() const { return version_; }
  uint32_t alignment() const { return alignment_; }
  size_t file_size() const { return size_; }
  // Bytes of the mapping (the whole file); what the server counts as the model's memory.
  size_t mapped_bytes() const { return mapped_ ? size_ : 0; }

  const std::vector<GgufKv>& metadata() const { return kvs_; }
  const GgufKv* find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }

  // Typed getters: kNotFound when absent, kInvalidArgument naming key and actual type when the
  // stored type does not fit. Integers accept any integer type whose value fits.
  Result<std::string_view> get_string(std::string_view key) const;
  Result<int64_t> get_int(std::string_view key) const;
  Result<uint32_t> get_u32(std::string_view key) const;
  Result<double> get_float(std::string_view key) const;  // float32 / float64 (and integers)
  Result<bool> get_bool(std::string_view key) const;
  Result<std::vector<std::string_view>> get_string_array(std::string_view key) const;
  Result<std::vector<int64_t>> get_int_array(std::string_view key) const;
  Result<std::vector<float>> get_float_array(std::string_view key) const;
  // Element count of an array entry.
  Result<uint64_t> get_array_size(std::string_view key) const;

  const std::vector<GgufTensor>& tensors() const { return tensors_; }
  const GgufTensor* find_tensor(std::string_view name) const;

 private:
  GgufFile() = default;
  Status parse();
  Result<const GgufKv*> find_typed(std::string_view key) const;

  const std::byte* base_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
  std::vector<std::byte> owned_;  // from_buffer only
  uint32_t version_ = 0;
  uint32_t alignment_ = 32;
  std::vector<GgufKv> kvs_;
  std::unordered_map<std::string_view, size_t> kv_index_;
  std::vector<GgufTensor> tensors_;
  std::unordered_map<std::string_view, size_t> tensor_index_;
};

}  // namespace woolly::engine
