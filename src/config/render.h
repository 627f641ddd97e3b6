// Writing a Config back out: the commented default file of `woolly-server config --output`,
// and the effective configuration with secrets shown as *** for logs and status reports.
#pragma once

#include <string>
#include <string_view>

#include "config/config.h"

namespace woolly::config {

struct RenderOptions {
  bool comments = true;  // one-line comment above every key
  bool redact = false;   // secrets as "***"
};

// Complete TOML for `config`: every key of every table. Loading it back gives `config` again
// (source_path aside).
std::string to_toml(const Config& config, const RenderOptions& options = {});

// Every key with its default and a comment, plus commented examples of [[backends]],
// [pricing.MODEL] and [mcp.servers.NAME].
std::string default_toml();

// The effective configuration for logs and get_server_status, secrets redacted: TOML text.
std::string redacted_toml(const Config& config);

// The same as one JSON object ({"server": {...}, "mcp": {"servers": {...}}, "backends": [...],
// ...}), for get_server_status and other status reports.
std::string redacted_json(const Config& config);

// "***" for a non-empty secret, "" for an empty one (so an unset secret stays visible).
std::string redact(std::string_view secret);

// A URL with its password replaced: postgres://user:***@host/db.
std::string redact_url_password(std::string_view url);

}  // namespace woolly::config
