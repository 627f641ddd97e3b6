// Chats with MCP tools in the serving surfaces (api/tool_chat.h): the "mcp_tools" field, the
// ToolRunner's bounded queue and shut-down, and the surfaces with a runner whose host has no
// servers (the chat runs as a plain one). The loop against real MCP servers and a scripted
// upstream is tested end to end in tests/app_tools.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <future>
#include <thread>

#include "api/tool_chat.h"
#include "serving_fixture.h"

namespace woolly::api {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// Answers "done" once opened; a cancelled request answers kCancelled at once.
class GateBackend : public backends::Backend {
 public:
  std::atomic<int> started{0};
  std::atomic<bool> open{false};

  ~GateBackend() override {
    open = true;
    std::lock_guard lock(mu_);
    for (auto& t : threads_) t.join();
  }
  std::string type() const override { return "gate"; }
  backends::Capabilities capabilities() const override { return {}; }
  Status health() override { return {}; }
  void chat_async(backends::ChatRequest req, backends::StreamCallback,
                  backends::DoneCallback<backends::ChatResponse> done) override {
    std::lock_guard lock(mu_);
    threads_.emplace_back([this, cancel = req.cancel, done] {
      ++started;
      while (!open && !cancel.cancelled()) std::this_thread::sleep_for(1ms);
      if (cancel.cancelled()) return done(Error(Errc::kCancelled, "cancelled"));
      backends::ChatResponse r;
      r.message = {"assistant", "done"};
      done(std::move(r));
    });
  }
  void complete_async(backends::CompletionRequest, backends::StreamCallback,
                      backends::DoneCallback<backends::CompletionResponse> done) override {
    done(Error(Errc::kUnsupported, "chat only"));
  }
  void embed_async(backends::EmbedRequest,
                   backends::DoneCallback<backends::EmbedResponse> done) override {
    done(Error(Errc::kUnsupported, "chat only"));
  }

 private:
  std::mutex mu_;  // guards threads_
  std::vector<std::thread> threads_;
};

std::shared_ptr<agent::McpHost> empty_host() {
  auto host = std::make_shared<agent::McpHost>(config::McpConfig{});
  host->start();
  return host;
}

// Runs one chat through the runner; the future holds its outcome.
std::future<Result<backends::ChatResponse>> submit(ToolRunner& runner,
                                                   std::shared_ptr<backends::Backend> backend) {
  auto done = std::make_shared<std::promise<Result<backends::ChatResponse>>>();
  auto f = done->get_future();
  backends::ChatRequest req;
  req.messages = {{"user", "hi"}};
  ChatCallbacks cb;
  cb.on_done = [done](Result<backends::ChatResponse> r) { done->set_value(std::move(r)); };
  runner.run(std::move(backend), std::move(req), std::nullopt, std::move(cb));
  return f;
}

void wait_for(const std::atomic<int>& n, int want) {
  for (int i = 0; i < 10000 && n.load() < want; ++i) std::this_thread::sleep_for(1ms);
  ASSERT_GE(n.load(), want);
}

TEST(ToolRunner, AFullQueueIsUnavailableAtOnceAndTheOthersFinish) {
  auto gate = std::make_shared<GateBackend>();
  ToolRunner runner(empty_host(), {.workers = 1, .max_queue = 1, .max_rounds = 2});
  auto first = submit(runner, gate);
  wait_for(gate->started, 1);  // the only worker is busy
  auto second = submit(runner, gate);
  auto third = submit(runner, gate);
  ASSERT_EQ(third.wait_for(0s), std::future_status::ready) << "answered on the caller's thread";
  auto r3 = third.get();
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error().code, Errc::kUnavailable);
  gate->open = true;
  auto r1 = first.get();
  auto r2 = second.get();
  ASSERT_TRUE(r1.ok()) << r1.error().message;
  ASSERT_TRUE(r2.ok()) << r2.error().message;
  EXPECT_EQ(r2->message.content, "done");
}

TEST(ToolRunner, GoingAwayCancelsTheRunningLoopAndAnswersTheQueuedOne) {
  auto gate = std::make_shared<GateBackend>();
  auto runner = std::make_unique<ToolRunner>(empty_host(),
                                             ToolRunnerOptions{.workers = 1, .max_queue = 4});
  auto running = submit(*runner, gate);
  wait_for(gate->started, 1);
  auto queued = submit(*runner, gate);
  runner.reset();  // returns only once the running loop has ended
  auto r1 = running.get();
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().code, Errc::kCancelled);
  auto r2 = queued.get();
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, Errc::kUnavailable);
  EXPECT_EQ(gate->started.load(), 1);
}

