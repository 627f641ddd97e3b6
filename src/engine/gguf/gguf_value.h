// GGUF metadata value types (numbering from the GGUF specification).
#pragma once

#include <cstdint>
#include <string_view>

namespace woolly::engine {

enum class GgufType : uint32_t {
  kUint8 = 0,
  kInt8 = 1,
  kUint16 = 2,
  kInt16 = 3,
  kUint32 = 4,
  kInt32 = 5,
  kFloat32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kUint64 = 10,
  kInt64 = 11,
  kFloat64 = 12,
};

std::string_view gguf_type_name(GgufType type);
// Size in bytes of a fixed-size value, 0 for strings and arrays.
uint32_t gguf_scalar_size(GgufType type);
inline bool gguf_is_integer(GgufType t) {
  return t == GgufType::kUint8 || t == GgufType::kInt8 || t == GgufType::kUint16 ||
         t == GgufType::kInt16 || t == GgufType::kUint32 || t == GgufType::kInt32 ||
         t == GgufType::kUint64 || t == GgufType::kInt64;
}

}  // namespace woolly::engine
