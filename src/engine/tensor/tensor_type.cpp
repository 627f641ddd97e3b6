#include "engine/tensor/tensor_type.h"

#include <array>
#include <cassert>

namespace woolly::engine {
namespace {

struct TypeRow {
  TensorType type;
  TensorTypeTraits traits;
};

constexpr std::array<TypeRow, 11> kSupported = {{
    {TensorType::kF32, {"F32", 1, 4}},
    {TensorType::kF16, {"F16", 1, 2}},
    {TensorType::kQ4_0, {"Q4_0", kQk, sizeof(BlockQ4_0)}},
    {TensorType::kQ4_1, {"Q4_1", kQk, sizeof(BlockQ4_1)}},
    {TensorType::kQ5_0, {"Q5_0", kQk, sizeof(BlockQ5_0)}},
    {TensorType::kQ5_1, {"Q5_1", kQk, sizeof(BlockQ5_1)}},
    {TensorType::kQ8_0, {"Q8_0", kQk, sizeof(BlockQ8_0)}},
    {TensorType::kQ4_K, {"Q4_K", kQkK, sizeof(BlockQ4_K)}},
    {TensorType::kQ5_K, {"Q5_K", kQkK, sizeof(BlockQ5_K)}},
    {TensorType::kQ6_K, {"Q6_K", kQkK, sizeof(BlockQ6_K)}},
    {TensorType::kBF16, {"BF16", 1, 2}},
}};

// ggml's names for the ids it defines (4 and 5 were removed types), so errors can say which
// type a file uses even when Woolly cannot run it.
constexpr std::array<std::string_view, 40> kGgmlNames = {
    "F32",   "F16",        "Q4_0",       "Q4_1",       "Q4_2",     "Q4_3",     "Q5_0",
    "Q5_1",  "Q8_0",       "Q8_1",       "Q2_K",       "Q3_K",     "Q4_K",     "Q5_K",
    "Q6_K",  "Q8_K",       "IQ2_XXS",    "IQ2_XS",     "IQ3_XXS",  "IQ1_S",    "IQ4_NL",
    "IQ3_S", "IQ2_S",      "IQ4_XS",     "I8",         "I16",      "I32",      "I64",
    "F64",   "IQ1_M",      "BF16",       "Q4_0_4_4",   "Q4_0_4_8", "Q4_0_8_8", "TQ1_0",
    "TQ2_0", "IQ4_NL_4_4", "IQ4_NL_4_8", "IQ4_NL_8_8", "MXFP4"};

}  // namespace

std::optional<TensorType> tensor_type_from_id(uint32_t id) {
  for (const auto& row : kSupported) {
    if (static_cast<uint32_t>(row.type) == id) return row.type;
  }
  return std::nullopt;
}

std::string ggml_type_name(uint32_t id) {
  if (id < kGgmlNames.size()) return std::string(kGgmlNames[id]);
  return "unknown type id " + std::to_string(id);
}

const TensorTypeTraits& traits(TensorType type) {
  for (const auto& row : kSupported) {
    if (row.type == type) return row.traits;
  }
  assert(false && "TensorType outside the supported table");
  return kSupported[0].traits;
}

}  // namespace woolly::engine
