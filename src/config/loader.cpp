#include "config/loader.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/detail/problems.h"
#include "config/detail/schema.h"
#include "config/validate.h"

namespace woolly::config {
namespace {

namespace fs = std::filesystem;

std::string env_name(std::string_view table, std::string_view key) {
  std::string name = "WOOLLY_";
  for (char c : std::string(table) + "_" + std::string(key)) {
    name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

// Short names for the settings people set most often; applied before the full names.
const EnvMapping kAliases[] = {{"WOOLLY_BIND", "server.bind"},
                               {"WOOLLY_MODELS_DIR", "models.models_dir"}};

}  // namespace

std::string find_default_config(const std::string& dir) {
  for (const char* name : {"config.toml", "config.json"}) {
    fs::path candidate = fs::path(dir) / name;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
  }
  return "";
}

Result<Config> load_file(const std::string& path, const EnvLookup& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::kIo, path + ": cannot read the configuration file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();

  Variables vars;
  vars.env = env;
  fs::path dotenv = fs::path(path).parent_path() / ".env";
  std::error_code ec;
  if (fs::is_regular_file(dotenv, ec)) {
    WOOLLY_ASSIGN_OR_RETURN(vars.dotenv, read_dotenv(dotenv.string()));
    vars.dotenv_path = dotenv.string();
  }
  if (fs::path(path).extension() == ".json") return parse_json(text, path, vars);
  return parse_toml(text, path, vars);
}

std::vector<EnvMapping> env_mappings() {
  std::vector<EnvMapping> out(std::begin(kAliases), std::end(kAliases));
  for (const auto& f : detail::config_fields()) {
    out.push_back({env_name(f.table, f.key), std::string(f.table) + "." + std::string(f.key)});
  }
  return out;
}

Status apply_override(Config& config, std::string_view key, std::string_view value) {
  if (key == "bind") key = "server.bind";
  std::vector<std::string> known;
  for (const auto& f : detail::config_fields()) {
    std::string name = std::string(f.table) + "." + std::string(f.key);
    if (name == key) return detail::assign_from_text(f.ref(config), value, key);
    known.push_back(std::move(name));
  }
  return make_error(Errc::kInvalidArgument,
                    std::string(key) + ": " + detail::unknown_key_reason(key, known));
}

Status apply_env_overrides(Config& config, const EnvLookup& env) {
  detail::Problems problems;
  for (const EnvMapping& m : env_mappings()) {
    std::optional<std::string> value = env(m.variable);
    if (!value) continue;
    Status s = apply_override(config, m.key, *value);
    if (!s.ok()) problems.add_line(m.variable + ": " + s.error().message);
  }
  if (!problems.empty()) return problems.to_error();
  return {};
}

Result<Config> load_effective(const LoadOptions& options) {
  std::string path = options.path;
  if (path.empty()) path = find_default_config(options.search_dir);
  Config config;
  if (!path.empty()) {
    WOOLLY_ASSIGN_OR_RETURN(config, load_file(path, options.env));
  }
  WOOLLY_TRY(apply_env_overrides(config, options.env));
  for (const auto& [key, value] : options.overrides) {
    WOOLLY_TRY(apply_override(config, key, value));
  }
  detail::Problems problems;
  for (const std::string& p : validate(config)) problems.add_line(p);
  if (!problems.empty()) return problems.to_error();
  return config;
}

}  // namespace woolly::config
