#include "engine/gguf/gguf_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

namespace woolly::engine {
namespace {

constexpr uint32_t kMagic = 0x46554747;  // "GGUF" read as a little-endian uint32
constexpr uint32_t kMaxDims = 4;
constexpr uint64_t kMaxKeyBytes = 65535;
// No real tensor has more elements; keeps n_elements * bytes far from overflow.
constexpr int64_t kMaxElements = int64_t{1} << 50;

Error corrupt(std::string what) { return make_error(Errc::kCorruptData, "GGUF: " + what); }

// Bounds-checked reader over the file image; every read says what it was reading when it fails.
class Cursor {
 public:
  Cursor(const std::byte* base, size_t size) : base_(base), size_(size) {}
  size_t pos() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }
  const std::byte* here() const { return base_ + pos_; }

  template <typename T>
  Result<T> read(std::string_view what) {
    if (remaining() < sizeof(T)) return corrupt("file ends inside " + std::string(what));
    T v;
    std::memcpy(&v, base_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  Status skip(uint64_t n, std::string_view what) {
    if (n > remaining()) return corrupt("file ends inside " + std::string(what));
    pos_ += n;
    return {};
  }
  Result<std::string_view> read_string(std::string_view what, uint64_t max_len) {
    WOOLLY_ASSIGN_OR_RETURN(uint64_t len, read<uint64_t>(what));
    if (len > max_len) {
      return corrupt(std::string(what) + " is " + std::to_string(len) + " bytes long (limit " +
                     std::to_string(max_len) + ")");
    }
    if (len > remaining()) {
      return corrupt(std::string(what) + " claims " + std::to_string(len) + " bytes but only " +
                     std::to_string(remaining()) + " remain");
    }
    std::string_view s(reinterpret_cast<const char*>(base_ + pos_), len);
    pos_ += len;
    return s;
  }

 private:
  const std::byte* base_;
  size_t size_;
  size_t pos_ = 0;
};

bool valid_value_type(uint32_t t) { return t <= static_cast<uint32_t>(GgufType::kFloat64); }

// Skips one encoded value of `type` (not an array) and checks it fits.
Status skip_scalar_or_string(Cursor& cur, GgufType type, const std::string& what) {
  if (type == GgufType::kString) {
    auto s = cur.read_string("string in " + what, std::numeric_limits<uint64_t>::max());
    if (!s.ok()) return s.take_error();
    return {};
  }
  return cur.skip(gguf_scalar_size(type), what);
}

Status parse_value(Cursor& cur, GgufKv& kv) {
  const std::string what = "value of '" + std::string(kv.key) + "'";
  WOOLLY_ASSIGN_OR_RETURN(uint32_t raw_type, cur.read<uint32_t>("type of " + what));
  if (!valid_value_type(raw_type)) {
    return corrupt("'" + std::string(kv.key) + "' has invalid value type " +
                   std::to_string(raw_type));
  }
  kv.type = static_cast<GgufType>(raw_type);
  if (kv.type != GgufType::kArray) {
    kv.value = cur.here();
    const size_t start = cur.pos();
    WOOLLY_TRY(skip_scalar_or_string(cur, kv.type, what));
    kv.value_bytes = cur.pos() - start;
    return {};
  }
  WOOLLY_ASSIGN_OR_RETURN(uint32_t elem_type, cur.read<uint32_t>("element type of " + what));
  if (!valid_value_type(elem_type)) {
    return corrupt("array '" + std::string(kv.key) + "' has invalid element type " +
                   std::to_string(elem_type));
  }
  kv.array_type = static_cast<GgufType>(elem_type);
  if (kv.array_type == GgufType::kArray) {
    return corrupt("array '" + std::string(kv.key) + "' nests arrays, which GGUF models never do");
  }
  WOOLLY_ASSIGN_OR_RETURN(uint64_t count, cur.read<uint64_t>("length of " + what));
  // Every element needs at least this many bytes, so a count beyond remaining/min is a lie.
  const uint64_t min_elem =
      kv.array_type == GgufType::kString ? 8 : gguf_scalar_size(kv.array_type);
  if (count > cur.remaining() / min_elem) {
    return corrupt("array '" + std::string(kv.key) + "' claims " + std::to_string(count) +
                   " elements but only " + std::to_string(cur.remaining()) + " bytes remain");
  }
  kv.array_count = count;
  kv.value = cur.here();
  const size_t start = cur.pos();
  if (kv.array_type == GgufType::kString) {
    for (uint64_t i = 0; i < count; ++i)
      WOOLLY_TRY(skip_scalar_or_string(cur, kv.array_type, what));
  } else {
    WOOLLY_TRY(cur.skip(count * min_elem, what));
  }
  kv.value_bytes = cur.pos() - start;
  return {};
}

template <typename T>
T load(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// Reads an integer of any GGUF integer type; false when it cannot be represented as int64.
bool load_int(GgufType type, const std::byte* p, int64_t& out) {
  switch (type) {
    case GgufType::kUint8:
      out = load<uint8_t>(p);
      return true;
    case GgufType::kInt8:
      out = load<int8_t>(p);
      return true;
    case GgufType::kUint16:
      out = load<uint16_t>(p);
      return true;
    case GgufType::kInt16:
      out = load<int16_t>(p);
      return true;
    case GgufType::kUint32:
      out = load<uint32_t>(p);
      return true;
    case GgufType::kInt32:
      out = load<int32_t>(p);
      return true;
    case GgufType::kInt64:
      out = load<int64_t>(p);
      return true;
    case GgufType::kUint64: {
      const uint64_t v = load<uint64_t>(p);
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
      out = static_cast<int64_t>(v);
      return true;
    }
    default:
      return false;
  }
}

Error wrong_type(std::string_view key, std::string_view wanted, const GgufKv& kv) {
  std::string actual(gguf_type_name(kv.type));
  if (kv.type == GgufType::kArray) actual += " of " + std::string(gguf_type_name(kv.array_type));
  return make_error(Errc::kInvalidArgument, "GGUF key '" + std::string(key) + "' is " + actual +
                                                ", expected " + std::string(wanted));
}

}  // namespace

GgufFile::~GgufFile() {
  if (mapped_ && base_ != nullptr) munmap(const_cast<std::byte*>(base_), size_);
}

Result<std::unique_ptr<GgufFile>> GgufFile::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return make_error(err == ENOENT ? Errc::kNotFound : Errc::kIo,
                      "cannot open model file " + path + ": " + std::strerror(err));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(Errc::kIo, "model path is not a regular file: " + path);
  }
  std::unique_ptr<GgufFile> file(new GgufFile());
  file->size_ = static_cast<size_t>(st.st_size);
  if (file->size_ > 0) {
    void* p = mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      return make_error(Errc::kIo, "cannot map " + path + ": " + std::strerror(err));
    }
    file->base_ = static_cast<const std::byte*>(p);
    file->mapped_ = true;
  }
  ::close(fd);  // the mapping stays valid without the descriptor
  Status st_parse = file->parse();
  if (!st_parse.ok()) {
    Error e = st_parse.take_error();
    e.message += " (" + path + ")";
    return e;
  }
  return file;
}