TEST(McpToolsField, DefaultsListsAndErrors) {
  auto parse = [](std::string_view body, bool default_on) {
    return parse_mcp_tools(json::parse(body).as_object(), default_on);
  };
  auto absent_prompt = parse("{}", true);
  ASSERT_TRUE(absent_prompt.ok());
  ASSERT_TRUE(absent_prompt->has_value());      // tools on
  EXPECT_FALSE(absent_prompt->value().has_value());  // all of them
  auto absent = parse(R"({"mcp_tools":null})", false);
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
  auto off = parse(R"({"mcp_tools":false})", true);
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->has_value());
  auto list = parse(R"({"mcp_tools":["files","web__search"]})", false);
  ASSERT_TRUE(list.ok());
  ASSERT_TRUE(list->has_value() && list->value().has_value());
  EXPECT_EQ(*list->value(), (std::vector<std::string>{"files", "web__search"}));
  for (const char* bad : {R"({"mcp_tools":"files"})", R"({"mcp_tools":[1]})",
                          R"({"mcp_tools":[""]})", R"({"mcp_tools":{}})"}) {
    auto r = parse(bad, false);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
    EXPECT_NE(r.error().message.find("mcp_tools"), std::string::npos);
  }
}

TEST(ToolEventJson, CarriesTimingOnlyWhenDoneAndTheErrorOnlyWhenFailed) {
  agent::ToolEvent e{agent::ToolEvent::Kind::kStarted, 2, "call_1", "files__read_file",
                     R"({"path":"/a"})", 0, {}};
  auto started = tool_event_json(e);
  EXPECT_EQ(started.at("round").as_int64(), 2);
  EXPECT_EQ(started.at("name").as_string(), "files__read_file");
  EXPECT_FALSE(started.contains("ms"));
  e.kind = agent::ToolEvent::Kind::kFailed;
  e.ms = 3.5;
  e.error = "Error: no such file";
  auto failed = tool_event_json(e);
  EXPECT_EQ(failed.at("ms").as_double(), 3.5);
  EXPECT_EQ(failed.at("error").as_string(), "Error: no such file");
}

// The surfaces with a runner over a host that has no servers: mcp_tools is accepted and the chat
// answers as a plain one; a bad mcp_tools is a 400 in each surface's shape.
class ToolChatRoutes : public testing::ServingTest {
 protected:
  void SetUp() override {
    testing::ServingTest::SetUp();
    ctx_->tools = std::make_shared<ToolRunner>(empty_host(), ToolRunnerOptions{});
  }
};

TEST_F(ToolChatRoutes, EverySurfaceAnswersThroughTheRunner) {
  auto p = post("/", R"({"prompt":"one two"})");
  EXPECT_EQ(p.status, 200) << p.body;
  EXPECT_NE(p.body.find(testing::FakeBackend::answer_for("one two")), std::string::npos);
  auto o = post("/v1/chat/completions",
                R"({"model":"fake","mcp_tools":true,"messages":[{"role":"user","content":"a b"}]})");
  EXPECT_EQ(o.status, 200) << o.body;
  EXPECT_NE(o.body.find(testing::FakeBackend::answer_for("a b")), std::string::npos);
  auto s = post("/api/v1/inference/chat",
                R"({"mcp_tools":["x"],"stream":true,"messages":[{"role":"user","content":"c d"}]})");
  EXPECT_EQ(s.status, 200) << s.body;
  auto events = sse_events(s.body);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().first, "done");
  EXPECT_NE(events.back().second.find(testing::FakeBackend::answer_for("c d")), std::string::npos);
}

TEST_F(ToolChatRoutes, ABadMcpToolsFieldIsA400NamingIt) {
  auto p = post("/", R"({"prompt":"x","mcp_tools":7})");
  EXPECT_EQ(p.status, 400);
  EXPECT_NE(p.body.find("\"Error\""), std::string::npos);
  EXPECT_NE(p.body.find("mcp_tools"), std::string::npos);
  auto o = post("/v1/chat/completions",
                R"({"model":"fake","mcp_tools":"all","messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(o.status, 400);
  EXPECT_NE(o.body.find("invalid_request_error"), std::string::npos);
  auto r = post("/api/v1/inference/chat", R"({"mcp_tools":[3],"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("mcp_tools"), std::string::npos);
  auto both = post("/v1/chat/completions",
                   R"({"model":"fake","mcp_tools":true,"messages":[{"role":"user","content":"x"}],
                       "tools":[{"type":"function","function":{"name":"mine","parameters":{}}}]})");
  EXPECT_EQ(both.status, 400);
  EXPECT_NE(both.body.find("cannot be combined"), std::string::npos);
}

}  // namespace
}  // namespace woolly::api
