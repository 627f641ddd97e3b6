// The PostgreSQL driver: one libpq connection; parameterized statements only (PQexecParams).
#pragma once

#include <memory>
#include <string>

#include "store/detail/connection.h"

namespace woolly::store::detail {

// Connects to `url` (10 s connect timeout unless the URL sets connect_timeout). With a
// non-empty `schema`, creates it if missing and puts it first on the search_path of this
// connection (again after every reconnect). A statement waiting longer than `lock_timeout_ms`
// for a lock, or running longer than `statement_timeout_ms`, fails with kUnavailable.
Result<std::unique_ptr<Connection>> open_postgres(const std::string& url, const std::string& schema,
                                                  int lock_timeout_ms = 5000,
                                                  int statement_timeout_ms = 30000);

}  // namespace woolly::store::detail
