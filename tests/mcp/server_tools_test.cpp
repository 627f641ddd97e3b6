// tools/list and tools/call: pagination, argument validation, structured output, progress,
// logging, cancellation and list_changed notifications.
#include <algorithm>
#include <thread>

#include "server_fixture.h"

namespace woolly::mcp::testing {
namespace {

class ToolsTest : public ServerTest {
 protected:
  static ToolSpec echo_tool() {
    ToolSpec t;
    t.name = "echo";
    t.description = "Echoes a message";
    t.input_schema = json::parse(R"({"type":"object",
        "properties":{"message":{"type":"string"},
                      "options":{"type":"object","properties":{"times":{"type":"integer","minimum":1}}}},
        "required":["message"]})").as_object();
    t.annotations.read_only_hint = true;
    t.handler = sync_tool([](ToolContext& ctx) -> Result<ToolResult> {
      return ToolResult::text(std::string(ctx.arguments().at("message").as_string()));
    });
    return t;
  }
};

TEST_F(ToolsTest, ListIsPaginatedAndSorted) {
  ServerOptions o;
  o.page_size = 2;
  make_server(o);
  for (std::string n : {"c", "a", "e", "b", "d"}) {
    ASSERT_TRUE(tools_->add({.name = n, .handler = sync_tool([](ToolContext&) -> Result<ToolResult> {
                               return ToolResult::text("x");
                             })})
                    .ok());
  }
  initialize();
  std::vector<std::string> names;
  json::object params;
  for (int page = 0; page < 5; ++page) {
    json::value r = request(page + 1, "tools/list", params);
    for (const auto& t : result(r).at("tools").as_array()) names.emplace_back(t.at("name").as_string());
    if (!result(r).contains("nextCursor")) break;
    params["cursor"] = result(r).at("nextCursor");
  }
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(code(request(9, "tools/list", {{"cursor", "garbage"}})), rpc_code::kInvalidParams);
}

TEST_F(ToolsTest, ListShowsSchemaAndAnnotations) {
  ASSERT_TRUE(tools_->add(echo_tool()).ok());
  initialize();
  json::value t = result(request(1, "tools/list")).at("tools").at(0);
  EXPECT_EQ(t.at("inputSchema").at("required").at(0), json::value("message"));
  EXPECT_EQ(t.at("annotations").at("readOnlyHint"), json::value(true));
}

TEST_F(ToolsTest, RegistryRefusesBadToolsAndDuplicates) {
  EXPECT_FALSE(tools_->add({.name = "bad name!", .handler = echo_tool().handler}).ok());
  EXPECT_FALSE(tools_->add({.name = "nohandler"}).ok());
  ToolSpec bad_schema = echo_tool();
  bad_schema.input_schema = json::parse(R"({"type":"object","$ref":"https://evil/x.json"})").as_object();
  EXPECT_FALSE(tools_->add(bad_schema).ok());
  ASSERT_TRUE(tools_->add(echo_tool()).ok());
  EXPECT_EQ(tools_->add(echo_tool()).error().code, Errc::kAlreadyExists);
}

TEST_F(ToolsTest, CallRunsTheHandler) {
  ASSERT_TRUE(tools_->add(echo_tool()).ok());
  initialize();
  json::value r = request(1, "tools/call", {{"name", "echo"}, {"arguments", {{"message", "hi"}}}});
  EXPECT_EQ(result(r).at("content").at(0).at("text"), json::value("hi"));
  EXPECT_FALSE(result(r).contains("isError"));
  EXPECT_EQ(code(request(2, "tools/call", {{"name", "missing"}})), rpc_code::kInvalidParams);
}

TEST_F(ToolsTest, HandlersSeeTheCallerTheirSessionWasOpenedFor) {
  // The app charges a tool's generation to this caller: each session's calls must see their own.
  std::vector<std::shared_ptr<const void>> seen;
  std::mutex mu;
  ASSERT_TRUE(tools_->add({.name = "who", .handler = sync_tool([&](ToolContext& ctx) -> Result<ToolResult> {
                             std::lock_guard lock(mu);
                             seen.push_back(ctx.caller());
                             return ToolResult::text("x");
                           })})
                  .ok());
  auto alice = std::make_shared<const std::string>("alice");
  auto other_sink = std::make_shared<SinkRecorder>();
  SessionId theirs = server_->open_session(other_sink, alice);
  initialize();  // our own session: opened without a caller
  request(1, "tools/call", {{"name", "who"}, {"arguments", json::object{}}});
  json::object call{{"name", "who"}, {"arguments", json::object{}}, {"_meta", modern_meta()}};
  server_->handle(theirs, json::serialize(make_request(2, "tools/call", call)));
  ASSERT_TRUE(other_sink->response(2).has_value());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], nullptr);
  EXPECT_EQ(seen[1], alice);
}

