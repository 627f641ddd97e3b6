// SIGTERM while metered requests wait on the store's pool and the drain times out: the queued
// metering jobs (which use the rate limiter and the credit gate of the identity stage, start
// generations and answer through the server's responders) still run before those stages are
// destroyed, and the real woolly-server exits 0 with its database intact. (The demo model is
// free here: metering still checks the tokens bucket and writes usage records.)
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "app/child_process.h"
#include "net/test_client.h"
#include "store/detail/sqlite_connection.h"
#include "store/store.h"

namespace woolly::app {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::ChildProcess;

const std::string kServer = [] {
  std::string real = std::string(WOOLLY_BINARY_DIR) + "/woolly-server";
  return fs::exists(real) ? real : std::string(WOOLLY_BINARY_DIR) + "/serve_harness";
}();
constexpr const char* kKey = "shutdown-test-admin-key-0123456789abcdef";
// More than the store stage's pool threads (8): some jobs run (blocked on the lock), others wait
// in the queue when the drain gives up.
constexpr int kRequests = 12;

TEST(MeteredShutdown, DrainTimeoutWithJobsOnTheStorePoolExitsZero) {
  ASSERT_TRUE(fs::exists(kServer)) << kServer;
  const fs::path dir = fs::temp_directory_path() /
                       ("woolly-metered-shutdown-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "config.toml")
      << "[server]\ndata_dir = \"" << (dir / "data").string() << "\"\ndrain_timeout = 0.2\n"
      << "[auth]\napi_keys = [\"" << kKey << "\"]\nallow_anonymous = false\n"
      << "[rate_limit]\nauthenticated_rpm = 1000000\nburst_capacity = 100000\n"
      << "tokens_per_minute = 1000000\n"
      << "[store]\nbackend = \"sqlite\"\n";
  fs::current_path(dir);  // no developer config is picked up
  ChildProcess child(kServer,
                     {"serve", "--config", (dir / "config.toml").string(), "--bind",
                      "127.0.0.1:0"},
                     (dir / "out.log").string());
  const uint16_t port = testing::listening_port(child, 30000);
  ASSERT_NE(port, 0) << child.log();
  ASSERT_TRUE(testing::wait_healthy(port, 30000)) << child.log();

  // Another process holds SQLite's write lock: every metering job blocks in BEGIN IMMEDIATE.
  auto holder = store::detail::open_sqlite((dir / "data" / "woolly.db").string(), 1000);
  ASSERT_TRUE(holder.ok()) << holder.error().message;
  ASSERT_TRUE((*holder)->begin_write().ok());

  std::vector<std::future<net::testing::HttpReply>> replies;
  for (int i = 0; i < kRequests; ++i) {
    replies.push_back(std::async(std::launch::async, [port] {
      return net::testing::http_request(
          port, "POST", "/v1/chat/completions",
          std::string("Authorization: Bearer ") + kKey + "\r\nContent-Type: application/json\r\n",
          R"({"model":"demo","max_tokens":2,"messages":[{"role":"user","content":"hi"}]})");
    }));
  }
  std::this_thread::sleep_for(500ms);  // lets the requests reach the pool (not an assertion)
  child.signal(SIGTERM);

  // The drain gives up on the blocked requests; serve() then stops the pools.
  bool drained = false;
  for (int i = 0; i < 300 && !drained; ++i) {
    drained = child.log().find("drained; shutting down") != std::string::npos;
    if (!drained) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(drained) << child.log();

  // The jobs get their lock and finish on the stopping pool, with the stages they use intact.
  (*holder)->rollback();
  EXPECT_EQ(child.wait(60000), 0) << child.log();
  for (auto& r : replies) r.get();  // answered or cut off; either way they end

  store::StoreOptions o;
  o.sqlite_path = (dir / "data" / "woolly.db").string();
  auto reopened = store::open_store(o);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  EXPECT_TRUE((*reopened)->check_integrity().ok());
  holder->reset();
  reopened->reset();
  std::error_code ec;
  fs::current_path(fs::temp_directory_path());
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace woolly::app
