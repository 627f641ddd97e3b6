// libFuzzer target for the GGUF reader: any byte string must parse or fail cleanly, and every
// accessor of a parsed file must stay inside the buffer (ASan/UBSan watch).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/gguf/gguf_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace woolly::engine;
  std::vector<std::byte> bytes(reinterpret_cast<const std::byte*>(data),
                               reinterpret_cast<const std::byte*>(data) + size);
  auto file = GgufFile::from_buffer(std::move(bytes));
  if (!file.ok()) return 0;
  const GgufFile& f = **file;
  size_t sink = 0;
  for (const GgufKv& kv : f.metadata()) {
    if (auto s = f.get_string(kv.key); s.ok()) sink += s->size();
    if (auto v = f.get_int(kv.key); v.ok()) sink += static_cast<size_t>(*v);
    if (auto v = f.get_float(kv.key); v.ok()) sink += *v > 0;
    if (auto v = f.get_bool(kv.key); v.ok()) sink += *v;
    if (auto v = f.get_string_array(kv.key); v.ok()) {
      for (auto s : *v) sink += s.empty() ? 0 : static_cast<unsigned char>(s.back());
    }
    if (auto v = f.get_int_array(kv.key); v.ok()) sink += v->size();
    if (auto v = f.get_float_array(kv.key); v.ok()) sink += v->size();
  }
  for (const GgufTensor& t : f.tensors()) {
    // Touch the first and last byte of every tensor: both must lie inside the buffer.
    sink +=
        static_cast<unsigned char>(t.data[0]) + static_cast<unsigned char>(t.data[t.n_bytes - 1]);
  }
  return sink == 0x7fffffff ? 1 : 0;
}
