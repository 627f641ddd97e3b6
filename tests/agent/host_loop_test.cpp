// The host against a real MCP child (the MCP core's stdio test server) and the tool loop driven
// by a scripted backend: start-up with a broken server, calls, a crash mid-call with restart,
// timeouts, allow lists, malformed calls reported to the model, usage summed over rounds.
#include <gtest/gtest.h>

#include <signal.h>
#include <spdlog/sinks/ostream_sink.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include <boost/json.hpp>

#include "agent/mcp_host.h"
#include "agent/tool_loop.h"
#include "obs/log/log.h"

namespace woolly::agent {
namespace {

using namespace std::chrono_literals;
using backends::ChatRequest;
using backends::ChatResponse;

config::McpServerEntry test_server() {
  config::McpServerEntry e;
  e.command = MCP_STDIO_TEST_SERVER;
  return e;
}

config::McpConfig two_servers() {
  config::McpConfig c;
  c.servers["good"] = test_server();
  c.servers["other"] = test_server();
  c.servers["other"].allow_tools = {"test_simple_text", "hang"};
  c.servers["other"].timeout = 0.5;
  config::McpServerEntry bad;
  bad.command = "/nonexistent/woolly-no-such-server";
  c.servers["bad"] = bad;
  config::McpServerEntry off = test_server();
  off.enabled = false;
  c.servers["off"] = off;
  return c;
}

HostOptions fast() {
  HostOptions o;
  o.restart_initial = 100ms;
  o.restart_max = 1s;
  return o;
}

const ServerStatus* find(const std::vector<ServerStatus>& v, const std::string& name) {
  for (const auto& s : v)
    if (s.name == name) return &s;
  return nullptr;
}

bool wait_for(const std::function<bool()>& pred, std::chrono::milliseconds limit = 10s) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

TEST(McpHost, StartsWhatItCanAndSkipsTheRest) {
  McpHost host(two_servers(), fast());
  host.start();
  auto st = host.servers();
  EXPECT_EQ(find(st, "good")->state, ServerState::kReady);
  EXPECT_EQ(find(st, "bad")->state, ServerState::kDown);
  EXPECT_FALSE(find(st, "bad")->last_error.empty());
  EXPECT_EQ(find(st, "off")->state, ServerState::kDisabled);
  EXPECT_EQ(find(st, "other")->tools, 2u);  // the allow list
  auto tools = host.backend_tools(std::vector<std::string>{"good__test_simple_text", "other"});
  ASSERT_EQ(tools.size(), 3u);
  EXPECT_NE(tools[0].parameters_json.find("object"), std::string::npos);

  auto r = host.call("good__test_simple_text", "{}");
  EXPECT_FALSE(r.is_error) << r.text;
  EXPECT_EQ(r.text, "This is a simple text response for testing.");
  EXPECT_TRUE(host.call("other__test_image_content", "{}").is_error);  // not allowed there
  EXPECT_TRUE(host.call("good__test_simple_text", "[1]").is_error);
  auto err = host.call("good__test_error_handling", "{}");
  EXPECT_TRUE(err.is_error);
}

TEST(McpHost, TimedOutCallIsCancelledAndTheLiveServerKept) {
  McpHost host(two_servers(), fast());
  host.start();
  auto t0 = std::chrono::steady_clock::now();
  auto r = host.call("other__hang", "{}");
  EXPECT_TRUE(r.is_error);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_EQ(find(host.servers(), "other")->state, ServerState::kReady);
  EXPECT_FALSE(host.call("other__test_simple_text", "{}").is_error);
}

TEST(McpHost, CrashWithdrawsToolsAndRestartRestoresThem) {
  McpHost host(two_servers(), fast());
  std::atomic<int> changes{0};
  host.on_tools_changed([&] { ++changes; });
  host.start();
  size_t before = host.tools(std::vector<std::string>{"good"}).size();
  ASSERT_GT(before, 0u);
  auto r = host.call("good__crash", "{}");
  EXPECT_TRUE(r.is_error);
  EXPECT_TRUE(host.tools(std::vector<std::string>{"good"}).empty());
  EXPECT_FALSE(host.call("other__test_simple_text", "{}").is_error);  // the rest still works
  ASSERT_TRUE(wait_for([&] { return host.tools(std::vector<std::string>{"good"}).size() == before; }));
  EXPECT_EQ(find(host.servers(), "good")->restarts, 1);
  EXPECT_GE(changes.load(), 2);
  EXPECT_FALSE(host.call("good__test_simple_text", "{}").is_error);
}

// This process's children running `path` (the host's stdio servers), from /proc.
std::vector<pid_t> children_running(const std::string& path) {
  namespace fs = std::filesystem;
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    pid_t pid = std::atoi(e.path().filename().c_str());
    if (pid <= 0) continue;
    std::ifstream stat(e.path() / "stat");
    std::string line;
    std::getline(stat, line);
    size_t close = line.rfind(')');  // "pid (comm) state ppid ..."; comm may hold spaces
    if (close == std::string::npos || close + 2 >= line.size()) continue;
    std::istringstream rest(line.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    std::error_code ec;
    if (ppid == ::getpid() && fs::read_symlink(e.path() / "exe", ec) == fs::canonical(path))
      out.push_back(pid);
  }
  return out;
}

TEST(McpHost, ChildKilledMidCallIsLoggedRestartedAndItsToolsReturn) {
  std::ostringstream log;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log);
  obs::logger()->sinks().push_back(sink);
  config::McpConfig cfg;
  cfg.servers["good"] = test_server();
  McpHost host(cfg, fast());
  host.start();
  const size_t before = host.tools().size();
  ASSERT_GT(before, 0u);
  auto pids = children_running(MCP_STDIO_TEST_SERVER);
  ASSERT_EQ(pids.size(), 1u);

