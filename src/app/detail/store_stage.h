// The store stage of start-up: the database every stateful part uses (keys, sessions, credits,
// usage) and, when store.redis_url is set, the Redis client for state several instances share.
// `serve` runs it first; the `keys` and `credits` commands open the same store through it.
#pragma once

#include <memory>

#include "common/result.h"
#include "config/config.h"
#include "store/redis_client.h"
#include "store/store.h"

namespace woolly::app::detail {

// The StoreOptions the configuration names: SQLite at store.sqlite_path, by default
// <server.data_dir>/woolly.db (created with its directory on first start), or PostgreSQL at
// store.postgres_url. `connections` is also the number of store pool threads.
store::StoreOptions store_options(const config::Config& config, int connections);

// Opens and migrates the configured store. The error names the backend and says why.
Result<std::unique_ptr<store::Store>> open_store(const config::Config& config, int connections);

// What the store stage hands to the later stages. Declared in the order they must be destroyed
// last-to-first: the Redis client may be used by jobs running on the store's pool.
struct StoreStage {
  std::unique_ptr<store::RedisClient> redis;  // null unless store.redis_url is set
  std::unique_ptr<store::Store> store;
};

// The store for `serve` (a pool sized for a server) and, when configured, Redis (connected once
// here, so that a wrong address fails start-up instead of the first request).
Result<StoreStage> start_store(const config::Config& config);

}  // namespace woolly::app::detail
