// Woolly's MCP endpoint in the real program: /mcp serves the built-in tools over the configured
// model (the demo model here), and tools/call runs them through the same registry as the APIs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>

#include "child_process.h"
#include "net/test_client.h"

namespace woolly::app {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using testing::ChildProcess;

const std::string kServer = std::string(WOOLLY_BINARY_DIR) + "/woolly-server";
// /mcp needs the "mcp" scope, which anonymous callers lack: the test uses a config key.
const std::string kKey = "mcp-mount-test-key";

struct McpMountTest : ::testing::Test {
  fs::path dir;
  uint16_t port = 0;
  std::unique_ptr<ChildProcess> child;

  void SetUp() override {
    if (!fs::exists(kServer)) GTEST_SKIP() << "needs the full woolly-server build: " << kServer;
    dir = fs::temp_directory_path() / ("woolly-mcp-mount-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    fs::current_path(dir);
    child = std::make_unique<ChildProcess>(
        kServer,
        std::vector<std::string>{"serve", "--bind", "127.0.0.1:0", "--set",
                                 "server.data_dir=" + (dir / "data").string(), "--set",
                                 "auth.api_keys=" + kKey},
        (dir / "out.log").string());
    port = testing::listening_port(*child, 30000);
    ASSERT_NE(port, 0) << child->log();
    ASSERT_TRUE(testing::wait_healthy(port, 30000)) << child->log();
  }
  void TearDown() override {
    child.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  // One JSON-RPC POST to /mcp; the answer is plain JSON or a one-event SSE stream.
  json::value rpc(const std::string& body, const std::string& session, std::string* session_out) {
    std::string headers =
        "Content-Type: application/json\r\nAccept: application/json, "
        "text/event-stream\r\nMCP-Protocol-Version: 2025-11-25\r\nX-API-Key: " + kKey + "\r\n";
    if (!session.empty()) headers += "Mcp-Session-Id: " + session + "\r\n";
    auto reply = net::testing::http_request(port, "POST", "/mcp", headers, body);
    EXPECT_EQ(reply.status, 200) << reply.body;
    if (session_out) *session_out = reply.header("mcp-session-id");
    std::string text = reply.body;
    if (auto pos = text.find("data: ");
        reply.header("content-type").starts_with("text/event-stream") && pos != std::string::npos) {
      text = text.substr(pos + 6);
      text = text.substr(0, text.find('\n'));
    }
    return json::parse(text);
  }
};

TEST_F(McpMountTest, BuiltinToolsListedAndTokenizeRunsOnTheModel) {
  std::string session;
  auto init = rpc(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
      "protocolVersion":"2025-11-25","capabilities":{},
      "clientInfo":{"name":"test","version":"1"}}})",
                  "", &session);
  ASSERT_FALSE(session.empty());
  EXPECT_EQ(init.at("result").at("protocolVersion").as_string(), "2025-11-25");
  net::testing::http_request(port, "POST", "/mcp",
                             "Content-Type: application/json\r\nAccept: application/json, "
                             "text/event-stream\r\nMCP-Protocol-Version: 2025-11-25\r\n"
                             "X-API-Key: " + kKey + "\r\nMcp-Session-Id: " +
                                 session + "\r\n",
                             R"({"jsonrpc":"2.0","method":"notifications/initialized"})");

  auto list = rpc(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", session, nullptr);
  std::vector<std::string> names;
  for (const auto& t : list.at("result").at("tools").as_array())
    names.emplace_back(t.at("name").as_string());
  for (const char* want : {"generate_text", "tokenize_text", "chat", "embed", "list_models",
                           "get_model_info", "set_generation_params", "get_server_status"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;

  auto call = rpc(R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{
      "name":"tokenize_text","arguments":{"text":"Hello world"}}})",
                  session, nullptr);
  const auto& result = call.at("result").as_object();
  EXPECT_FALSE(result.contains("isError") && result.at("isError").as_bool()) << call;
  const std::string text = json::serialize(result);
  EXPECT_NE(text.find("count"), std::string::npos) << text;

  auto gen = rpc(R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{
      "name":"generate_text","arguments":{"prompt":"Hello","max_tokens":4,"temperature":0}}})",
                 session, nullptr);
  EXPECT_FALSE(gen.at("result").as_object().contains("isError") &&
               gen.at("result").at("isError").as_bool())
      << gen;
}

}  // namespace
}  // namespace woolly::app

namespace woolly::app {
namespace {

// `woolly-server mcp stdio` offers the same built-in tools over stdin/stdout; stdout carries
// only protocol lines.
TEST(McpStdio, TokenizeTextOverStdinStdout) {
  if (!std::filesystem::exists(kServer)) GTEST_SKIP() << "needs the full woolly-server build";
  const auto dir =
      std::filesystem::temp_directory_path() / ("woolly-mcp-stdio-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string input =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})"
      "\n"
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
      "\n"
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"tokenize_text","arguments":{"text":"Hello world"}}})"
      "\n";
  const auto in_path = dir / "in.jsonl";
  {
    std::FILE* f = std::fopen(in_path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fwrite(input.data(), 1, input.size(), f);
    std::fclose(f);
  }
  const std::string cmd = "cd '" + dir.string() + "' && '" + kServer +
                          "' mcp stdio --set server.data_dir=data < in.jsonl 2>err.log";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_EQ(::pclose(p), 0);
  std::vector<json::value> lines;
  size_t start = 0;
  for (size_t nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(json::parse(out.substr(start, nl - start)));  // throws on a non-JSON line
  ASSERT_EQ(lines.size(), 2u) << out;
  const auto& result = lines[1].at("result").as_object();
  EXPECT_GT(result.at("structuredContent").at("count").to_number<int64_t>(), 0) << out;
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace woolly::app
