// What the store tests need from their environment: the URLs of the PostgreSQL and Redis that
// scripts/test-services started, and a fresh, private database for each test.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "store/store.h"

namespace woolly::store::testing {

struct Services {
  std::string postgres_url;
  std::string redis_url;
};

// Reads WOOLLY_TEST_SERVICES_ENV (the env file written by `scripts/test-services start`).
// nullopt when it is absent.
std::optional<Services> services();
std::string services_env_path();

// True when run by ctest, where the services fixture must have started the servers: a missing
// env file is then a failure, not a skip.
bool under_ctest();

// Options for a database nobody else uses: a new SQLite file under the build tree, or a new
// PostgreSQL schema. Empty `error` = ok; otherwise the reason the backend is unavailable.
struct FreshDb {
  StoreOptions options;
  std::string dir;    // SQLite: the directory to remove afterwards
  std::string error;  // set when the backend cannot be used here
};
FreshDb fresh_db(Backend backend);
void remove_db(const FreshDb& db);

std::string unique_name(const char* stem);
std::string backend_name(Backend backend);

}  // namespace woolly::store::testing

namespace woolly::store {
// Readable parameter values in test output ("Sqlite", not "4-byte object").
inline void PrintTo(Backend backend, std::ostream* os) { *os << testing::backend_name(backend); }
}  // namespace woolly::store

// Skips (outside ctest) or fails (under ctest) when the PostgreSQL/Redis servers are missing.
#define WOOLLY_REQUIRE_SERVICE(reason)                                                \
  do {                                                                                \
    if (::woolly::store::testing::under_ctest()) {                                    \
      FAIL() << "test services missing under ctest: " << (reason);                    \
    }                                                                                 \
    GTEST_SKIP() << "!!! SKIPPED: test services not running (" << (reason)            \
                 << "); start them with: scripts/test-services start --dir "          \
                 << ::woolly::store::testing::services_env_path().substr(             \
                        0, ::woolly::store::testing::services_env_path().size() - 4); \
  } while (0)
