// Files under configured resource roots, exposed as `file://` resources. Every read resolves the
// requested path (after percent-decoding) to its canonical form, symlinks included, and refuses
// anything that does not land inside a root: `..`, absolute paths elsewhere, symlinks pointing
// out, encoded dots and slashes all end in "not found", which reveals nothing about the disk.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "mcp/resource_registry.h"

namespace woolly::mcp {

struct FileResourceOptions {
  std::vector<std::string> roots;      // directories; missing ones are skipped (and logged)
  int64_t max_file_bytes = 8 << 20;    // larger files are listed but not read
  size_t max_listed = 1000;            // resources/list walks at most this many files
};

class FileResourceProvider : public ResourceProvider {
 public:
  explicit FileResourceProvider(FileResourceOptions options);

  std::vector<ResourceInfo> list() const override;
  Result<std::vector<ResourceContents>> read(std::string_view uri) const override;

  // The canonical path `uri` names if it is a readable file inside a root (exposed for tests).
  Result<std::filesystem::path> resolve(std::string_view uri) const;

 private:
  FileResourceOptions options_;
  std::vector<std::filesystem::path> roots_;  // canonical, fixed at construction
};

std::string file_uri(const std::filesystem::path& absolute);
std::string guess_mime_type(const std::filesystem::path& path);
Result<std::string> percent_decode(std::string_view text);

}  // namespace woolly::mcp
