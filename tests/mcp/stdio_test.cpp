// End to end over pipes: the client launches a real child process speaking MCP on stdio.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <fstream>
#include <mutex>

#include "mcp/child_process.h"

namespace woolly::mcp {
namespace {

using namespace std::chrono_literals;

ChildOptions test_server(std::function<void(std::string_view)> on_stderr = {}) {
  ChildOptions o;
  o.command = MCP_STDIO_TEST_SERVER;
  o.on_stderr_line = std::move(on_stderr);
  return o;
}

TEST(Stdio, ModernAndLegacyClientsTalkToAChild) {
  for (bool modern : {true, false}) {
    std::mutex m;
    std::vector<std::string> stderr_lines;
    auto launched = StdioClient::launch(test_server([&](std::string_view l) {
                                          std::lock_guard lock(m);
                                          stderr_lines.emplace_back(l);
                                        }),
                                        {.try_modern = modern});
    ASSERT_TRUE(launched.ok()) << launched.error().message;
    Client& c = (*launched)->client();
    auto d = c.connect();
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->modern, modern);
    EXPECT_EQ(d->server_info.at("name"), json::value("stdio-test-server"));
    std::atomic<int> progress{0};
    CallOptions o;
    o.on_progress = [&](const json::object&) { ++progress; };
    auto r = c.call_tool("test_tool_with_progress", {}, o);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(progress.load(), 3);
    auto res = c.read_resource("test://static-text");
    ASSERT_TRUE(res.ok());
    EXPECT_EQ(res->at("contents").at(0).at("text"),
              json::value("This is the content of the static text resource."));
    ChildProcess& p = (*launched)->process();
    p.stop();
    ASSERT_TRUE(p.exit_status().has_value());
    EXPECT_TRUE(WIFEXITED(*p.exit_status()));
    EXPECT_EQ(WEXITSTATUS(*p.exit_status()), 0);  // stdin closed: a clean exit, no signal
    std::lock_guard lock(m);
    ASSERT_FALSE(stderr_lines.empty());
    EXPECT_EQ(stderr_lines.front(), "stdio test server ready");
  }
}

TEST(Stdio, ChildDyingMidCallFailsTheCallAndIsReaped) {
  auto launched = StdioClient::launch(test_server(), {});
  ASSERT_TRUE(launched.ok());
  Client& c = (*launched)->client();
  ASSERT_TRUE(c.connect().ok());
  auto start = std::chrono::steady_clock::now();
  auto r = c.call_tool("crash", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  ChildProcess& p = (*launched)->process();
  for (int i = 0; i < 200 && !p.exit_status(); ++i) std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(p.exit_status().has_value());
  EXPECT_EQ(WEXITSTATUS(*p.exit_status()), 3);
  EXPECT_EQ(c.list_tools().error().code, Errc::kUnavailable);
}

TEST(Stdio, CancellationReachesTheChild) {
  std::mutex m;
  std::condition_variable cv;
  bool cancelled_seen = false;
  auto launched = StdioClient::launch(test_server([&](std::string_view l) {
                                        if (l == "hang cancelled") {
                                          std::lock_guard lock(m);
                                          cancelled_seen = true;
                                          cv.notify_all();
                                        }
                                      }),
                                      {});
  ASSERT_TRUE(launched.ok());
  Client& c = (*launched)->client();
  ASSERT_TRUE(c.connect().ok());
  CallOptions o;
  o.timeout = 100ms;
  EXPECT_EQ(c.call_tool("hang", {}, o).error().code, Errc::kTimeout);
  std::unique_lock lock(m);
  EXPECT_TRUE(cv.wait_for(lock, 5s, [&] { return cancelled_seen; }));
}

bool process_gone(pid_t pid) {
  // A killed process may linger as a zombie until its new parent reaps it; that is gone enough.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

TEST(Stdio, StopEndsAChildThatIgnoresStdinAndItsChildren) {
  ChildOptions o;
  o.command = "/bin/sh";
  o.args = {"-c", "trap '' TERM; sleep 30 & echo $!; wait"};
  std::atomic<pid_t> grandchild{0};
  auto child = ChildProcess::spawn(
      o, [&](std::string_view l) { grandchild = std::stoi(std::string(l)); }, [] {});
  ASSERT_TRUE(child.ok());
  for (int i = 0; i < 400 && grandchild == 0; ++i) std::this_thread::sleep_for(5ms);
  ASSERT_NE(grandchild.load(), 0);
  auto start = std::chrono::steady_clock::now();
  (*child)->stop(100ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  ASSERT_TRUE((*child)->exit_status().has_value());
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    gone = process_gone(grandchild);
    if (!gone) std::this_thread::sleep_for(5ms);
  }
  EXPECT_TRUE(gone);
}

TEST(Stdio, MissingCommandIsAClearError) {
  ChildOptions o;
  o.command = "/nonexistent/mcp-server";
  auto child = ChildProcess::spawn(o, [](std::string_view) {}, [] {});
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(child.error().code, Errc::kUnavailable);
  EXPECT_NE(child.error().message.find("mcp-server"), std::string::npos);
}

TEST(Stdio, EnvironmentAndArgumentsArePassed) {
  ChildOptions o;
  o.command = "sh";
  o.args = {"-c", "printf '%s %s\\n' \"$WOOLLY_TEST_VAR\" \"$0\"", "arg0"};
  o.env = {{"WOOLLY_TEST_VAR", "hello"}};
  std::mutex m;
  std::vector<std::string> lines;
  std::atomic<bool> exited{false};
  auto child = ChildProcess::spawn(
      o,
      [&](std::string_view l) {
        std::lock_guard lock(m);
        lines.emplace_back(l);
      },
      [&] { exited = true; });
  ASSERT_TRUE(child.ok());
  for (int i = 0; i < 400 && !exited; ++i) std::this_thread::sleep_for(5ms);
  std::lock_guard lock(m);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "hello arg0");
}

}  // namespace
}  // namespace woolly::mcp
