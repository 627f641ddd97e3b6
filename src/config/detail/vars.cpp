// ${NAME} substitution and .env files.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "config/detail/problems.h"
#include "config/detail/schema.h"

namespace woolly::config {

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

EnvLookup env_from_map(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

Result<std::map<std::string, std::string>> read_dotenv(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(Errc::kIo, path + ": cannot read");
  std::map<std::string, std::string> vars;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    std::string_view s = line;
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
      s.remove_suffix(1);
    }
    if (s.empty() || s.front() == '#') continue;
    if (s.starts_with("export ")) s.remove_prefix(7);
    size_t eq = s.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return make_error(Errc::kInvalidArgument,
                        path + ":" + std::to_string(line_no) + ": expected NAME=VALUE");
    }
    std::string_view name = s.substr(0, eq);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    std::string_view value = s.substr(eq + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    vars[std::string(name)] = std::string(value);
  }
  return vars;
}

namespace detail {

Result<std::string> substitute(std::string_view value, std::string_view key,
                               const Variables& vars) {
  std::string out;
  size_t pos = 0;
  while (pos < value.size()) {
    size_t start = value.find("${", pos);
    if (start == std::string_view::npos) {
      out.append(value.substr(pos));
      break;
    }
    if (start > 0 && value[start - 1] == '$') {  // `$${` escapes a literal `${`
      out.append(value.substr(pos, start - 1 - pos));
      out.append("${");
      pos = start + 2;
      continue;
    }
    out.append(value.substr(pos, start - pos));
    size_t end = value.find('}', start + 2);
    if (end == std::string_view::npos) {
      return make_error(Errc::kInvalidArgument,
                        std::string(key) + ": unterminated ${ in \"" + std::string(value) + "\"");
    }
    std::string name(value.substr(start + 2, end - start - 2));
    if (name.empty()) {
      return make_error(Errc::kInvalidArgument, std::string(key) + ": empty ${} in value");
    }
    std::optional<std::string> found = vars.env ? vars.env(name) : std::nullopt;
    if (!found) {
      auto it = vars.dotenv.find(name);
      if (it != vars.dotenv.end()) found = it->second;
    }
    if (!found) {
      std::string where = vars.dotenv_path.empty() ? "no .env file beside the config"
                                                   : "not in " + vars.dotenv_path;
      return make_error(Errc::kInvalidArgument, std::string(key) + ": environment variable " +
                                                    name + " is not set (" + where + ")");
    }
    out.append(*found);
    pos = end + 1;
  }
  return out;
}

std::string unknown_key_reason(std::string_view key, const std::vector<std::string>& known) {
  std::string hint = closest_match(key, known);
  if (hint.empty()) return "unknown key";
  return "unknown key; did you mean \"" + hint + "\"?";
}

}  // namespace detail
}  // namespace woolly::config
