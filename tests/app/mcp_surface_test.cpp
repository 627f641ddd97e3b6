// The MCP surface of the real woolly-server, at the transport level: bad input over /mcp and
// /api/v1/mcp/ws gets the right error (and the server keeps serving), set_generation_params
// defaults stay with the session that set them, and connections, messages and tool calls show in
// get_server_status and /metrics.
#include <boost/json.hpp>
#include <csignal>

#include "mcp_child.h"

namespace woolly::app {
namespace {

using testing::McpChild;
using testing::kWsBinary;
using testing::kWsClose;
using testing::kWsText;
namespace json = boost::json;

uint16_t close_code(const net::testing::Connection::Frame& f) {
  if (f.payload.size() < 2) return 0;
  return static_cast<uint16_t>((static_cast<uint8_t>(f.payload[0]) << 8) |
                               static_cast<uint8_t>(f.payload[1]));
}

std::string tool_call(int id, const std::string& name, const std::string& args) {
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) +
         R"(,"method":"tools/call","params":{"name":")" + name + R"(","arguments":)" + args + "}}";
}

struct McpSurfaceTest : McpChild {};

TEST_F(McpSurfaceTest, BadInputOverStreamableHttp) {
  start();
  // Malformed JSON and a wrong JSON-RPC shape: 400 with -32700 / -32600.
  auto r = post("{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(message_of(r)), -32700) << r.body;
  r = post(R"({"jsonrpc":"1.0","id":1,"method":"tools/list"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(message_of(r)), -32600) << r.body;
  // Before initialization there is no session: a session request without one is 400, an
  // unknown session id 404.
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})").status, 400);
  r = post(R"({"jsonrpc":"2.0","id":3,"method":"tools/list"})", "0123456789abcdef");
  EXPECT_EQ(r.status, 404) << r.body;

  const std::string sid = open_http_session("2025-06-18");
  ASSERT_FALSE(sid.empty());
  r = post(R"({"jsonrpc":"2.0","id":4,"method":"tools/frobnicate"})", sid, {}, "2025-06-18");
  EXPECT_EQ(error_code(message_of(r)), -32601) << r.body;
  // Invalid arguments name the failing path (2025-06-18: a JSON-RPC -32602).
  r = post(tool_call(5, "generate_text", R"({"prompt":"x","max_tokens":"many"})"), sid, {},
           "2025-06-18");
  json::value m = message_of(r);
  ASSERT_EQ(error_code(m), -32602) << r.body;
  EXPECT_EQ(m.at("error").at("data").at("path"), json::value("/max_tokens")) << r.body;
  // 2025-11-25 wants the same failure as a tool error the model can read, path included.
  const std::string sid2 = open_http_session();
  r = post(tool_call(6, "generate_text", R"({"prompt":"x","max_tokens":0})"), sid2);
  m = message_of(r);
  ASSERT_TRUE(m.is_object() && m.as_object().contains("result")) << r.body;
  EXPECT_EQ(m.at("result").at("isError"), json::value(true));
  EXPECT_NE(json::serialize(m).find("/max_tokens"), std::string::npos) << r.body;

  // The server and both sessions survive.
  r = post(R"({"jsonrpc":"2.0","id":7,"method":"ping"})", sid, {}, "2025-06-18");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(message_of(r).as_object().contains("result")) << r.body;
  EXPECT_EQ(net::testing::http_request(port_, "GET", "/api/v1/health").status, 200);
}

TEST_F(McpSurfaceTest, BadInputOverWebSocket) {
  start({"mcp.max_message_size=4096"});
  auto c = ws_connect();
  // A request before initialize is refused; ping is allowed.
  json::value r = ws_rpc(*c, R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})", 1);
  EXPECT_EQ(error_code(r), -32600) << json::serialize(r);
  EXPECT_NE(json::serialize(r).find("not initialized"), std::string::npos) << json::serialize(r);
  ws_initialize(*c, "2025-06-18");
  // Malformed JSON (no id to answer: null), wrong shapes, unknown methods, invalid arguments.
  r = ws_rpc(*c, "{oops", nullptr);
  EXPECT_EQ(error_code(r), -32700) << json::serialize(r);
  EXPECT_EQ(error_code(ws_rpc(*c, R"({"jsonrpc":"2.0","id":2})", 2)), -32600);
  EXPECT_EQ(error_code(ws_rpc(*c, R"({"jsonrpc":"2.0","id":3,"method":7})", 3)), -32600);
  EXPECT_EQ(error_code(ws_rpc(*c, R"({"jsonrpc":"2.0","id":4,"method":"nope/nope"})", 4)), -32601);
  r = ws_rpc(*c, tool_call(5, "tokenize_text", R"({"text":42})"), 5);
  ASSERT_EQ(error_code(r), -32602) << json::serialize(r);
  EXPECT_EQ(r.at("error").at("data").at("path"), json::value("/text"));
  r = ws_rpc(*c, tool_call(6, "no_such_tool", "{}"), 6);
  EXPECT_EQ(error_code(r), -32602) << json::serialize(r);
  // The connection still serves.
  r = ws_rpc(*c, tool_call(7, "tokenize_text", R"({"text":"Hello"})"), 7);
  EXPECT_GT(r.at("result").at("structuredContent").at("count").as_int64(), 0) << json::serialize(r);

