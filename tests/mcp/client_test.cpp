// The client core against the server core, in process: both eras, progress, timeouts,
// cancellation and server-to-client requests.
#include "mcp/client.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <thread>

#include "mcp/server.h"
#include "mcp/test_fixtures.h"
#include "sink_recorder.h"

namespace woolly::mcp {
namespace {

using namespace std::chrono_literals;

class ToServer : public MessageSink {
 public:
  Server* server = nullptr;
  SessionId session = 0;
  std::atomic<int> cancels{0};
  void send(std::string text, const json::value&) override {
    if (text.find("notifications/cancelled") != std::string::npos) ++cancels;
    server->handle(session, text);
  }
};

class ToClient : public MessageSink {
 public:
  Client* client = nullptr;
  void send(std::string text, const json::value&) override { client->handle(text); }
};

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(register_conformance_fixtures(*tools_, *resources_, *prompts_).ok());
    ASSERT_TRUE(tools_->add({.name = "slow_with_progress",
                             .handler = sync_tool([](ToolContext& ctx) -> Result<ToolResult> {
                               for (int i = 1; i <= 6 && !ctx.cancelled(); ++i) {
                                 std::this_thread::sleep_for(40ms);
                                 ctx.progress(i, 6);
                               }
                               return ToolResult::text("finished");
                             })})
                    .ok());
    ASSERT_TRUE(tools_->add({.name = "silent_sleeper",
                             .handler = sync_tool([](ToolContext& ctx) -> Result<ToolResult> {
                               for (int i = 0; i < 100 && !ctx.cancelled(); ++i) std::this_thread::sleep_for(5ms);
                               return ToolResult::text(ctx.cancelled() ? "cancelled" : "done");
                             })})
                    .ok());
  }

  void connect(ClientOptions options) {
    to_server_ = std::make_shared<ToServer>();
    to_client_ = std::make_shared<ToClient>();
    server_ = std::make_unique<Server>(ServerOptions{.name = "in-process"}, tools_, resources_, prompts_);
    client_ = std::make_unique<Client>(std::move(options), to_server_);
    to_server_->server = server_.get();
    to_server_->session = server_->open_session(to_client_);
    to_client_->client = client_.get();
  }

  void TearDown() override {
    client_.reset();
    server_.reset();
  }

  std::shared_ptr<ToolRegistry> tools_ = std::make_shared<ToolRegistry>();
  std::shared_ptr<ResourceRegistry> resources_ = std::make_shared<ResourceRegistry>();
  std::shared_ptr<PromptRegistry> prompts_ = std::make_shared<PromptRegistry>();
  std::shared_ptr<ToServer> to_server_;
  std::shared_ptr<ToClient> to_client_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Client> client_;
};

TEST_F(ClientTest, ModernRoundTrip) {
  connect({});
  auto d = client_->connect();
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_TRUE(d->modern);
  EXPECT_EQ(d->server_info.at("name"), json::value("in-process"));
  auto tools = client_->list_tools();
  ASSERT_TRUE(tools.ok());
  EXPECT_GE(tools->size(), 9u);
  auto r = client_->call_tool("test_simple_text", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at("content").at(0).at("text"),
            json::value("This is a simple text response for testing."));
  auto res = client_->read_resource("test://template/42/data");
  ASSERT_TRUE(res.ok());
  EXPECT_NE(json::serialize(*res).find("Data for ID: 42"), std::string::npos);
  auto p = client_->get_prompt("test_prompt_with_arguments", {{"arg1", "a"}, {"arg2", "b"}});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->at("messages").at(0).at("content").at("text"),
            json::value("Prompt with arguments: arg1='a', arg2='b'"));
  // Server session state was never created: the modern client sent no initialize.
  EXPECT_FALSE(server_->session_info(to_server_->session)->initialized);
}

TEST_F(ClientTest, LegacyRoundTripWithPagination) {
  connect({.try_modern = false});
  auto d = client_->connect();
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_FALSE(d->modern);
  EXPECT_EQ(d->protocol_version, "2025-11-25");
  EXPECT_TRUE(server_->session_info(to_server_->session)->initialized);
  ASSERT_TRUE(client_->ping().ok());
  auto resources = client_->list_resources();
  ASSERT_TRUE(resources.ok());
  EXPECT_EQ(resources->size(), 3u);
  auto prompts = client_->list_prompts();
  ASSERT_TRUE(prompts.ok());
  EXPECT_EQ(prompts->size(), 4u);
  auto err = client_->call_tool("test_error_handling", {});
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err->at("isError"), json::value(true));
  auto missing = client_->call_tool("no_such_tool", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::kInvalidArgument);
}

