// Writes the fuzzer's seed corpus into argv[1]: small valid files made with GgufWriter (every
// metadata type, tensors of every type) and the first kilobytes of the reference models.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "engine/gguf/gguf_writer.h"

namespace {

using woolly::engine::GgufWriter;
using woolly::engine::TensorType;

void save(const std::string& path, const std::vector<std::byte>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s <corpus dir> <reference dir>\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_u8("a", 1);
  w.set_i8("b", -1);
  w.set_u16("c", 2);
  w.set_i16("d", -2);
  w.set_u32("e", 3);
  w.set_i32("f", -3);
  w.set_u64("g", 4);
  w.set_i64("h", -4);
  w.set_f32("i", 0.5f);
  w.set_f64("j", 0.25);
  w.set_bool("k", true);
  std::vector<std::string> strs = {"x", "yz"};
  w.set_string_array("l", strs);
  std::vector<int32_t> ints = {1, 2};
  w.set_i32_array("m", ints);
  save(dir + "/metadata.gguf", w.to_bytes());

  const TensorType types[] = {TensorType::kF32,  TensorType::kF16,  TensorType::kQ8_0,
                              TensorType::kQ4_0, TensorType::kQ4_K, TensorType::kQ6_K};
  GgufWriter t(64);
  int i = 0;
  for (TensorType type : types) {
    const int64_t n = 256;
    std::vector<std::byte> data(woolly::engine::row_bytes(type, n));
    if (!t.add_tensor("t" + std::to_string(i++), type, {n}, data).ok()) return 1;
  }
  save(dir + "/tensors.gguf", t.to_bytes());

  for (const char* name : {"llama-spm-e128-q4_0", "qwen2-gpt2-e128-q8_0"}) {
    std::ifstream in(std::string(argv[2]) + "/" + name + ".gguf", std::ios::binary);
    std::vector<char> head(4096);
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<size_t>(in.gcount()));
    std::ofstream(dir + "/" + name + ".head", std::ios::binary)
        .write(head.data(), static_cast<std::streamsize>(head.size()));
  }
  return 0;
}
