// The host and the loop against the official MCP servers from npm, started through the config:
// server-filesystem on a temporary directory and server-everything over stdio, and
// server-everything in Streamable HTTP mode on a loopback port (killed and started again to see
// the host withdraw and restore its tools). They are installed by
// `npm ci --prefix tests/e2e_agent`; without them these tests skip and say so.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "agent/mcp_host.h"
#include "agent/tool_loop.h"
#include "mcp/child_process.h"

namespace woolly::agent {
namespace {

namespace fs = std::filesystem;

std::string npm_server(const std::string& package) {
  return std::string(WOOLLY_SOURCE_DIR) + "/tests/e2e_agent/node_modules/@modelcontextprotocol/" +
         package + "/dist/index.js";
}

// Answers the first round with a call to read the file, the second with the tool's result.
class FileReadingModel : public backends::Backend {
 public:
  std::string tool, path;
  std::string type() const override { return "scripted"; }
  backends::Capabilities capabilities() const override { return {}; }
  void chat_async(backends::ChatRequest req, backends::StreamCallback,
                  backends::DoneCallback<backends::ChatResponse> done) override {
    backends::ChatResponse r;
    r.message.role = "assistant";
    r.usage = {7, 3};
    if (req.messages.back().role == "tool") {
      r.message.content = "The file says: " + req.messages.back().content;
    } else {
      r.message.tool_calls.push_back({"call_1", tool, "{\"path\":\"" + path + "\"}"});
      r.finish = backends::FinishReason::kToolCalls;
    }
    done(std::move(r));
  }
  void complete_async(backends::CompletionRequest, backends::StreamCallback,
                      backends::DoneCallback<backends::CompletionResponse> done) override {
    done(Error(Errc::kUnsupported, "no"));
  }
  void embed_async(backends::EmbedRequest, backends::DoneCallback<backends::EmbedResponse> done) override {
    done(Error(Errc::kUnsupported, "no"));
  }
  Status health() override { return {}; }
};

TEST(NpmServers, FilesystemAndEverythingThroughTheLoop) {
  if (!fs::exists(npm_server("server-filesystem")) || !fs::exists(npm_server("server-everything")))
    GTEST_SKIP() << "run: npm ci --prefix " << WOOLLY_SOURCE_DIR << "/tests/e2e_agent";
  fs::path dir = fs::temp_directory_path() / ("woolly-agent-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  dir = fs::canonical(dir);
  std::ofstream(dir / "note.txt") << "sheep are woolly";

  config::McpConfig cfg;
  cfg.servers["files"].command = "node";
  cfg.servers["files"].args = {npm_server("server-filesystem"), dir.string()};
  cfg.servers["files"].deny_tools = {"write_file", "edit_file", "move_file"};
  cfg.servers["everything"].command = "node";
  cfg.servers["everything"].args = {npm_server("server-everything"), "stdio"};
  McpHost host(cfg);
  host.start();
  for (const auto& s : host.servers())
    ASSERT_EQ(s.state, ServerState::kReady) << s.name << ": " << s.last_error;

  std::string read_tool;
  for (const auto& t : host.tools(std::vector<std::string>{"files"})) {
    EXPECT_NE(t.name, "write_file");
    if (t.name == "read_text_file" || (t.name == "read_file" && read_tool.empty())) read_tool = t.qualified;
  }
  ASSERT_FALSE(read_tool.empty());

  auto echo = host.call("everything__echo", R"({"message":"baa"})");
  EXPECT_FALSE(echo.is_error) << echo.text;
  EXPECT_NE(echo.text.find("baa"), std::string::npos);

  FileReadingModel model;
  model.tool = read_tool;
  model.path = (dir / "note.txt").string();
  backends::ChatRequest req;
  req.messages = {{"user", "What does note.txt say?", {}, {}, {}}};
  LoopOptions o;
  o.filter = std::vector<std::string>{"files"};
  auto r = run_tool_loop(model, req, host, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->response.message.content, "The file says: sheep are woolly");
  EXPECT_EQ(r->response.usage.prompt_tokens, 14);
  host.stop();
  fs::remove_all(dir);
}

// A port the kernel just handed out on loopback (free for the next moment).
uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

// server-everything in Streamable HTTP mode on `port`; returns once it listens.
std::unique_ptr<mcp::ChildProcess> start_everything_http(uint16_t port) {
  auto listening = std::make_shared<std::atomic<bool>>(false);
  mcp::ChildOptions o;
  o.command = "node";
  o.args = {npm_server("server-everything"), "streamableHttp"};
  o.env["PORT"] = std::to_string(port);
  o.on_stderr_line = [listening](std::string_view line) {
    if (line.find("listening on port") != std::string_view::npos) *listening = true;
  };
  auto child = mcp::ChildProcess::spawn(o, [](std::string_view) {}, [] {});
  if (!child.ok()) return nullptr;
  for (int i = 0; i < 500 && !*listening; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return *listening ? std::move(*child) : nullptr;
}

bool wait_until(const std::function<bool()>& pred) {
  for (int i = 0; i < 1000 && !pred(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return pred();
}

TEST(NpmServers, EverythingOverStreamableHttpSurvivesARestart) {
  if (!fs::exists(npm_server("server-everything")))
    GTEST_SKIP() << "run: npm ci --prefix " << WOOLLY_SOURCE_DIR << "/tests/e2e_agent";
  // server-everything takes its port from PORT (no port 0): another process may take the free
  // port first, so a failed start tries another one.
  uint16_t port = 0;
  std::unique_ptr<mcp::ChildProcess> server;
  for (int attempt = 0; attempt < 3 && !server; ++attempt) {
    port = free_port();
    ASSERT_NE(port, 0);
    server = start_everything_http(port);
  }
  ASSERT_TRUE(server) << "server-everything did not start (last port " << port << ")";

  config::McpConfig cfg;
  cfg.servers["web"].type = "http";
  cfg.servers["web"].url = "http://127.0.0.1:" + std::to_string(port) + "/mcp";
  HostOptions o;
  o.restart_initial = std::chrono::milliseconds(100);
  o.restart_max = std::chrono::milliseconds(500);
  McpHost host(cfg, o);
  host.start();
  ASSERT_EQ(host.servers()[0].state, ServerState::kReady) << host.servers()[0].last_error;
  const size_t tool_count = host.tools().size();
  EXPECT_GT(tool_count, 5u);

  auto echo = host.call("web__echo", R"({"message":"baa"})");
  EXPECT_FALSE(echo.is_error) << echo.text;
  EXPECT_NE(echo.text.find("baa"), std::string::npos);
  // Progress notifications arrive on the call's SSE answer stream.
  int progress = 0;
  auto slow = host.call("web__trigger-long-running-operation", R"({"duration":0.3,"steps":3})",
                        nullptr, [&](const boost::json::object&) { ++progress; });
  EXPECT_FALSE(slow.is_error) << slow.text;
  EXPECT_EQ(progress, 3);

  // The server goes away: the next call fails with a message and the tools are withdrawn.
  server->stop(std::chrono::milliseconds(0));
  auto failed = host.call("web__echo", R"({"message":"baa"})");
  EXPECT_TRUE(failed.is_error);
  EXPECT_NE(failed.text.find("failed"), std::string::npos) << failed.text;
  EXPECT_TRUE(wait_until([&] { return host.tools().empty(); }));
  EXPECT_EQ(host.servers()[0].state, ServerState::kDown);

  // It comes back on the same port: the host reconnects and its tools return.
  server = start_everything_http(port);
  ASSERT_TRUE(server) << "server-everything did not start again on port " << port;
  EXPECT_TRUE(wait_until([&] { return host.tools().size() == tool_count; }));
  EXPECT_EQ(host.servers()[0].restarts, 1);
  echo = host.call("web__echo", R"({"message":"again"})");
  EXPECT_FALSE(echo.is_error) << echo.text;
  host.stop();
}

}  // namespace
}  // namespace woolly::agent