TEST_F(ClientTest, ProgressKeepsASlowCallAlive) {
  connect({});
  ASSERT_TRUE(client_->connect().ok());
  std::atomic<int> updates{0};
  CallOptions o;
  o.timeout = 150ms;  // shorter than the whole call (240 ms) but longer than each step
  o.on_progress = [&](const json::object&) { ++updates; };
  auto r = client_->call_tool("slow_with_progress", {}, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(updates.load(), 6);
}

TEST_F(ClientTest, TimeoutCancelsTheCallOnTheServer) {
  connect({});
  ASSERT_TRUE(client_->connect().ok());
  CallOptions o;
  o.timeout = 60ms;
  auto start = std::chrono::steady_clock::now();
  auto r = client_->call_tool("silent_sleeper", {}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 400ms);
  EXPECT_EQ(to_server_->cancels.load(), 1);
}

TEST_F(ClientTest, CallerCancellation) {
  connect({});
  ASSERT_TRUE(client_->connect().ok());
  CallOptions o;
  o.cancel = std::make_shared<std::atomic<bool>>(false);
  std::thread canceller([flag = o.cancel] {
    std::this_thread::sleep_for(50ms);
    flag->store(true);
  });
  auto r = client_->call_tool("silent_sleeper", {}, o);
  canceller.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kCancelled);
  EXPECT_EQ(to_server_->cancels.load(), 1);
}

TEST_F(ClientTest, ClosedConnectionFailsWaitingAndLaterCalls) {
  connect({});
  ASSERT_TRUE(client_->connect().ok());
  std::thread closer([this] {
    std::this_thread::sleep_for(50ms);
    client_->close(Error(Errc::kUnavailable, "gone"));
  });
  auto r = client_->call_tool("silent_sleeper", {});
  closer.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kUnavailable);
  EXPECT_EQ(client_->list_tools().error().code, Errc::kUnavailable);
}

TEST_F(ClientTest, AnswersServerRequests) {
  auto out = std::make_shared<testing::SinkRecorder>();
  Client client({.roots = {{"file:///work", "work"}}}, out);
  client.handle(R"({"jsonrpc":"2.0","id":"s1","method":"ping"})");
  client.handle(R"({"jsonrpc":"2.0","id":"s2","method":"roots/list"})");
  client.handle(R"({"jsonrpc":"2.0","id":"s3","method":"sampling/createMessage","params":{}})");
  auto ping = out->response("s1");
  ASSERT_TRUE(ping);
  EXPECT_TRUE(ping->as_object().contains("result"));
  auto roots = out->response("s2");
  ASSERT_TRUE(roots);
  EXPECT_EQ(roots->at("result").at("roots").at(0).at("uri"), json::value("file:///work"));
  auto sampling = out->response("s3");
  ASSERT_TRUE(sampling);
  EXPECT_EQ(sampling->at("error").at("code"), json::value(rpc_code::kMethodNotFound));
}

TEST_F(ClientTest, NotificationsReachTheHandler) {
  connect({.try_modern = false});
  ASSERT_TRUE(client_->connect().ok());
  std::atomic<int> changed{0};
  client_->on_notification([&](const Message& m) {
    if (m.method == "notifications/tools/list_changed") ++changed;
  });
  ASSERT_TRUE(tools_->remove("test_simple_text"));
  EXPECT_EQ(changed.load(), 1);
}

}  // namespace
}  // namespace woolly::mcp

namespace woolly::mcp {
namespace {

TEST_F(ClientTest, ServerAsksTheClientToSampleDuringAToolCall) {
  ClientOptions o;
  o.try_modern = false;  // server-to-client requests belong to the session revisions
  o.extra_capabilities = {{"sampling", json::object{}}};
  o.request_handler = [](const std::string& method, const json::object& params) -> Result<json::object> {
    if (method != "sampling/createMessage") return make_error(Errc::kUnsupported, "no");
    std::string prompt(params.at("messages").at(0).at("content").at("text").as_string());
    return json::object{{"role", "assistant"},
                        {"content", {{"type", "text"}, {"text", "echo " + prompt}}},
                        {"model", "test"}};
  };
  connect(o);
  ASSERT_TRUE(client_->connect().ok());
  auto r = client_->call_tool("test_sampling", {{"prompt", "hi"}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->at("content").at(0).at("text"), json::value("LLM response: echo hi"));
  // Elicitation was not declared: the tool learns it is unsupported instead of waiting.
  r = client_->call_tool("test_elicitation", {{"message", "name?"}});
  ASSERT_TRUE(r.ok());
  EXPECT_NE(std::string(r->at("content").at(0).at("text").as_string()).find("not supported"),
            std::string::npos);
}

TEST_F(ClientTest, ClosingTheSessionReleasesAToolWaitingForTheClient) {
  connect({.try_modern = false, .extra_capabilities = {{"sampling", json::object{}}}});
  ASSERT_TRUE(client_->connect().ok());
  // A sink that swallows the server's sampling request: the client never answers it.
  auto silent = std::make_shared<testing::SinkRecorder>();
  SessionId s = server_->open_session(silent);
  server_->handle(s, R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":
      {"protocolVersion":"2025-11-25","capabilities":{"sampling":{}}}})");
  ASSERT_TRUE(silent->response(0));
  server_->handle(s, R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":
      {"name":"test_sampling","arguments":{"prompt":"x"}}})");
  ASSERT_TRUE(silent->wait_for([](const json::value& v) {
    return v.as_object().contains("method") && v.at("method") == json::value("sampling/createMessage");
  }));
  auto start = std::chrono::steady_clock::now();
  server_->close_session(s);
  server_.reset();  // joins the workers: hangs if the waiting tool was not released
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

}  // namespace
}  // namespace woolly::mcp