Result<std::unique_ptr<GgufFile>> GgufFile::from_buffer(std::vector<std::byte> bytes) {
  std::unique_ptr<GgufFile> file(new GgufFile());
  file->owned_ = std::move(bytes);
  file->base_ = file->owned_.data();
  file->size_ = file->owned_.size();
  WOOLLY_TRY(file->parse());
  return file;
}

Status GgufFile::parse() {
  Cursor cur(base_, size_);
  WOOLLY_ASSIGN_OR_RETURN(uint32_t magic, cur.read<uint32_t>("the magic number"));
  if (magic != kMagic) return corrupt("not a GGUF file (bad magic number)");
  WOOLLY_ASSIGN_OR_RETURN(version_, cur.read<uint32_t>("the version"));
  if (version_ != 2 && version_ != 3) {
    return make_error(Errc::kUnsupported,
                      "GGUF version " + std::to_string(version_) + " is not supported (2 or 3)");
  }
  WOOLLY_ASSIGN_OR_RETURN(uint64_t n_tensors, cur.read<uint64_t>("the tensor count"));
  WOOLLY_ASSIGN_OR_RETURN(uint64_t n_kv, cur.read<uint64_t>("the metadata count"));
  // Smallest encodings: a kv is key length + type + 1 byte value = 13 bytes; a tensor info is
  // name length + n_dims + one dim + type + offset = 32 bytes.
  if (n_kv > cur.remaining() / 13) {
    return corrupt("metadata count " + std::to_string(n_kv) + " cannot fit in the file");
  }
  if (n_tensors > cur.remaining() / 32) {
    return corrupt("tensor count " + std::to_string(n_tensors) + " cannot fit in the file");
  }

  kvs_.reserve(n_kv);
  for (uint64_t i = 0; i < n_kv; ++i) {
    GgufKv kv;
    WOOLLY_ASSIGN_OR_RETURN(kv.key,
                            cur.read_string("metadata key #" + std::to_string(i), kMaxKeyBytes));
    WOOLLY_TRY(parse_value(cur, kv));
    if (!kv_index_.emplace(kv.key, kvs_.size()).second) {
      return corrupt("metadata key '" + std::string(kv.key) + "' appears twice");
    }
    kvs_.push_back(kv);
  }
  if (const GgufKv* a = find("general.alignment")) {
    int64_t v = 0;
    if (a->type != GgufType::kUint32 || !load_int(a->type, a->value, v) || v == 0 ||
        (v & (v - 1)) != 0 || v > 65536) {
      return corrupt("general.alignment must be a uint32 power of two up to 65536");
    }
    alignment_ = static_cast<uint32_t>(v);
  }

  tensors_.reserve(n_tensors);
  for (uint64_t i = 0; i < n_tensors; ++i) {
    GgufTensor t{};
    WOOLLY_ASSIGN_OR_RETURN(t.name, cur.read_string("tensor name #" + std::to_string(i), 65535));
    const std::string label = "tensor '" + std::string(t.name) + "'";
    WOOLLY_ASSIGN_OR_RETURN(t.n_dims, cur.read<uint32_t>("rank of " + label));
    if (t.n_dims == 0 || t.n_dims > kMaxDims) {
      return corrupt(label + " has rank " + std::to_string(t.n_dims) + " (1 to 4 allowed)");
    }
    t.n_elements = 1;
    for (uint32_t d = 0; d < kMaxDims; ++d) t.ne[d] = 1;
    for (uint32_t d = 0; d < t.n_dims; ++d) {
      WOOLLY_ASSIGN_OR_RETURN(uint64_t dim, cur.read<uint64_t>("dimensions of " + label));
      if (dim == 0 || dim > static_cast<uint64_t>(kMaxElements) ||
          static_cast<uint64_t>(t.n_elements) > static_cast<uint64_t>(kMaxElements) / dim) {
        return corrupt(label + " has an invalid dimension " + std::to_string(dim));
      }
      t.ne[d] = static_cast<int64_t>(dim);
      t.n_elements *= t.ne[d];
    }
    WOOLLY_ASSIGN_OR_RETURN(uint32_t type_id, cur.read<uint32_t>("type of " + label));
    const auto type = tensor_type_from_id(type_id);
    if (!type) {
      return make_error(Errc::kUnsupported, label + " has tensor type " + ggml_type_name(type_id) +
                                                ", which Woolly does not support");
    }
    t.type = *type;
    if (t.ne[0] % block_elems(t.type) != 0) {
      return corrupt(label + " row of " + std::to_string(t.ne[0]) + " elements is not a multiple " +
                     "of the " + std::string(type_name(t.type)) + " block size");
    }
    t.n_bytes = row_bytes(t.type, t.ne[0]) * static_cast<size_t>(t.rows());
    WOOLLY_ASSIGN_OR_RETURN(t.offset, cur.read<uint64_t>("offset of " + label));
    if (t.offset % alignment_ != 0) {
      return corrupt(label + " offset " + std::to_string(t.offset) + " is not aligned to " +
                     std::to_string(alignment_));
    }
    if (!tensor_index_.emplace(t.name, tensors_.size()).second) {
      return corrupt("tensor '" + std::string(t.name) + "' appears twice");
    }
    tensors_.push_back(t);
  }

  const uint64_t data_start = (cur.pos() + alignment_ - 1) / alignment_ * alignment_;
  for (GgufTensor& t : tensors_) {
    // Relative offset + size must stay inside the file; compare without overflowing.
    if (data_start > size_ || t.offset > size_ - data_start ||
        t.n_bytes > size_ - data_start - t.offset) {
      return corrupt("data of tensor '" + std::string(t.name) + "' (" + std::to_string(t.n_bytes) +
                     " bytes at offset " + std::to_string(t.offset) + ") lies beyond the end of " +
                     "the file (" + std::to_string(size_) + " bytes)");
    }
    t.offset += data_start;
    t.data = base_ + t.offset;
  }
  return {};
}