TEST_F(ToolsTest, ListShowsACallerOnlyTheToolsVisibleToIt) {
  auto alice = std::make_shared<const std::string>("alice");
  ToolSpec hidden = echo_tool();
  hidden.name = "alice_only";
  hidden.visible_to = [alice](const std::shared_ptr<const void>& caller) { return caller == alice; };
  ASSERT_TRUE(tools_->add(hidden).ok());
  ASSERT_TRUE(tools_->add(echo_tool()).ok());
  auto names = [](const json::object& response) {
    std::vector<std::string> out;
    for (const auto& t : response.at("result").at("tools").as_array())
      out.emplace_back(t.at("name").as_string());
    return out;
  };
  initialize();  // a session without a caller
  EXPECT_EQ(names(request(1, "tools/list").as_object()), std::vector<std::string>{"echo"});
  auto alice_sink = std::make_shared<SinkRecorder>();
  SessionId theirs = server_->open_session(alice_sink, alice);
  json::object params{{"_meta", modern_meta()}};
  server_->handle(theirs, json::serialize(make_request(2, "tools/list", params)));
  auto theirs_reply = alice_sink->response(2);
  ASSERT_TRUE(theirs_reply.has_value());
  auto seen = names(theirs_reply->as_object());
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"alice_only", "echo"}));
}

TEST_F(ToolsTest, InvalidArgumentsNameThePathBeforeTheHandlerRuns) {
  std::atomic<int> runs{0};
  ToolSpec t = echo_tool();
  t.handler = [&runs](std::shared_ptr<ToolContext> ctx) {
    ++runs;
    ctx->complete(ToolResult::text("ran"));
  };
  ASSERT_TRUE(tools_->add(t).ok());
  initialize("2025-06-18");
  json::value r = request(1, "tools/call",
                          {{"name", "echo"},
                           {"arguments", {{"message", "x"}, {"options", {{"times", 0}}}}}});
  ASSERT_EQ(code(r), rpc_code::kInvalidParams);
  EXPECT_EQ(r.at("error").at("data").at("path"), json::value("/options/times"));
  r = request(2, "tools/call", {{"name", "echo"}, {"arguments", json::object{}}});
  ASSERT_EQ(code(r), rpc_code::kInvalidParams);
  EXPECT_EQ(r.at("error").at("data").at("path"), json::value("/message"));
  EXPECT_EQ(runs.load(), 0);
}

TEST_F(ToolsTest, From20251125InvalidArgumentsAreToolErrors) {
  ASSERT_TRUE(tools_->add(echo_tool()).ok());
  initialize("2025-11-25");
  json::value r = request(1, "tools/call", {{"name", "echo"}, {"arguments", {{"message", 5}}}});
  ASSERT_EQ(code(r), 0);
  EXPECT_EQ(result(r).at("isError"), json::value(true));
  std::string text(result(r).at("content").at(0).at("text").as_string());
  EXPECT_NE(text.find("/message"), std::string::npos) << text;
}

