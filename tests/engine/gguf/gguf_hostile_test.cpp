// Truncated, corrupt and hostile files must give a clear kCorruptData/kUnsupported error, never a
// crash, a hang or a huge allocation.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"

namespace woolly::engine {
namespace {

// Hand-encodes GGUF headers so tests can lie about counts, lengths and offsets.
class Raw {
 public:
  Raw& u32(uint32_t v) { return put(&v, 4); }
  Raw& u64(uint64_t v) { return put(&v, 8); }
  Raw& str(std::string_view s) {
    u64(s.size());
    return put(s.data(), s.size());
  }
  Raw& put(const void* p, size_t n) {
    const auto* b = static_cast<const std::byte*>(p);
    bytes.insert(bytes.end(), b, b + n);
    return *this;
  }
  Raw& pad_to(size_t n) {
    bytes.resize(n);
    return *this;
  }
  Raw& header(uint64_t n_tensors, uint64_t n_kv) {
    return u32(0x46554747).u32(3).u64(n_tensors).u64(n_kv);
  }
  std::vector<std::byte> bytes;
};

Error parse_error(std::vector<std::byte> bytes) {
  auto f = GgufFile::from_buffer(std::move(bytes));
  EXPECT_FALSE(f.ok());
  return f.ok() ? Error() : f.error();
}

void expect_corrupt(std::vector<std::byte> bytes, std::string_view needle) {
  Error e = parse_error(std::move(bytes));
  EXPECT_EQ(e.code, Errc::kCorruptData) << e.message;
  EXPECT_NE(e.message.find(needle), std::string::npos) << e.message;
}

TEST(GgufHostile, EveryTruncationIsAnError) {
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  std::vector<std::string> strs = {"x", "yy"};
  w.set_string_array("tokens", strs);
  std::vector<std::byte> data(16 * 4);
  ASSERT_TRUE(w.add_tensor("t", TensorType::kF32, {16}, data).ok());
  const std::vector<std::byte> full = w.to_bytes();
  ASSERT_TRUE(GgufFile::from_buffer(full).ok());
  for (size_t n = 0; n < full.size(); ++n) {
    auto f = GgufFile::from_buffer(std::vector<std::byte>(full.begin(), full.begin() + n));
    ASSERT_FALSE(f.ok()) << "prefix of " << n << " bytes parsed";
    EXPECT_EQ(f.error().code, Errc::kCorruptData) << f.error().message;
  }
}

TEST(GgufHostile, BadMagicAndVersion) {
  expect_corrupt(Raw().u32(0x12345678).u32(3).u64(0).u64(0).bytes, "magic");
  Error e = parse_error(Raw().u32(0x46554747).u32(1).u64(0).u64(0).bytes);
  EXPECT_EQ(e.code, Errc::kUnsupported);
  EXPECT_NE(e.message.find("version 1"), std::string::npos);
}

TEST(GgufHostile, HugeCountsAreRejectedBeforeAllocating) {
  expect_corrupt(Raw().header(0, uint64_t{1} << 60).bytes, "metadata count");
  expect_corrupt(Raw().header(uint64_t{1} << 60, 0).bytes, "tensor count");
}

TEST(GgufHostile, OversizedStringsAndArrays) {
  expect_corrupt(Raw().header(0, 1).u64(uint64_t{1} << 62).u64(0).bytes, "bytes long");
  expect_corrupt(Raw().header(0, 1).str("k").u32(8).u64(1000).put("abc", 3).bytes, "claims 1000");
  // Array of uint32 claiming 2^40 elements.
  expect_corrupt(Raw().header(0, 1).str("k").u32(9).u32(4).u64(uint64_t{1} << 40).u32(1).bytes,
                 "claims 1099511627776 elements");
  // Array of strings whose second element runs off the end.
  expect_corrupt(Raw().header(0, 1).str("k").u32(9).u32(8).u64(2).str("a").u64(99).bytes,
                 "string in value of 'k'");
}

TEST(GgufHostile, InvalidTypesAndNesting) {
  expect_corrupt(Raw().header(0, 1).str("k").u32(77).u32(0).bytes, "invalid value type 77");
  expect_corrupt(Raw().header(0, 1).str("k").u32(9).u32(9).u64(0).bytes, "nests arrays");
  expect_corrupt(Raw().header(0, 2).str("k").u32(4).u32(1).str("k").u32(4).u32(2).bytes,
                 "appears twice");
}

Raw tensor_file(uint32_t n_dims, std::vector<uint64_t> dims, uint32_t type, uint64_t offset,
                size_t data_bytes) {
  Raw r;
  r.header(1, 0).str("w").u32(n_dims);
  for (uint64_t d : dims) r.u64(d);
  r.u32(type).u64(offset);
  r.pad_to((r.bytes.size() + 31) / 32 * 32 + data_bytes);
  return r;
}

TEST(GgufHostile, TensorShapesOffsetsAndTypes) {
  ASSERT_TRUE(GgufFile::from_buffer(tensor_file(2, {4, 2}, 0, 0, 32).bytes).ok());
  expect_corrupt(tensor_file(5, {1, 1, 1, 1, 1}, 0, 0, 32).bytes, "rank 5");
  expect_corrupt(tensor_file(0, {}, 0, 0, 32).bytes, "rank 0");
  expect_corrupt(tensor_file(2, {4, 0}, 0, 0, 32).bytes, "invalid dimension 0");
  expect_corrupt(tensor_file(2, {uint64_t{1} << 40, uint64_t{1} << 40}, 0, 0, 32).bytes,
                 "invalid dimension");
  expect_corrupt(tensor_file(2, {4, 2}, 0, 32, 32).bytes, "beyond the end");
  expect_corrupt(tensor_file(2, {4, 2}, 0, 0, 31).bytes, "beyond the end");
  expect_corrupt(tensor_file(2, {4, 2}, 0, uint64_t{1} << 63, 32).bytes, "beyond the end");
  expect_corrupt(tensor_file(2, {4, 2}, 0, 8, 64).bytes, "not aligned");
  expect_corrupt(tensor_file(1, {33}, 8, 0, 64).bytes, "not a multiple of the Q8_0 block");
  Error e = parse_error(tensor_file(1, {256}, 16, 0, 256).bytes);
  EXPECT_EQ(e.code, Errc::kUnsupported);
  EXPECT_NE(e.message.find("IQ2_XXS"), std::string::npos) << e.message;
  e = parse_error(tensor_file(1, {256}, 1234, 0, 256).bytes);
  EXPECT_EQ(e.code, Errc::kUnsupported);
  EXPECT_NE(e.message.find("1234"), std::string::npos) << e.message;
}

TEST(GgufHostile, BadAlignmentValue) {
  Raw r;
  r.header(0, 1).str("general.alignment").u32(4).u32(48);
  expect_corrupt(r.bytes, "power of two");
}

}  // namespace
}  // namespace woolly::engine