  // A message over mcp.max_message_size closes the connection with 1009, binary with 1003.
  ASSERT_TRUE(c->ws_send(kWsText, std::string(5000, ' ') + "{}"));
  auto f = c->ws_read();
  EXPECT_EQ(f.opcode, kWsClose);
  EXPECT_EQ(close_code(f), 1009);
  auto b = ws_connect();
  ASSERT_TRUE(b->ws_send(kWsBinary, "{}"));
  f = b->ws_read();
  EXPECT_EQ(f.opcode, kWsClose);
  EXPECT_EQ(close_code(f), 1003);
  // New connections are still served.
  auto d = ws_connect();
  EXPECT_TRUE(ws_rpc(*d, R"({"jsonrpc":"2.0","id":8,"method":"ping"})", 8).as_object().contains("result"));
}

// Two clients set different defaults; each generation uses its own session's (the demo model
// writes one token per step, so completion_tokens shows max_tokens).
TEST_F(McpSurfaceTest, GenerationDefaultsStayWithTheirSession) {
  start();
  auto ws = ws_connect();
  ws_initialize(*ws);
  const std::string sid = open_http_session();
  ASSERT_FALSE(sid.empty());

  json::value r = ws_rpc(*ws, tool_call(1, "set_generation_params", R"({"max_tokens":1})"), 1);
  ASSERT_FALSE(r.at("result").as_object().contains("isError")) << json::serialize(r);
  auto h = post(tool_call(2, "set_generation_params", R"({"max_tokens":3,"temperature":0})"), sid);
  ASSERT_FALSE(message_of(h).at("result").as_object().contains("isError")) << h.body;

  const std::string gen = tool_call(3, "generate_text", R"({"prompt":"Hello"})");
  h = post(gen, sid);
  json::value http_usage = message_of(h).at("result").at("structuredContent").at("usage");
  r = ws_rpc(*ws, gen, 3);
  json::value ws_usage = r.at("result").at("structuredContent").at("usage");
  EXPECT_EQ(ws_usage.at("completion_tokens").as_int64(), 1) << json::serialize(r);
  EXPECT_GT(http_usage.at("completion_tokens").as_int64(), 1) << h.body;
  EXPECT_LE(http_usage.at("completion_tokens").as_int64(), 3) << h.body;

}

// The value of one sample line of the Prometheus text ("name{labels} value"); -1 when absent.
double sample(const std::string& metrics, const std::string& series) {
  const std::string line = series + " ";
  for (size_t pos = metrics.find(line); pos != std::string::npos; pos = metrics.find(line, pos + 1)) {
    if (pos == 0 || metrics[pos - 1] == '\n') return std::stod(metrics.substr(pos + line.size()));
  }
  return -1;
}

