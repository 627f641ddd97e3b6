// The PostgreSQL driver: one libpq connection; parameterized statements only (PQexecParams).
#pragma once

#include <memory>
#include <string>

#include "store/detail/connection.h"

namespace woolly::store::detail {

// Connects to `url`. With a non-empty `schema`, creates it if missing and puts it first on the
// search_path of this connection (again after every reconnect).
Result<std::unique_ptr<Connection>> open_postgres(const std::string& url,
                                                  const std::string& schema);

}  // namespace woolly::store::detail