TEST_F(ToolsTest, StructuredContentIsCheckedAgainstOutputSchema) {
  ToolSpec t;
  t.name = "weather";
  t.output_schema = json::parse(
      R"({"type":"object","properties":{"temp":{"type":"number"}},"required":["temp"]})")
                        .as_object();
  t.handler = sync_tool([](ToolContext& ctx) -> Result<ToolResult> {
    ToolResult r;
    if (ctx.arguments().contains("broken")) {
      r.structured_content = json::object{{"temp", "warm"}};
    } else {
      r.structured_content = json::object{{"temp", 21.5}};
    }
    return r;
  });
  ASSERT_TRUE(tools_->add(t).ok());
  initialize("2025-06-18");
  json::value r = request(1, "tools/call", {{"name", "weather"}});
  EXPECT_EQ(result(r).at("structuredContent").at("temp"), json::value(21.5));
  // Older clients still get the data as a text block.
  EXPECT_EQ(result(r).at("content").at(0).at("type"), json::value("text"));
  r = request(2, "tools/call", {{"name", "weather"}, {"arguments", {{"broken", true}}}});
  EXPECT_EQ(code(r), rpc_code::kInternalError);
  // 2025-03-26 predates structured output: neither schema nor structuredContent is sent.
  make_server({});
  initialize("2025-03-26");
  EXPECT_FALSE(result(request(3, "tools/list")).at("tools").at(0).as_object().contains("outputSchema"));
  EXPECT_FALSE(result(request(4, "tools/call", {{"name", "weather"}})).contains("structuredContent"));
}

TEST_F(ToolsTest, ProgressIsSentWhenATokenWasGiven) {
  ToolSpec t;
  t.name = "work";
  t.handler = [](std::shared_ptr<ToolContext> ctx) {
    std::thread([ctx] {
      ctx->progress(1, 3, "one");
      ctx->progress(1, 3, "repeat is dropped");
      ctx->progress(2, 3, "two");
      ctx->complete(ToolResult::text("ok"));
    }).detach();
  };
  ASSERT_TRUE(tools_->add(t).ok());
  initialize();
  json::value r = request(1, "tools/call", {{"name", "work"}, {"_meta", {{"progressToken", "p1"}}}});
  EXPECT_EQ(code(r), 0);
  auto p1 = sink_->notification("notifications/progress");
  auto p2 = sink_->notification("notifications/progress");
  ASSERT_TRUE(p1 && p2);
  EXPECT_EQ(p1->at("params").at("progressToken"), json::value("p1"));
  EXPECT_EQ(p1->at("params").at("message"), json::value("one"));
  EXPECT_EQ(p2->at("params").at("progress"), json::value(2));  // whole numbers stay integers
  EXPECT_FALSE(sink_->notification("notifications/progress", std::chrono::milliseconds(50)));
  // Without a token nothing is sent.
  request(2, "tools/call", {{"name", "work"}});
  EXPECT_FALSE(sink_->notification("notifications/progress", std::chrono::milliseconds(100)));
}

