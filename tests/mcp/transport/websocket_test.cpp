// MCP over WebSocket on a real loopback server: JSON-RPC and envelope framing, subprotocol
// selection with a Bearer offer, bad frames, oversized messages and the connection limit.
#include "mcp/transport/websocket.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "net/test_client.h"
#include "net/test_server.h"

namespace woolly::mcp::transport {
namespace {

using net::testing::Connection;

constexpr uint8_t kText = 0x1, kBinary = 0x2, kClose = 0x8;

uint16_t close_code(const Connection::Frame& f) {
  if (f.payload.size() < 2) return 0;
  return static_cast<uint16_t>((static_cast<uint8_t>(f.payload[0]) << 8) |
                               static_cast<uint8_t>(f.payload[1]));
}

class WebSocketTransportTest : public ::testing::Test {
 protected:
  void start(WebSocketOptions opts) {
    auto tools = std::make_shared<ToolRegistry>();
    ASSERT_TRUE(tools->add(ToolSpec{.name = "echo",
                                    .description = "echoes text",
                                    .handler = sync_tool([](ToolContext&) -> Result<ToolResult> {
                                      return ToolResult::text("pong");
                                    })})
                    .ok());
    server_ = std::make_unique<Server>(ServerOptions{}, tools, std::make_shared<ResourceRegistry>(),
                                       std::make_shared<PromptRegistry>());
    ws_ = std::make_unique<WebSocketTransport>(*server_, opts);
    net::Router router;
    ASSERT_TRUE(ws_->mount(router).ok());
    running_ = std::make_unique<net::testing::RunningServer>(net::ServerOptions{}, std::move(router));
  }
  void TearDown() override {
    running_.reset();
    ws_.reset();
    server_.reset();
  }
  json::value rpc(Connection& c, const std::string& frame) {
    EXPECT_TRUE(c.ws_send(kText, frame));
    auto f = c.ws_read();
    EXPECT_TRUE(f.ok);
    EXPECT_EQ(f.opcode, kText);
    boost::system::error_code ec;
    return json::parse(f.payload, ec);
  }

  std::unique_ptr<Server> server_;
  std::unique_ptr<WebSocketTransport> ws_;
  std::unique_ptr<net::testing::RunningServer> running_;
};

TEST_F(WebSocketTransportTest, JsonRpcSessionWithBearerOffer) {
  start({});
  Connection c(running_->port());
  auto hs = c.ws_handshake("/api/v1/mcp/ws", "Sec-WebSocket-Protocol: Bearer, tok123, mcp\r\n");
  ASSERT_EQ(hs.status, 101);
  EXPECT_EQ(hs.header("sec-websocket-protocol"), "mcp");
  json::value init = rpc(c, R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{)"
                            R"("protocolVersion":"2025-11-25","capabilities":{},)"
                            R"("clientInfo":{"name":"t","version":"1"}}})");
  EXPECT_EQ(init.at("result").at("protocolVersion").as_string(), "2025-11-25");
  ASSERT_TRUE(c.ws_send(kText, R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
  json::value call = rpc(c, R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo"}})");
  EXPECT_EQ(call.at("result").at("content").at(0).at("text").as_string(), "pong");
  // Bad input gets JSON-RPC errors and the connection survives.
  EXPECT_EQ(rpc(c, "{oops").at("error").at("code").as_int64(), -32700);
  EXPECT_EQ(rpc(c, R"({"jsonrpc":"2.0","id":3})").at("error").at("code").as_int64(), -32600);
  EXPECT_EQ(rpc(c, R"({"jsonrpc":"2.0","id":4,"method":"nope"})").at("error").at("code").as_int64(),
            -32601);
  EXPECT_EQ(rpc(c, R"({"jsonrpc":"2.0","id":5,"method":"ping"})").at("result").is_object(), true);
  EXPECT_EQ(ws_->stats().open_connections, 1);
}

TEST_F(WebSocketTransportTest, EnvelopeFraming) {
  start({});
  Connection c(running_->port());
  ASSERT_EQ(c.ws_handshake("/api/v1/mcp/ws", "Sec-WebSocket-Protocol: mcp\r\n").status, 101);
  json::value init = rpc(c, R"({"type":"request","id":0,"method":"initialize","params":{)"
                            R"("protocolVersion":"2025-11-25","capabilities":{},)"
                            R"("clientInfo":{"name":"t","version":"1"}},"protocol_version":"0.1.0"})");
  EXPECT_EQ(init.at("type").as_string(), "response") << json::serialize(init);
  ASSERT_TRUE(c.ws_send(kText, R"({"type":"notification","method":"notifications/initialized",)"
                               R"("params":{},"protocol_version":"0.1.0"})"));
  json::value r = rpc(c, R"({"type":"request","id":1,"method":"tools/list","params":{},)"
                         R"("protocol_version":"0.1.0"})");
  EXPECT_EQ(r.at("type").as_string(), "response") << json::serialize(r);
  EXPECT_EQ(r.at("result").at("tools").as_array().size(), 1u);
  json::value bad = rpc(c, R"({"type":"request","id":2,"method":"x","protocol_version":"9"})");
  EXPECT_EQ(bad.at("type").as_string(), "error");
}

TEST_F(WebSocketTransportTest, OversizedAndBinaryFramesClose) {
  WebSocketOptions opts;
  opts.max_message_size = 64;
  start(opts);
  {
    Connection c(running_->port());
    ASSERT_EQ(c.ws_handshake("/api/v1/mcp/ws").status, 101);
    ASSERT_TRUE(c.ws_send(kText, std::string(200, ' ') + "{}"));
    auto f = c.ws_read();
    EXPECT_EQ(f.opcode, kClose);
    EXPECT_EQ(close_code(f), 1009);
  }
  Connection c(running_->port());
  ASSERT_EQ(c.ws_handshake("/api/v1/mcp/ws").status, 101);
  ASSERT_TRUE(c.ws_send(kBinary, "{}"));
  auto f = c.ws_read();
  EXPECT_EQ(f.opcode, kClose);
  EXPECT_EQ(close_code(f), 1003);
}

TEST_F(WebSocketTransportTest, ConnectionLimit) {
  WebSocketOptions opts;
  opts.max_connections = 1;
  start(opts);
  Connection a(running_->port());
  ASSERT_EQ(a.ws_handshake("/api/v1/mcp/ws").status, 101);
  EXPECT_EQ(rpc(a, R"({"jsonrpc":"2.0","id":1,"method":"ping"})").at("id").as_int64(), 1);
  Connection b(running_->port());
  ASSERT_EQ(b.ws_handshake("/api/v1/mcp/ws").status, 101);
  auto f = b.ws_read();
  EXPECT_EQ(f.opcode, kClose);
  EXPECT_EQ(close_code(f), 1013);
  EXPECT_EQ(ws_->stats().refused_connections, 1u);
}

}  // namespace
}  // namespace woolly::mcp::transport
