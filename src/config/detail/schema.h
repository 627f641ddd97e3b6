// The one description of every configuration key: its table, name, default comment and whether
// it holds a secret. The TOML reader, the WOOLLY_* environment mapping, the commented default
// file and the redacted rendering all walk these tables, so a key added here is known everywhere.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"
#include "config/config.h"

namespace woolly::config::detail {

using StringMap = std::map<std::string, std::string>;

// Where a key's value lives inside the struct being filled.
using FieldRef = std::variant<std::string*, int*, int64_t*, double*, bool*,
                              std::vector<std::string>*, StringMap*>;

// One key of a table whose values are members of `Owner`.
template <typename Owner>
struct Field {
  std::string_view table;  // dotted TOML table ("server", "mcp.server_info"); "" in entry tables
  std::string_view key;
  std::string_view comment;
  bool secret = false;
  FieldRef (*ref)(Owner&) = nullptr;
};

std::span<const Field<Config>> config_fields();
std::span<const Field<BackendEntry>> backend_fields();       // [[backends]]
std::span<const Field<McpServerEntry>> mcp_server_fields();  // [mcp.servers.NAME]
std::span<const Field<PricingEntry>> pricing_fields();       // [pricing.MODEL]

// Tables of the full form in the order the default file lists them.
std::span<const std::string_view> config_tables();

// Name of the kind of value a key expects, for error messages ("a string", "an integer", ...).
std::string_view kind_name(const FieldRef& ref);

// Sets a key from text (an environment variable or a --set flag): numbers and booleans are
// parsed, lists are comma-separated, maps are comma-separated NAME=VALUE pairs.
Status assign_from_text(const FieldRef& ref, std::string_view text, std::string_view key_name);

// The known key closest to `word` by edit distance, or "" when none is close enough to help.
std::string closest_match(std::string_view word, std::span<const std::string> known);

}  // namespace woolly::config::detail
