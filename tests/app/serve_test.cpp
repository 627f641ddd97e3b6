// The serve lifecycle of the real program: start, answer, drain on SIGTERM, exit codes.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "app/detail/server_options.h"
#include "child_process.h"
#include "net/test_client.h"

namespace woolly::app {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
namespace fs = std::filesystem;

// The real program when it is built, else the harness around the same app::serve.
const std::string kServer = [] {
  std::string real = std::string(WOOLLY_BINARY_DIR) + "/woolly-server";
  return std::filesystem::exists(real) ? real : std::string(WOOLLY_BINARY_DIR) + "/serve_harness";
}();

struct ServeTest : ::testing::Test {
  fs::path dir;
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kServer)) << kServer;
    dir = fs::temp_directory_path() /
          ("woolly-serve-test-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  // Runs in `dir` so that no config file of the developer is picked up.
  std::unique_ptr<ChildProcess> start(uint16_t port, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"serve", "--bind", "127.0.0.1:" + std::to_string(port),
                                     "--set", "server.data_dir=" + (dir / "data").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    fs::current_path(dir);
    return std::make_unique<ChildProcess>(kServer, args, (dir / "out.log").string());
  }
};

TEST_F(ServeTest, SigtermDrainsInFlightRequestRefusesNewAndExitsZero) {
  auto child = start(0, {"--set", "server.drain_timeout=10"});
  uint16_t port = testing::listening_port(*child, 20000);
  ASSERT_NE(port, 0) << child->log();
  ASSERT_TRUE(testing::wait_healthy(port, 20000)) << child->log();

  // A request whose body is still arriving is in flight when the signal comes.
  net::testing::Connection slow(port);
  ASSERT_TRUE(slow.send_all("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234"));
  std::this_thread::sleep_for(100ms);
  child->signal(SIGTERM);
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(net::testing::connection_refused(port)) << "the listener must close at once";
  EXPECT_EQ(child->wait(0), -1) << "must wait for the in-flight request";

  ASSERT_TRUE(slow.send_all("56789"));
  auto res = slow.read_response();
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.header("connection"), "close");
  EXPECT_EQ(child->wait(10000), 0) << child->log();
}

TEST_F(ServeTest, SecondSignalExitsAtOnce) {
  auto child = start(0, {"--set", "server.drain_timeout=60"});
  uint16_t port = testing::listening_port(*child, 20000);
  ASSERT_NE(port, 0) << child->log();
  ASSERT_TRUE(testing::wait_healthy(port, 20000)) << child->log();
  net::testing::Connection slow(port);
  ASSERT_TRUE(slow.send_all("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01"));
  std::this_thread::sleep_for(100ms);
  child->signal(SIGTERM);
  std::this_thread::sleep_for(200ms);
  child->signal(SIGTERM);
  int rc = child->wait(5000);
  EXPECT_NE(rc, -1) << "a second signal must not wait for the drain";
  EXPECT_NE(rc, 0);
}

TEST_F(ServeTest, PortInUseExitsNonZeroWithClearMessage) {
  auto first = start(0);
  uint16_t port = testing::listening_port(*first, 20000);
  ASSERT_NE(port, 0) << first->log();
  ASSERT_TRUE(testing::wait_healthy(port, 20000)) << first->log();
  ChildProcess second(kServer, {"serve", "--bind", "127.0.0.1:" + std::to_string(port)},
                      (dir / "second.log").string());
  EXPECT_EQ(second.wait(20000), 1);
  EXPECT_NE(second.log().find("cannot listen on 127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << second.log();
  first->signal(SIGINT);
  EXPECT_EQ(first->wait(10000), 0);
}

TEST_F(ServeTest, BadTlsFilesExitNonZero) {
  auto child = start(0, {"--set", "tls.enabled=true", "--set",
                            "tls.cert_file=" + (dir / "missing-cert.pem").string(), "--set",
                            "tls.key_file=" + (dir / "missing-key.pem").string()});
  int rc = child->wait(20000);
  EXPECT_NE(rc, 0);
  EXPECT_NE(rc, -1);
  EXPECT_NE(child->log().find("missing-cert.pem"), std::string::npos) << child->log();
}

TEST(ServerOptions, MapsConfig) {
  config::Config c;
  c.server.bind = "[::1]:9000";
  c.server.threads = 3;
  c.server.header_timeout = 2.5;
  c.limits.max_body_size = 1234;
  c.limits.request_timeout = 7;
  c.limits.max_concurrent_requests = 9;
  c.cors.allowed_origins = {"https://a"};
  c.mcp.max_message_size = 77;
  auto o = detail::make_server_options(c);
  EXPECT_EQ(o.bind, "[::1]:9000");
  EXPECT_EQ(o.threads, 3);
  EXPECT_EQ(o.header_timeout, 2500ms);
  EXPECT_EQ(o.request_timeout, 7000ms);
  EXPECT_EQ(o.max_body_size, 1234u);
  EXPECT_EQ(o.max_concurrent_requests, 9);
  EXPECT_EQ(o.cors.allowed_origins, std::vector<std::string>{"https://a"});
  EXPECT_EQ(o.ws_max_message_size, 77u);
  c.server.threads = 0;
  EXPECT_GE(detail::make_server_options(c).threads, 1);
}

}  // namespace
}  // namespace woolly::app