TEST_F(ToolsTest, CancellationReachesTheRunningHandler) {
  std::atomic<bool> saw_cancel{false};
  ToolSpec t;
  t.name = "forever";
  t.handler = [&saw_cancel](std::shared_ptr<ToolContext> ctx) {
    std::thread([ctx, &saw_cancel] {
      for (int i = 0; i < 500 && !ctx->cancelled(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      saw_cancel = ctx->cancelled();
      ctx->complete(ToolResult::text("late"));
    }).detach();
  };
  ASSERT_TRUE(tools_->add(t).ok());
  initialize();
  send(make_request("c1", "tools/call", {{"name", "forever"}}));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  send(make_notification("notifications/cancelled", {{"requestId", "c1"}, {"reason", "user"}}));
  for (int i = 0; i < 200 && !saw_cancel; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(saw_cancel.load());
  // No response follows a cancellation.
  EXPECT_FALSE(sink_->wait_for([](const json::value& v) { return v.as_object().contains("id"); },
                               std::chrono::milliseconds(100)));
}

TEST_F(ToolsTest, LogLinesHonourTheSessionLevel) {
  ToolSpec t;
  t.name = "chatty";
  t.handler = sync_tool([](ToolContext& ctx) -> Result<ToolResult> {
    ctx.log(LogLevel::kInfo, "info line");
    ctx.log(LogLevel::kError, "error line");
    return ToolResult::text("ok");
  });
  ASSERT_TRUE(tools_->add(t).ok());
  initialize();
  EXPECT_EQ(code(request(1, "logging/setLevel", {{"level", "warning"}})), 0);
  EXPECT_EQ(code(request(2, "logging/setLevel", {{"level", "loud"}})), rpc_code::kInvalidParams);
  request(3, "tools/call", {{"name", "chatty"}});
  auto m = sink_->notification("notifications/message");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->at("params").at("data"), json::value("error line"));
  EXPECT_FALSE(sink_->notification("notifications/message", std::chrono::milliseconds(50)));

  // 2026-07-28: only requests that ask (logLevel in _meta) get log lines.
  make_server({});
  request(4, "tools/call", {{"name", "chatty"}, {"_meta", modern_meta()}});
  EXPECT_FALSE(sink_->notification("notifications/message", std::chrono::milliseconds(50)));
  json::object meta = modern_meta();
  meta["io.modelcontextprotocol/logLevel"] = "debug";
  request(5, "tools/call", {{"name", "chatty"}, {"_meta", meta}});
  EXPECT_TRUE(sink_->notification("notifications/message"));
}

TEST_F(ToolsTest, RegistryChangesAreAnnounced) {
  initialize();
  ASSERT_TRUE(tools_->add(echo_tool()).ok());
  EXPECT_TRUE(sink_->notification("notifications/tools/list_changed"));

  // Modern clients opt in through subscriptions/listen.
  make_server({});
  json::object params{{"_meta", modern_meta()}, {"notifications", {{"toolsListChanged", true}}}};
  send(make_request("sub", "subscriptions/listen", params));
  auto ack = sink_->notification("notifications/subscriptions/acknowledged");
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->at("params").at("notifications").at("toolsListChanged"), json::value(true));
  tools_->remove("echo");
  auto n = sink_->notification("notifications/tools/list_changed");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->at("params").at("_meta").at("io.modelcontextprotocol/subscriptionId"),
            json::value("sub"));
  send(make_notification("notifications/cancelled", {{"requestId", "sub"}}));
  ASSERT_TRUE(tools_->add(echo_tool()).ok());
  EXPECT_FALSE(sink_->notification("notifications/tools/list_changed", std::chrono::milliseconds(50)));

  // A server that ends a subscription answers the listen request.
  send(make_request("sub2", "subscriptions/listen", params));
  ASSERT_TRUE(sink_->notification("notifications/subscriptions/acknowledged"));
  server_->end_subscriptions();
  auto end = sink_->response("sub2");
  ASSERT_TRUE(end);
  EXPECT_EQ(end->at("result").at("resultType"), json::value("complete"));
  tools_->remove("echo");
  EXPECT_FALSE(sink_->notification("notifications/tools/list_changed", std::chrono::milliseconds(50)));
}

TEST_F(ToolsTest, ThrowingHandlerBecomesAToolError) {
  ASSERT_TRUE(tools_->add({.name = "boom", .handler = [](std::shared_ptr<ToolContext>) {
                             throw std::runtime_error("secret detail");
                           }}).ok());
  initialize();
  json::value r = request(1, "tools/call", {{"name", "boom"}});
  EXPECT_EQ(result(r).at("isError"), json::value(true));
  EXPECT_EQ(json::serialize(r).find("secret"), std::string::npos);
}

}  // namespace
}  // namespace woolly::mcp::testing