  auto call = std::async(std::launch::async, [&] { return host.call("good__hang", "{}"); });
  // Give the call time to reach the child (if the kill came first, the call fails all the same).
  std::this_thread::sleep_for(100ms);
  ASSERT_EQ(::kill(pids[0], SIGKILL), 0);
  ToolOutcome out = call.get();
  EXPECT_TRUE(out.is_error);
  EXPECT_NE(out.text.find("the call to good__hang failed"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("killed by signal 9"), std::string::npos) << out.text;
  EXPECT_TRUE(host.tools().empty());

  ASSERT_TRUE(wait_for([&] { return host.tools().size() == before; }));
  EXPECT_EQ(find(host.servers(), "good")->restarts, 1);
  EXPECT_FALSE(host.call("good__test_simple_text", "{}").is_error);
  auto now = children_running(MCP_STDIO_TEST_SERVER);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_NE(now[0], pids[0]);
  host.stop();
  obs::logger()->flush();
  obs::logger()->sinks().pop_back();
  const std::string text = log.str();
  EXPECT_NE(text.find("mcp server 'good' was killed by signal 9; withdrew its " +
                      std::to_string(before) + " tools, restarting it"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("mcp server 'good' is back"), std::string::npos) << text;
}

TEST(McpHost, CancelIsPassedOnAndResultsAreCapped) {
  auto cfg = two_servers();
  cfg.max_tool_result_bytes = 300;
  McpHost host(cfg, fast());
  host.start();
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  std::thread t([&] {
    std::this_thread::sleep_for(100ms);
    cancel->store(true);
  });
  auto t0 = std::chrono::steady_clock::now();
  auto r = host.call("good__hang", "{}", cancel);  // "good" has a 60 s timeout
  t.join();
  EXPECT_TRUE(r.is_error);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_EQ(find(host.servers(), "good")->state, ServerState::kReady);

  boost::json::object big{{"content", boost::json::array{{{"type", "text"},
                                                          {"text", std::string(1000, 'x')}}}}};
  EXPECT_EQ(McpHost::result_text(big).size(), 1000u);
  boost::json::object mixed{
      {"content", boost::json::array{{{"type", "text"}, {"text", "a"}},
                                     {{"type", "image"}, {"mimeType", "image/png"}, {"data", "AAAA"}}}}};
  EXPECT_EQ(McpHost::result_text(mixed), "a\n[image image/png, 4 bytes of base64]");
  boost::json::object structured{{"structuredContent", {{"k", 1}}}};
  EXPECT_EQ(McpHost::result_text(structured), R"({"k":1})");
}

// Many calls in a row over one stdio child all come back (what they cost is bench/tools's to say).
TEST(McpHost, ManyCallsInARowOverOneChild) {
  McpHost host(two_servers(), fast());
  host.start();
  for (int i = 0; i < 200; ++i) ASSERT_FALSE(host.call("good__test_simple_text", "{}").is_error);
}

TEST(ToolFilter, AllowListsIntersect) {
  ToolFilter all;
  ToolFilter key = std::vector<std::string>{"files"};
  ToolFilter req = std::vector<std::string>{"files__read", "web__get"};
  EXPECT_TRUE(tool_allowed(all, "x__y"));
  EXPECT_TRUE(tool_allowed(key, "files__write"));
  EXPECT_FALSE(tool_allowed(key, "web__get"));
  auto both = intersect(req, key);
  EXPECT_TRUE(tool_allowed(both, "files__read"));
  EXPECT_FALSE(tool_allowed(both, "web__get"));
  EXPECT_FALSE(tool_allowed(both, "files__write"));
}

// A backend that answers from a script and records what it was asked.
class ScriptedBackend : public backends::Backend {
 public:
  std::deque<ChatResponse> script;
  std::vector<ChatRequest> seen;
  std::mutex m;
  std::string type() const override { return "scripted"; }
  backends::Capabilities capabilities() const override { return {}; }
  void chat_async(ChatRequest request, backends::StreamCallback,
                  backends::DoneCallback<ChatResponse> done) override {
    std::unique_lock lock(m);
    seen.push_back(request);
    if (script.empty()) {
      lock.unlock();
      return done(Error(Errc::kInternal, "script ran out"));
    }
    ChatResponse r = script.front();
    script.pop_front();
    lock.unlock();
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

ChatResponse answer(std::string text, std::vector<backends::ToolCall> calls = {}) {
  ChatResponse r;
  r.message.role = "assistant";
  r.message.content = std::move(text);
  r.message.tool_calls = std::move(calls);
  r.usage = {10, 5};
  return r;
}

TEST(ToolLoop, TextCallsNativeCallsMalformedCallsAndACrash) {
  McpHost host(two_servers(), fast());
  host.start();
  ScriptedBackend b;
  b.script.push_back(answer(
      "<tool_call>{\"name\": \"good__test_simple_text\", \"arguments\": {}}</tool_call>"
      "<tool_call>{\"name\": \"good__test_simple_text\", \"arguments\": {</tool_call>"));
  b.script.push_back(answer("", {{"c1", "good__crash", "{}"}, {"c2", "other__test_simple_text", "{}"}}));
  b.script.push_back(answer("All done."));
  std::vector<ToolEvent> events;
  LoopOptions o;
  o.on_tool_event = [&](const ToolEvent& e) { events.push_back(e); };
  ChatRequest req;
  req.messages = {{"user", "go", {}, {}, {}}};
  auto r = run_tool_loop(b, req, host, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->response.message.content, "All done.");
  EXPECT_EQ(r->rounds, 3);
  EXPECT_EQ(r->tool_calls, 4);
  EXPECT_EQ(r->response.usage.prompt_tokens, 30);
  EXPECT_EQ(r->response.usage.completion_tokens, 15);
  ASSERT_EQ(b.seen.size(), 3u);
  EXPECT_FALSE(b.seen[0].tools.empty());
  const auto& second = b.seen[1].messages;
  ASSERT_EQ(second.size(), 4u);  // user, assistant with 2 calls, 2 tool results
  EXPECT_EQ(second[1].tool_calls.size(), 2u);
  EXPECT_EQ(second[2].role, "tool");
  EXPECT_EQ(second[2].content, "This is a simple text response for testing.");
  EXPECT_EQ(second[2].tool_call_id, second[1].tool_calls[0].id);
  EXPECT_NE(second[3].content.find("Error"), std::string::npos);
  const auto& third = b.seen[2].messages;
  ASSERT_EQ(third.size(), 7u);
  EXPECT_NE(third[5].content.find("Error"), std::string::npos);  // the crashed call
  EXPECT_EQ(third[6].content, "This is a simple text response for testing.");
  // The crashed server's tools are gone from the next round.
  for (const auto& t : b.seen[2].tools) EXPECT_NE(t.name.rfind("good__", 0), 0u) << t.name;
  ASSERT_EQ(events.size(), 8u);
  EXPECT_EQ(events[0].kind, ToolEvent::Kind::kStarted);
  int failed = 0;
  for (const auto& e : events) failed += e.kind == ToolEvent::Kind::kFailed;
  EXPECT_EQ(failed, 2);
}

TEST(ToolLoop, StopsAfterMaxRoundsWithoutTools) {
  McpHost host(two_servers(), fast());
  host.start();
  ScriptedBackend b;
  for (int i = 0; i < 3; ++i)
    b.script.push_back(answer("", {{"", "other__test_simple_text", "{}"}}));
  b.script.push_back(answer("final"));
  LoopOptions o;
  o.max_rounds = 2;
  o.filter = std::vector<std::string>{"other"};
  ChatRequest req;
  req.messages = {{"user", "go", {}, {}, {}}};
  auto r = run_tool_loop(b, req, host, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->rounds, 3);
  EXPECT_TRUE(b.seen[2].tools.empty());
  EXPECT_EQ(b.seen[2].tool_choice.mode, backends::ToolChoiceMode::kNone);
  for (const auto& t : b.seen[0].tools) EXPECT_EQ(t.name.rfind("other__", 0), 0u);
}

}  // namespace
}  // namespace woolly::agent