const GgufKv* GgufFile::find(std::string_view key) const {
  auto it = kv_index_.find(key);
  return it == kv_index_.end() ? nullptr : &kvs_[it->second];
}

const GgufTensor* GgufFile::find_tensor(std::string_view name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

Result<const GgufKv*> GgufFile::find_typed(std::string_view key) const {
  const GgufKv* kv = find(key);
  if (kv == nullptr) {
    return make_error(Errc::kNotFound, "GGUF key '" + std::string(key) + "' is missing");
  }
  return kv;
}

Result<std::string_view> GgufFile::get_string(std::string_view key) const {
  WOOLLY_ASSIGN_OR_RETURN(const GgufKv* kv, find_typed(key));
  if (kv->type != GgufType::kString) return wrong_type(key, "string", *kv);
  return std::string_view(reinterpret_cast<const char*>(kv->value) + 8, kv->value_bytes - 8);
}

Result<int64_t> GgufFile::get_int(std::string_view key) const {
  WOOLLY_ASSIGN_OR_RETURN(const GgufKv* kv, find_typed(key));
  int64_t v = 0;
  if (!gguf_is_integer(kv->type)) return wrong_type(key, "an integer", *kv);
  if (!load_int(kv->type, kv->value, v)) {
    return make_error(Errc::kInvalidArgument, "GGUF key '" + std::string(key) + "' is too large");
  }
  return v;
}

Result<uint32_t> GgufFile::get_u32(std::string_view key) const {
  WOOLLY_ASSIGN_OR_RETURN(int64_t v, get_int(key));
  if (v < 0 || v > std::numeric_limits<uint32_t>::max()) {
    return make_error(Errc::kInvalidArgument, "GGUF key '" + std::string(key) +
                                                  "' = " + std::to_string(v) +
                                                  " is outside the range of uint32");
  }
  return static_cast<uint32_t>(v);
}

Result<double> GgufFile::get_float(std::string_view key) const {
  WOOLLY_ASSIGN_OR_RETURN(const GgufKv* kv, find_typed(key));
  if (kv->type == GgufType::kFloat32) return static_cast<double>(load<float>(kv->value));
  if (kv->type == GgufType::kFloat64) return load<double>(kv->value);
  int64_t v = 0;
  if (load_int(kv->type, kv->value, v)) return static_cast<double>(v);
  return wrong_type(key, "a number", *kv);
}

Result<bool> GgufFile::get_bool(std::string_view key) const {
  WOOLLY_ASSIGN_OR_RETURN(const GgufKv* kv, find_typed(key));
  if (kv->type != GgufType::kBool) return wrong_type(key, "bool", *kv);
  return load<uint8_t>(kv->value) != 0;
}

Result<uint64_t> GgufFile::get_array_size(std::string_view key) const {
  WOOLLY_ASSIGN_OR_RETURN(const GgufKv* kv, find_typed(key));
  if (kv->type != GgufType::kArray) return wrong_type(key, "an array", *kv);
  return kv->array_count;
}

Result<std::vector<std::string_view>> GgufFile::get_string_array(std::string_view key) const {
  WOOLLY_ASSIGN_OR_RETURN(const GgufKv* kv, find_typed(key));
  if (kv->type != GgufType::kArray || kv->array_type != GgufType::kString) {
    return wrong_type(key, "array of string", *kv);
  }
  std::vector<std::string_view> out;
  out.reserve(kv->array_count);
  const std::byte* p = kv->value;  // lengths were validated by parse()
  for (uint64_t i = 0; i < kv->array_count; ++i) {
    const uint64_t len = load<uint64_t>(p);
    out.emplace_back(reinterpret_cast<const char*>(p + 8), len);
    p += 8 + len;
  }
  return out;
}

Result<std::vector<int64_t>> GgufFile::get_int_array(std::string_view key) const {
  WOOLLY_ASSIGN_OR_RETURN(const GgufKv* kv, find_typed(key));
  if (kv->type != GgufType::kArray || !gguf_is_integer(kv->array_type)) {
    return wrong_type(key, "array of integers", *kv);
  }
  const uint32_t size = gguf_scalar_size(kv->array_type);
  std::vector<int64_t> out(kv->array_count);
  for (uint64_t i = 0; i < kv->array_count; ++i) {
    if (!load_int(kv->array_type, kv->value + i * size, out[i])) {
      return make_error(Errc::kInvalidArgument,
                        "GGUF array '" + std::string(key) + "' holds a value beyond int64");
    }
  }
  return out;
}

Result<std::vector<float>> GgufFile::get_float_array(std::string_view key) const {
  WOOLLY_ASSIGN_OR_RETURN(const GgufKv* kv, find_typed(key));
  if (kv->type != GgufType::kArray) return wrong_type(key, "array of numbers", *kv);
  std::vector<float> out(kv->array_count);
  const uint32_t size = gguf_scalar_size(kv->array_type);
  for (uint64_t i = 0; i < kv->array_count; ++i) {
    const std::byte* p = kv->value + i * size;
    int64_t v = 0;
    if (kv->array_type == GgufType::kFloat32) {
      out[i] = load<float>(p);
    } else if (kv->array_type == GgufType::kFloat64) {
      out[i] = static_cast<float>(load<double>(p));
    } else if (gguf_is_integer(kv->array_type) && load_int(kv->array_type, p, v)) {
      out[i] = static_cast<float>(v);
    } else {
      return wrong_type(key, "array of numbers", *kv);
    }
  }
  return out;
}

}  // namespace woolly::engine
