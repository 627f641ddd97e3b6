#include "store/test_services.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

namespace woolly::store::testing {

std::string services_env_path() {
  const char* path = std::getenv("WOOLLY_TEST_SERVICES_ENV");
  return path ? path : WOOLLY_TEST_SERVICES_ENV;
}

std::optional<Services> services() {
  std::ifstream in(services_env_path());
  if (!in) return std::nullopt;
  Services s;
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "WOOLLY_TEST_POSTGRES_URL") s.postgres_url = value;
    if (key == "WOOLLY_TEST_REDIS_URL") s.redis_url = value;
  }
  if (s.postgres_url.empty() || s.redis_url.empty()) return std::nullopt;
  return s;
}

bool under_ctest() { return std::getenv("WOOLLY_UNDER_CTEST") != nullptr; }

std::string unique_name(const char* stem) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return std::string(stem) + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++) +
         "_" + std::to_string(rd() % 1000000);
}

std::string backend_name(Backend backend) {
  return backend == Backend::kSqlite ? "Sqlite" : "Postgres";
}

FreshDb fresh_db(Backend backend) {
  FreshDb db;
  db.options.backend = backend;
  if (backend == Backend::kSqlite) {
    db.dir = std::string(WOOLLY_BINARY_DIR) + "/store-test-tmp/" + unique_name("db");
    db.options.sqlite_path = db.dir + "/data/woolly.db";
    return db;
  }
  auto s = services();
  if (!s) {
    db.error = "no env file at " + services_env_path();
    return db;
  }
  db.options.postgres_url = s->postgres_url;
  db.options.postgres_schema = unique_name("t");
  return db;
}

void remove_db(const FreshDb& db) {
  if (!db.dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(db.dir, ec);
  }
}

}  // namespace woolly::store::testing
