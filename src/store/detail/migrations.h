// Versioned schema migrations, the same for SQLite and PostgreSQL. Each is applied once, in
// order, inside one transaction at start-up, and recorded in `schema_migrations`.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "store/detail/connection.h"

namespace woolly::store::detail {

struct Migration {
  int64_t version;
  std::string_view name;
  std::string_view sql;  // may contain dialect tokens, see migrations.cpp
};

std::span<const Migration> migrations();
int64_t latest_schema_version();
Result<int64_t> current_schema_version(Connection& conn);

// Applies every migration newer than the database's version. kUnsupported if the database is
// newer than this program.
Status migrate(Connection& conn, int64_t now_ms);

}  // namespace woolly::store::detail
