#include "engine/gguf/gguf_writer.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace woolly::engine {
namespace {

void append(std::vector<std::byte>& out, const void* p, size_t n) {
  // resize + memcpy rather than insert: g++ 12 warns falsely (-Wstringop-overflow) on the latter.
  if (n == 0) return;
  const size_t at = out.size();
  out.resize(at + n);
  std::memcpy(out.data() + at, p, n);
}
template <typename T>
void append_value(std::vector<std::byte>& out, T v) {
  append(out, &v, sizeof(T));
}
void append_string(std::vector<std::byte>& out, std::string_view s) {
  append_value<uint64_t>(out, s.size());
  append(out, s.data(), s.size());
}

}  // namespace

void GgufWriter::put(const void* p, size_t n) { append(kv_bytes_, p, n); }
void GgufWriter::put_string(std::string_view s) { append_string(kv_bytes_, s); }

void GgufWriter::key_and_type(std::string_view key, GgufType type) {
  ++n_kv_;
  put_string(key);
  append_value<uint32_t>(kv_bytes_, static_cast<uint32_t>(type));
}

void GgufWriter::scalar(std::string_view key, GgufType type, const void* v, size_t n) {
  key_and_type(key, type);
  put(v, n);
}

void GgufWriter::set_bool(std::string_view key, bool v) {
  const uint8_t b = v ? 1 : 0;
  scalar(key, GgufType::kBool, &b, 1);
}

void GgufWriter::set_string(std::string_view key, std::string_view v) {
  key_and_type(key, GgufType::kString);
  put_string(v);
}

void GgufWriter::set_string_array(std::string_view key, std::span<const std::string> values) {
  key_and_type(key, GgufType::kArray);
  append_value<uint32_t>(kv_bytes_, static_cast<uint32_t>(GgufType::kString));
  append_value<uint64_t>(kv_bytes_, values.size());
  for (const auto& s : values) put_string(s);
}

void GgufWriter::set_i32_array(std::string_view key, std::span<const int32_t> values) {
  key_and_type(key, GgufType::kArray);
  append_value<uint32_t>(kv_bytes_, static_cast<uint32_t>(GgufType::kInt32));
  append_value<uint64_t>(kv_bytes_, values.size());
  put(values.data(), values.size_bytes());
}

void GgufWriter::set_f32_array(std::string_view key, std::span<const float> values) {
  key_and_type(key, GgufType::kArray);
  append_value<uint32_t>(kv_bytes_, static_cast<uint32_t>(GgufType::kFloat32));
  append_value<uint64_t>(kv_bytes_, values.size());
  put(values.data(), values.size_bytes());
}

Status GgufWriter::add_tensor(std::string_view name, TensorType type,
                              std::initializer_list<int64_t> dims,
                              std::span<const std::byte> data) {
  return add_tensor(name, type, std::span<const int64_t>(dims.begin(), dims.size()), data);
}

Status GgufWriter::add_tensor(std::string_view name, TensorType type, std::span<const int64_t> dims,
                              std::span<const std::byte> data) {
  if (dims.empty() || dims.size() > 4) {
    return make_error(Errc::kInvalidArgument, "tensor rank must be 1 to 4");
  }
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d <= 0) return make_error(Errc::kInvalidArgument, "tensor dimensions must be positive");
    n *= d;
  }
  if (dims[0] % block_elems(type) != 0) {
    return make_error(Errc::kInvalidArgument, "row length is not a multiple of the " +
                                                  std::string(type_name(type)) + " block");
  }
  const size_t expect = row_bytes(type, dims[0]) * static_cast<size_t>(n / dims[0]);
  if (data.size() != expect) {
    return make_error(Errc::kInvalidArgument, "tensor '" + std::string(name) + "' needs " +
                                                  std::to_string(expect) + " bytes, got " +
                                                  std::to_string(data.size()));
  }
  tensors_.push_back(
      {std::string(name), type, {dims.begin(), dims.end()}, {data.begin(), data.end()}});
  return {};
}

std::vector<std::byte> GgufWriter::to_bytes() const {
  std::vector<std::byte> out;
  append_value<uint32_t>(out, 0x46554747);
  append_value<uint32_t>(out, 3);
  append_value<uint64_t>(out, tensors_.size());
  const bool custom_alignment = alignment_ != 32;
  append_value<uint64_t>(out, n_kv_ + (custom_alignment ? 1 : 0));
  append(out, kv_bytes_.data(), kv_bytes_.size());
  if (custom_alignment) {
    append_string(out, "general.alignment");
    append_value<uint32_t>(out, static_cast<uint32_t>(GgufType::kUint32));
    append_value<uint32_t>(out, alignment_);
  }
  auto align_up = [&](uint64_t v) { return (v + alignment_ - 1) / alignment_ * alignment_; };
  uint64_t offset = 0;
  for (const auto& t : tensors_) {
    append_string(out, t.name);
    append_value<uint32_t>(out, static_cast<uint32_t>(t.dims.size()));
    for (int64_t d : t.dims) append_value<uint64_t>(out, static_cast<uint64_t>(d));
    append_value<uint32_t>(out, static_cast<uint32_t>(t.type));
    append_value<uint64_t>(out, offset);
    offset = align_up(offset + t.data.size());
  }
  out.resize(align_up(out.size()));
  const size_t data_start = out.size();
  offset = 0;
  for (const auto& t : tensors_) {
    out.resize(data_start + offset);
    append(out, t.data.data(), t.data.size());
    offset = align_up(offset + t.data.size());
  }
  return out;
}

Status GgufWriter::write_file(const std::string& path) const {
  const std::vector<std::byte> bytes = to_bytes();
  // Written beside the target and renamed over it: a process that has the old file mapped keeps
  // its pages, and a reader never sees a half-written model (two servers starting on one data
  // directory both create the demo model).
  static std::atomic<uint64_t> counter{0};
  const std::string part =
      path + ".part-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
  std::FILE* f = std::fopen(part.c_str(), "wb");
  if (f == nullptr) {
    return make_error(Errc::kIo, "cannot create " + path + ": " + std::strerror(errno));
  }
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  const int write_errno = errno;
  if (std::fclose(f) != 0 || !written) {
    const int e = written ? errno : write_errno;
    std::remove(part.c_str());
    return make_error(Errc::kIo, "cannot write " + path + ": " + std::strerror(e));
  }
  if (std::rename(part.c_str(), path.c_str()) != 0) {
    const int e = errno;
    std::remove(part.c_str());
    return make_error(Errc::kIo, "cannot rename " + part + " to " + path + ": " + std::strerror(e));
  }
  return {};
}

}  // namespace woolly::engine