TEST_F(McpSurfaceTest, ConnectionsMessagesAndToolCallsAreReported) {
  start();
  auto ws = ws_connect();
  ws_initialize(*ws);
  ASSERT_TRUE(ws_rpc(*ws, tool_call(1, "tokenize_text", R"({"text":"Hello"})"), 1)
                  .at("result").is_object());
  EXPECT_EQ(error_code(ws_rpc(*ws, R"({"jsonrpc":"2.0","id":2,"method":"nope"})", 2)), -32601);
  const std::string sid = open_http_session();
  ASSERT_FALSE(sid.empty());

  json::value r = ws_rpc(*ws, tool_call(3, "get_server_status", "{}"), 3);
  ASSERT_TRUE(r.is_object() && r.at("result").as_object().contains("structuredContent"))
      << json::serialize(r);
  const json::value& mcp = r.at("result").at("structuredContent").at("mcp");
  const json::value& w = mcp.at("connections").at("websocket");
  EXPECT_EQ(w.at("open").as_int64(), 1) << json::serialize(mcp);
  // initialize, initialized, tokenize, nope, get_server_status.
  EXPECT_EQ(w.at("messages_in").to_number<uint64_t>(), 5u) << json::serialize(mcp);
  EXPECT_GE(w.at("messages_out").to_number<uint64_t>(), 3u) << json::serialize(mcp);
  EXPECT_EQ(w.at("errors").to_number<uint64_t>(), 1u) << json::serialize(mcp);
  EXPECT_EQ(mcp.at("connections").at("http").at("open").as_int64(), 1) << json::serialize(mcp);
  EXPECT_EQ(mcp.at("tool_calls").at("tokenize_text").at("ok").to_number<uint64_t>(), 1u);

  auto metrics = [&] {
    return net::testing::http_request(port_, "GET", "/metrics",
                                      "X-API-Key: " + testing::kMcpKey + "\r\n")
        .body;
  };
  std::string m = metrics();
  EXPECT_EQ(sample(m, R"(woolly_mcp_connections{transport="websocket"})"), 1) << m;
  EXPECT_EQ(sample(m, R"(woolly_mcp_connections{transport="http"})"), 1) << m;
  EXPECT_EQ(sample(m, R"(woolly_mcp_messages_total{transport="websocket",direction="in"})"), 5);
  EXPECT_EQ(sample(m, R"(woolly_mcp_tool_calls_total{tool="tokenize_text",status="ok"})"), 1);
  EXPECT_EQ(sample(m, R"(woolly_mcp_tool_calls_total{tool="get_server_status",status="ok"})"), 1);

  // Closing the WebSocket and deleting the HTTP session close their connections.
  ws.reset();
  EXPECT_EQ(net::testing::http_request(port_, "DELETE", "/mcp",
                                       "X-API-Key: " + testing::kMcpKey +
                                           "\r\nMcp-Session-Id: " + sid + "\r\n")
                .status,
            200);
  for (int i = 0; i < 500 && sample(m, R"(woolly_mcp_connections{transport="websocket"})") != 0; ++i) {
    ::usleep(10'000);  // the close reaches the server asynchronously
    m = metrics();
  }
  EXPECT_EQ(sample(m, R"(woolly_mcp_connections{transport="websocket"})"), 0) << m;
  EXPECT_EQ(sample(m, R"(woolly_mcp_connections{transport="http"})"), 0) << m;
  EXPECT_EQ(sample(m, R"(woolly_mcp_connections_total{transport="websocket"})"), 1) << m;
}

// A client holding the session's GET stream open does not hold SIGTERM for the drain timeout
// (600 s here): serve ends MCP streams when the drain starts.
TEST_F(McpSurfaceTest, OpenGetStreamDoesNotHoldTheDrain) {
  start({"server.drain_timeout=600"});
  const std::string sid = open_http_session();
  ASSERT_FALSE(sid.empty());
  net::testing::Connection get(port_, 10000);
  ASSERT_TRUE(get.send_all("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                           "MCP-Protocol-Version: 2025-11-25\r\nX-API-Key: " + testing::kMcpKey +
                           "\r\nMcp-Session-Id: " + sid + "\r\n\r\n"));
  const std::string head = get.read_until("\r\n\r\n", 10000);
  ASSERT_NE(head.find(" 200 "), std::string::npos) << head;
  child_->signal(SIGTERM);
  EXPECT_EQ(child_->wait(120'000), 0) << child_->log();
  EXPECT_TRUE(get.wait_closed(10000));
}

}  // namespace
}  // namespace woolly::app
