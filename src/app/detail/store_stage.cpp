#include "app/detail/store_stage.h"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace woolly::app::detail {
namespace {

// A server's store pool: enough threads that a slow query (or the rate-limit script in Redis)
// does not hold up key lookups and credit reservations of other requests.
constexpr int kServeConnections = 8;

}  // namespace

store::StoreOptions store_options(const config::Config& config, int connections) {
  store::StoreOptions o;
  if (config.store.backend == "postgres") {
    o.backend = store::Backend::kPostgres;
    o.postgres_url = config.store.postgres_url;
  } else {
    o.backend = store::Backend::kSqlite;
    o.sqlite_path = config.store.sqlite_path.empty()
                        ? (std::filesystem::path(config.server.data_dir) / "woolly.db").string()
                        : config.store.sqlite_path;
  }
  o.connections = connections;
  return o;
}

Result<std::unique_ptr<store::Store>> open_store(const config::Config& config, int connections) {
  store::StoreOptions o = store_options(config, connections);
  auto s = store::open_store(o);
  if (!s.ok()) {
    // The URL may hold a password: name the backend and the SQLite path only.
    std::string where = o.backend == store::Backend::kPostgres ? "PostgreSQL (store.postgres_url)"
                                                               : "SQLite at " + o.sqlite_path;
    return make_error(s.error().code, "cannot open the store, " + where + ": " + s.error().message);
  }
  return s;
}

Result<StoreStage> start_store(const config::Config& config) {
  StoreStage stage;
  WOOLLY_ASSIGN_OR_RETURN(stage.store, open_store(config, kServeConnections));
  if (!config.store.redis_url.empty()) {
    store::RedisOptions ro;
    ro.url = config.store.redis_url;
    ro.connections = kServeConnections;
    auto redis = store::RedisClient::connect(ro);
    if (!redis.ok()) {
      return make_error(redis.error().code,
                        "cannot connect to Redis (store.redis_url): " + redis.error().message);
    }
    stage.redis = std::move(*redis);
  }
  spdlog::info("store: {}{}", config.store.backend == "postgres" ? "PostgreSQL" : "SQLite",
               stage.redis ? ", shared limits in Redis" : "");
  return stage;
}

}  // namespace woolly::app::detail
