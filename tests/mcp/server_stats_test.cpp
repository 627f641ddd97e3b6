// Server statistics: connections, messages and errors by transport, tool calls by tool and
// outcome, read back by stats() and rendered into the registry behind /metrics.
#include "obs/metrics/registry.h"
#include "server_fixture.h"

namespace woolly::mcp::testing {
namespace {

class StatsTest : public ServerTest {
 protected:
  void SetUp() override {
    ToolSpec t;
    t.name = "echo";
    t.input_schema = json::parse(R"({"type":"object","properties":{"message":{"type":"string"}},
        "required":["message"]})").as_object();
    t.handler = sync_tool([](ToolContext& ctx) -> Result<ToolResult> {
      const std::string m(ctx.arguments().at("message").as_string());
      if (m == "fail") return ToolResult::error("asked to fail");
      return ToolResult::text(m);
    });
    ASSERT_TRUE(tools_->add(std::move(t)).ok());
    ServerOptions o;
    o.metrics = &metrics_;
    make_server(std::move(o));
  }
  json::value call(int id, json::object args, std::string name = "echo") {
    return request(id, "tools/call", {{"name", name}, {"arguments", std::move(args)}});
  }

  obs::Registry metrics_;
};

TEST_F(StatsTest, CountsByTransportAndTool) {
  // The fixture's session is "other"; two more under named transports.
  auto ws_sink = std::make_shared<SinkRecorder>();
  SessionId ws = server_->open_session(ws_sink, nullptr, "websocket");
  SessionId http = server_->open_session(std::make_shared<SinkRecorder>(), nullptr, "http");
  server_->close_session(http);

  initialize("2025-06-18");                                // 1 in (request), 1 out
  call(1, {{"message", "hi"}});                            // ok
  call(2, {{"message", "fail"}});                          // isError
  EXPECT_EQ(code(call(3, {{"message", 5}})), -32602);       // invalid arguments
  EXPECT_EQ(code(call(4, {}, "made_up_name")), -32602);     // unknown tool
  server_->handle(session_, "{not json");                  // parse error
  ASSERT_TRUE(sink_->wait_for([](const json::value& v) {
    return v.as_object().contains("error") && v.at("error").at("code") == json::value(-32700);
  }));
  server_->handle(ws, R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
  ASSERT_TRUE(ws_sink->response(1));

  McpStats s = server_->stats();
  const TransportStats& other = s.transports.at("other");
  EXPECT_EQ(other.open, 1);
  EXPECT_EQ(other.total, 1u);
  // initialize, initialized, 4 calls, the bad frame.
  EXPECT_EQ(other.messages_in, 7u);
  // initialize, 4 call answers, the parse error.
  EXPECT_EQ(other.messages_out, 6u);
  EXPECT_EQ(other.errors, 3u);
  EXPECT_EQ(s.transports.at("websocket").open, 1);
  EXPECT_EQ(s.transports.at("websocket").messages_in, 1u);
  EXPECT_EQ(s.transports.at("websocket").messages_out, 1u);
  EXPECT_EQ(s.transports.at("websocket").errors, 0u);
  EXPECT_EQ(s.transports.at("http").open, 0);
  EXPECT_EQ(s.transports.at("http").total, 1u);
  EXPECT_EQ(s.tool_calls.at("echo").at("ok"), 1u);
  EXPECT_EQ(s.tool_calls.at("echo").at("error"), 1u);
  EXPECT_EQ(s.tool_calls.at("echo").at("invalid"), 1u);
  // A made-up name is not a label value: the metric cannot be grown by callers.
  EXPECT_EQ(s.tool_calls.at("(unknown)").at("invalid"), 1u);
  EXPECT_FALSE(s.tool_calls.contains("made_up_name"));

  const std::string text = metrics_.render();
  EXPECT_NE(text.find(R"(woolly_mcp_connections{transport="websocket"} 1)"), std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(woolly_mcp_messages_total{transport="other",direction="in"} 7)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(woolly_mcp_tool_calls_total{tool="echo",status="ok"} 1)"),
            std::string::npos)
      << text;

  const json::object j = to_json(s);
  EXPECT_EQ(j.at("connections").at("websocket").at("open").as_int64(), 1);
  EXPECT_EQ(j.at("tool_calls").at("echo").at("error").as_uint64(), 1u);
  server_->close_session(ws);
  EXPECT_EQ(server_->stats().transports.at("websocket").open, 0);
}

}  // namespace
}  // namespace woolly::mcp::testing
