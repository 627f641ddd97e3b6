#include "mcp/file_resources.h"

#include <fstream>
#include <iterator>
#include <map>

namespace woolly::mcp {

namespace fs = std::filesystem;

namespace {

bool is_within(const fs::path& path, const fs::path& root) {
  auto p = path.begin();
  for (auto r = root.begin(); r != root.end(); ++r, ++p) {
    if (p == path.end() || *p != *r) return false;
  }
  return true;
}

bool unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '/';
}

bool looks_textual(const std::string& bytes) {
  for (unsigned char c : bytes) {
    if (c == 0) return false;
  }
  // Valid UTF-8 check: JSON text must be UTF-8.
  size_t i = 0;
  while (i < bytes.size()) {
    unsigned char c = bytes[i];
    int extra = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    if (extra < 0 || i + extra >= bytes.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(bytes[i + k]) >> 6) != 2) return false;
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace

Result<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      return make_error(Errc::kInvalidArgument, "bad percent-encoding");
    }
    out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
    i += 2;
  }
  return out;
}

std::string file_uri(const fs::path& absolute) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "file://";
  for (char c : absolute.generic_string()) {
    if (unreserved(c)) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[(static_cast<unsigned char>(c) >> 4) & 15]);
      out.push_back(kHex[static_cast<unsigned char>(c) & 15]);
    }
  }
  return out;
}

std::string guess_mime_type(const fs::path& path) {
  static const std::map<std::string, std::string> kTypes = {
      {".txt", "text/plain"},       {".md", "text/markdown"},     {".json", "application/json"},
      {".html", "text/html"},       {".css", "text/css"},         {".js", "text/javascript"},
      {".csv", "text/csv"},         {".xml", "application/xml"},  {".toml", "application/toml"},
      {".yaml", "application/yaml"}, {".yml", "application/yaml"}, {".png", "image/png"},
      {".jpg", "image/jpeg"},       {".jpeg", "image/jpeg"},      {".gif", "image/gif"},
      {".pdf", "application/pdf"},  {".wav", "audio/wav"},        {".gguf", "application/octet-stream"},
      {".cpp", "text/x-c++"},       {".h", "text/x-c"},           {".py", "text/x-python"}};
  auto it = kTypes.find(path.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

FileResourceProvider::FileResourceProvider(FileResourceOptions options)
    : options_(std::move(options)) {
  for (const std::string& root : options_.roots) {
    std::error_code ec;
    fs::path canonical = fs::canonical(root, ec);
    if (!ec && fs::is_directory(canonical, ec)) roots_.push_back(canonical);
  }
}

std::vector<ResourceInfo> FileResourceProvider::list() const {
  std::vector<ResourceInfo> out;
  for (const fs::path& root : roots_) {
    std::error_code ec;
    // Symlinks are not followed while walking; read() would refuse escaping ones anyway.
    for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied,
                                             ec),
         end;
         !ec && it != end && out.size() < options_.max_listed; it.increment(ec)) {
      if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
      ResourceInfo info;
      info.uri = file_uri(it->path());
      info.name = fs::relative(it->path(), root, ec).generic_string();
      info.mime_type = guess_mime_type(it->path());
      info.size = static_cast<int64_t>(it->file_size(ec));
      out.push_back(std::move(info));
    }
  }
  return out;
}

Result<fs::path> FileResourceProvider::resolve(std::string_view uri) const {
  constexpr std::string_view kScheme = "file://";
  auto not_found = [] { return make_error(Errc::kNotFound, "Resource not found"); };
  if (!uri.starts_with(kScheme)) return not_found();
  std::string_view rest = uri.substr(kScheme.size());
  // Only local files: "file:///abs" or "file://localhost/abs".
  if (rest.starts_with("localhost/")) rest.remove_prefix(std::string_view("localhost").size());
  if (!rest.starts_with("/")) return not_found();
  if (rest.find_first_of("?#") != std::string_view::npos) return not_found();
  Result<std::string> decoded = percent_decode(rest);
  if (!decoded.ok() || decoded->find('\0') != std::string::npos) return not_found();
  std::error_code ec;
  fs::path canonical = fs::canonical(fs::path(*decoded), ec);
  if (ec) return not_found();
  for (const fs::path& root : roots_) {
    if (is_within(canonical, root) && fs::is_regular_file(canonical, ec)) return canonical;
  }
  return not_found();
}

Result<std::vector<ResourceContents>> FileResourceProvider::read(std::string_view uri) const {
  WOOLLY_ASSIGN_OR_RETURN(fs::path path, resolve(uri));
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return make_error(Errc::kNotFound, "Resource not found");
  if (static_cast<int64_t>(size) > options_.max_file_bytes) {
    return make_error(Errc::kPayloadTooLarge, "Resource is larger than the configured limit");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::kNotFound, "Resource not found");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ResourceContents c;
  c.uri = std::string(uri);
  c.mime_type = guess_mime_type(path);
  if (looks_textual(bytes)) {
    c.text = std::move(bytes);
  } else {
    c.blob = std::move(bytes);
  }
  return std::vector<ResourceContents>{std::move(c)};
}

}  // namespace woolly::mcp
