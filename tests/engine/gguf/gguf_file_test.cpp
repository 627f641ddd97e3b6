#include "engine/gguf/gguf_file.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/gguf/gguf_writer.h"

namespace woolly::engine {
namespace {

std::vector<std::byte> f32_bytes(const std::vector<float>& v) {
  std::vector<std::byte> out(v.size() * 4);
  std::memcpy(out.data(), v.data(), out.size());
  return out;
}

// A small valid file: metadata of every type and two tensors.
GgufWriter sample_writer() {
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_u8("k.u8", 200);
  w.set_i8("k.i8", -5);
  w.set_u16("k.u16", 60000);
  w.set_i16("k.i16", -300);
  w.set_u32("k.u32", 4000000000u);
  w.set_i32("k.i32", -7);
  w.set_u64("k.u64", 1ull << 40);
  w.set_i64("k.i64", -(1ll << 40));
  w.set_f32("k.f32", 0.5f);
  w.set_f64("k.f64", 1e-6);
  w.set_bool("k.bool", true);
  std::vector<std::string> strs = {"a", "", "hello"};
  w.set_string_array("k.strs", strs);
  std::vector<int32_t> ints = {1, -2, 3};
  w.set_i32_array("k.ints", ints);
  std::vector<float> floats = {0.25f, -1.0f};
  w.set_f32_array("k.floats", floats);
  EXPECT_TRUE(
      w.add_tensor("a", TensorType::kF32, {4, 2}, f32_bytes({1, 2, 3, 4, 5, 6, 7, 8})).ok());
  EXPECT_TRUE(w.add_tensor("b", TensorType::kF32, {3}, f32_bytes({9, 10, 11})).ok());
  return w;
}

TEST(GgufFile, RoundTripsEveryMetadataTypeAndTensors) {
  auto file = GgufFile::from_buffer(sample_writer().to_bytes());
  ASSERT_TRUE(file.ok()) << file.error().message;
  const GgufFile& f = **file;
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(*f.get_string("general.architecture"), "llama");
  EXPECT_EQ(*f.get_int("k.u8"), 200);
  EXPECT_EQ(*f.get_int("k.i8"), -5);
  EXPECT_EQ(*f.get_int("k.u16"), 60000);
  EXPECT_EQ(*f.get_int("k.i16"), -300);
  EXPECT_EQ(*f.get_u32("k.u32"), 4000000000u);
  EXPECT_EQ(*f.get_int("k.i32"), -7);
  EXPECT_EQ(*f.get_int("k.u64"), 1ll << 40);
  EXPECT_EQ(*f.get_int("k.i64"), -(1ll << 40));
  EXPECT_EQ(*f.get_float("k.f32"), 0.5);
  EXPECT_EQ(*f.get_float("k.f64"), 1e-6);
  EXPECT_TRUE(*f.get_bool("k.bool"));
  auto strs = f.get_string_array("k.strs");
  ASSERT_TRUE(strs.ok());
  ASSERT_EQ(strs->size(), 3u);
  EXPECT_EQ((*strs)[2], "hello");
  EXPECT_EQ((*strs)[1], "");
  EXPECT_EQ(*f.get_int_array("k.ints"), (std::vector<int64_t>{1, -2, 3}));
  EXPECT_EQ(*f.get_float_array("k.floats"), (std::vector<float>{0.25f, -1.0f}));
  EXPECT_EQ(*f.get_array_size("k.strs"), 3u);

  ASSERT_EQ(f.tensors().size(), 2u);
  const GgufTensor* a = f.find_tensor("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->ne[0], 4);
  EXPECT_EQ(a->ne[1], 2);
  EXPECT_EQ(a->rows(), 2);
  EXPECT_EQ(a->offset % 32, 0u);
  float v[8];
  std::memcpy(v, a->data, sizeof v);
  EXPECT_EQ(v[7], 8.0f);
  const GgufTensor* b = f.find_tensor("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->offset % 32, 0u);
  std::memcpy(v, b->data, 12);
  EXPECT_EQ(v[2], 11.0f);
  EXPECT_EQ(f.find_tensor("c"), nullptr);
}

TEST(GgufFile, WrongTypeAndMissingKeysAreClearErrors) {
  auto file = GgufFile::from_buffer(sample_writer().to_bytes());
  ASSERT_TRUE(file.ok());
  auto s = (*file)->get_string("k.u32");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kInvalidArgument);
  EXPECT_NE(s.error().message.find("k.u32"), std::string::npos);
  EXPECT_NE(s.error().message.find("uint32"), std::string::npos);
  auto m = (*file)->get_int("nope");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, Errc::kNotFound);
  EXPECT_FALSE((*file)->get_u32("k.i32").ok());  // negative does not fit
  EXPECT_FALSE((*file)->get_string_array("k.ints").ok());
  EXPECT_FALSE((*file)->get_bool("k.u8").ok());
}

TEST(GgufFile, ReadsVersion2Files) {
  // v2 has the same layout as v3 (64-bit counts and lengths); only the version differs.
  std::vector<std::byte> bytes = sample_writer().to_bytes();
  bytes[4] = std::byte{2};
  auto file = GgufFile::from_buffer(std::move(bytes));
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ((*file)->version(), 2u);
  EXPECT_EQ(*(*file)->get_string("general.architecture"), "llama");
  EXPECT_EQ((*file)->tensors().size(), 2u);
}

TEST(GgufFile, CustomAlignmentIsHonoured) {
  GgufWriter w(64);
  ASSERT_TRUE(w.add_tensor("x", TensorType::kF32, {3}, f32_bytes({1, 2, 3})).ok());
  ASSERT_TRUE(w.add_tensor("y", TensorType::kF32, {1}, f32_bytes({4})).ok());
  auto file = GgufFile::from_buffer(w.to_bytes());
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ((*file)->alignment(), 64u);
  EXPECT_EQ((*file)->find_tensor("y")->offset % 64, 0u);
}

TEST(GgufFile, OpensAReferenceModelFromDisk) {
  auto file =
      GgufFile::open(std::string(WOOLLY_SHARED_DIR) + "/reference/llama-spm-e128-q8_0.gguf");
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(*(*file)->get_string("general.architecture"), "llama");
  EXPECT_EQ(*(*file)->get_array_size("tokenizer.ggml.tokens"), 32000u);
  const GgufTensor* t = (*file)->find_tensor("token_embd.weight");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->type, TensorType::kQ8_0);
  EXPECT_EQ(t->ne[0], 128);
  EXPECT_EQ(t->ne[1], 32000);
  EXPECT_GT((*file)->mapped_bytes(), 5000000u);
}

TEST(GgufFile, RewritingAFileLeavesItsOpenMappingsIntact) {
  // Two servers sharing a data directory both create the demo model: the second write must not
  // change the pages the first one already maps, nor leave a partial file behind.
  const auto dir = std::filesystem::temp_directory_path() /
                   ("woolly-gguf-rewrite-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "model.gguf").string();
  ASSERT_TRUE(sample_writer().write_file(path).ok());
  auto first = GgufFile::open(path);
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE((*first)->mapped_bytes() > 0);

  GgufWriter other;  // the same layout, other values
  other.set_string("general.architecture", "llama");
  ASSERT_TRUE(
      other.add_tensor("a", TensorType::kF32, {4, 2}, f32_bytes({-1, -2, -3, -4, -5, -6, -7, -8}))
          .ok());
  ASSERT_TRUE(other.write_file(path).ok());

  float v[8];
  std::memcpy(v, (*first)->find_tensor("a")->data, sizeof v);
  EXPECT_EQ(v[0], 1.0f);
  EXPECT_EQ(v[7], 8.0f);
  EXPECT_EQ(*(*first)->get_int("k.i32"), -7);
  auto second = GgufFile::open(path);
  ASSERT_TRUE(second.ok()) << second.error().message;
  std::memcpy(v, (*second)->find_tensor("a")->data, sizeof v);
  EXPECT_EQ(v[7], -8.0f);
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 1u);  // no temporary file left

  auto nowhere = other.write_file((dir / "missing" / "model.gguf").string());
  ASSERT_FALSE(nowhere.ok());
  EXPECT_EQ(nowhere.error().code, Errc::kIo);
  EXPECT_NE(nowhere.error().message.find("missing"), std::string::npos);
  first->reset();
  second->reset();
  std::filesystem::remove_all(dir);
}

TEST(GgufFile, MissingFileIsNotFound) {
  auto file = GgufFile::open("/nonexistent/model.gguf");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().code, Errc::kNotFound);
}

}  // namespace
}  // namespace woolly::engine
