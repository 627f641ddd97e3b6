// Loading a Config: defaults < file (config.toml full form or config.json short form) <
// WOOLLY_* environment variables < command-line overrides, then `validate`.
//
// Every problem found is reported, one per line, as `key: reason` in the returned Error's
// message (parse errors as `FILE:LINE:COLUMN: reason`), so `woolly-server validate` can list them
// all at once.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "config/config.h"

namespace woolly::config {

// Looks one variable up; the process environment in production, a map in tests.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_env();
EnvLookup env_from_map(std::map<std::string, std::string> vars);

// Where `${NAME}` in a string value is resolved: the environment first, then the `.env` file
// beside the config file.
struct Variables {
  EnvLookup env = process_env();
  std::map<std::string, std::string> dotenv;
  std::string dotenv_path;  // for error messages; empty = no .env file
};

// Parses a .env file: NAME=VALUE lines, `#` comments, optional `export ` and quotes.
Result<std::map<std::string, std::string>> read_dotenv(const std::string& path);

// Parses the full TOML form / the config.json short form. `source_name` prefixes parse errors.
Result<Config> parse_toml(std::string_view text, const std::string& source_name,
                          const Variables& vars);
Result<Config> parse_json(std::string_view text, const std::string& source_name,
                          const Variables& vars);

// Reads a file: `.json` is the short form, anything else TOML. `.env` beside it feeds `${NAME}`.
Result<Config> load_file(const std::string& path, const EnvLookup& env = process_env());

// `config.toml` or else `config.json` in `dir`; "" when neither exists.
std::string find_default_config(const std::string& dir);

// One WOOLLY_* variable and the key it sets, e.g. {"WOOLLY_LOG_LEVEL", "log.level"}.
struct EnvMapping {
  std::string variable;
  std::string key;
};
// Every supported variable: WOOLLY_<TABLE>_<KEY> for each key of the full form (dots and the
// table separator become `_`), plus the short aliases WOOLLY_BIND and WOOLLY_MODELS_DIR.
std::vector<EnvMapping> env_mappings();

// Applies every WOOLLY_* variable that is set. Lists are comma-separated.
Status apply_env_overrides(Config& config, const EnvLookup& env);

// Sets one key by its dotted name ("server.bind", "log.level"; "bind" = "server.bind") from
// text, as a flag would.
Status apply_override(Config& config, std::string_view key, std::string_view value);

struct LoadOptions {
  std::string path;              // explicit --config FILE; empty = look in search_dir
  std::string search_dir = ".";  // where config.toml / config.json are looked for
  EnvLookup env = process_env();
  std::vector<std::pair<std::string, std::string>> overrides;  // dotted key, value (CLI flags)
};

// defaults < file < WOOLLY_* < overrides, then validate(); an invalid result is an error.
Result<Config> load_effective(const LoadOptions& options);

}  // namespace woolly::config
