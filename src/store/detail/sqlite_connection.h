// The SQLite driver: one sqlite3 handle in WAL mode with foreign keys on and a busy timeout.
#pragma once

#include <memory>
#include <string>

#include "store/detail/connection.h"

namespace woolly::store::detail {

// Opens `path` (creating it and its directory). `busy_timeout_ms` bounds how long a writer waits
// for another connection's write lock. `sync_full` = synchronous=FULL (fsync every commit).
Result<std::unique_ptr<Connection>> open_sqlite(const std::string& path, int busy_timeout_ms,
                                                bool sync_full = false);

}  // namespace woolly::store::detail