namespace woolly::mcp::testing {
namespace {

TEST_F(ToolsTest, HandlerFinishingAfterTheServerIsGoneIsHarmless) {
  std::shared_ptr<ToolContext> kept;
  std::mutex m;
  ASSERT_TRUE(tools_->add({.name = "keeper", .handler = [&](std::shared_ptr<ToolContext> ctx) {
                             std::lock_guard lock(m);
                             kept = std::move(ctx);
                           }}).ok());
  initialize();
  send(make_request(1, "tools/call", {{"name", "keeper"}, {"_meta", {{"progressToken", 1}}}}));
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard lock(m);
      if (kept) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  server_.reset();
  std::lock_guard lock(m);
  ASSERT_TRUE(kept);
  EXPECT_TRUE(kept->cancelled());  // the server cancelled what was running when it went away
  kept->progress(1);
  kept->complete(ToolResult::text("too late"));
  EXPECT_EQ(sink_->size(), 0u);  // nothing reached the closed session
}

}  // namespace
}  // namespace woolly::mcp::testing

namespace woolly::mcp::testing {
namespace {

TEST_F(ToolsTest, RequiredClientCapabilitiesAreCheckedBeforeTheHandler) {
  std::atomic<int> runs{0};
  ASSERT_TRUE(tools_->add({.name = "needs_sampling",
                           .required_client_capabilities = {"sampling"},
                           .handler = sync_tool([&runs](ToolContext&) -> Result<ToolResult> {
                             ++runs;
                             return ToolResult::text("ok");
                           })})
                  .ok());
  json::value r = request(1, "tools/call", {{"name", "needs_sampling"}, {"_meta", modern_meta()}});
  ASSERT_EQ(code(r), rpc_code::kMissingRequiredClientCapability);
  EXPECT_TRUE(r.at("error").at("data").at("requiredCapabilities").as_object().contains("sampling"));
  EXPECT_EQ(http_status_for_error(code(r), true), 400);

  json::object meta = modern_meta();
  meta["io.modelcontextprotocol/clientCapabilities"] = json::object{{"sampling", json::object{}}};
  EXPECT_EQ(code(request(2, "tools/call", {{"name", "needs_sampling"}, {"_meta", meta}})), 0);
  EXPECT_EQ(runs.load(), 1);

  initialize();  // a session client without sampling gets a tool error instead
  r = request(3, "tools/call", {{"name", "needs_sampling"}});
  EXPECT_EQ(result(r).at("isError"), json::value(true));
  EXPECT_EQ(runs.load(), 1);
}

}  // namespace
}  // namespace woolly::mcp::testing

namespace woolly::mcp::testing {
namespace {

TEST_F(ToolsTest, MultiRoundTripAsksThenUsesTheAnswer) {
  ASSERT_TRUE(tools_->add({.name = "ask_name",
                           .handler = sync_tool([](ToolContext& ctx) -> Result<ToolResult> {
                             if (const json::value* a = ctx.input_responses().if_contains("who")) {
                               return ToolResult::text("Hello " + std::string(a->at("name").as_string()) +
                                                       " (" + ctx.request_state() + ")");
                             }
                             return ToolResult::input_required(
                                 json::object{{"who", {{"method", "elicitation/create"}, {"params", json::object{}}}}},
                                 "s1");
                           })})
                  .ok());
  json::value r = request(1, "tools/call", {{"name", "ask_name"}, {"_meta", modern_meta()}});
  ASSERT_EQ(code(r), 0);
  EXPECT_EQ(result(r).at("resultType"), json::value("input_required"));
  EXPECT_EQ(result(r).at("requestState"), json::value("s1"));
  EXPECT_TRUE(result(r).at("inputRequests").as_object().contains("who"));
  r = request(2, "tools/call",
              {{"name", "ask_name"},
               {"_meta", modern_meta()},
               {"inputResponses", {{"who", {{"name", "Ada"}}}}},
               {"requestState", "s1"}});
  EXPECT_EQ(result(r).at("resultType"), json::value("complete"));
  EXPECT_EQ(result(r).at("content").at(0).at("text"), json::value("Hello Ada (s1)"));
  // Session revisions cannot carry it: the caller gets a tool error, not a half-formed result.
  initialize();
  r = request(3, "tools/call", {{"name", "ask_name"}});
  EXPECT_EQ(result(r).at("isError"), json::value(true));
}

}  // namespace
}  // namespace woolly::mcp::testing
