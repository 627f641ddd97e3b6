// Runs woolly-server as a child process and captures what it prints.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace woolly::cli_test {

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout only; stderr goes to `err_file`
  std::string err;
};

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline std::string binary() { return std::string(WOOLLY_BINARY_DIR) + "/woolly-server"; }
inline std::string reference(const std::string& name) {
  return std::string(WOOLLY_SHARED_DIR) + "/reference/" + name;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::string s;
  if (std::FILE* f = std::fopen(p.c_str(), "rb")) {
    std::array<char, 65536> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) s.append(buf.data(), n);
    std::fclose(f);
  }
  return s;
}

inline RunResult run(const std::vector<std::string>& args) {
  const auto err_path = std::filesystem::temp_directory_path() /
                        ("woolly_cli_err_" + std::to_string(::getpid()) + ".txt");
  std::string cmd = shell_quote(binary());
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " 2>" + shell_quote(err_path.string());
  RunResult r;
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 65536> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = read_file(err_path);
  std::filesystem::remove(err_path);
  return r;
}

}  // namespace woolly::cli_test
