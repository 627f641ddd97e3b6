// The host and the loop against the official MCP servers from npm, started through the config:
// server-filesystem on a temporary directory and server-everything, both over stdio. They are
// installed by `npm ci --prefix tests/e2e_agent`; without them these tests skip and say so.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "agent/mcp_host.h"
#include "agent/tool_loop.h"

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

}  // namespace
}  // namespace woolly::agent
