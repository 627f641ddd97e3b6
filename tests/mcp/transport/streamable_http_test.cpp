// Streamable HTTP transport over a real loopback net::Server: sessions, status codes, SSE
// streams, Origin checks and the stateless 2026-07-28 path.
#include "mcp/transport/streamable_http.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <thread>

#include "mcp/tool_context.h"
#include "net/test_client.h"
#include "net/test_server.h"

namespace woolly::mcp::transport {
namespace {

using net::testing::http_request;
using net::testing::HttpReply;

constexpr const char* kInit =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
    R"("capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";

class StreamableHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tools = std::make_shared<ToolRegistry>();
    ASSERT_TRUE(tools->add(ToolSpec{.name = "echo",
                                    .description = "echoes text",
                                    .handler = sync_tool([](ToolContext& ctx) -> Result<ToolResult> {
                                      const json::value* t = ctx.arguments().if_contains("text");
                                      return ToolResult::text(t && t->is_string()
                                                                  ? std::string(t->as_string())
                                                                  : std::string());
                                    })})
                    .ok());
    ASSERT_TRUE(tools->add(ToolSpec{.name = "count",
                                    .description = "reports progress twice",
                                    .handler = sync_tool([](ToolContext& ctx) -> Result<ToolResult> {
                                      ctx.progress(1, 2);
                                      ctx.progress(2, 2);
                                      return ToolResult::text("done");
                                    })})
                    .ok());
    server_ = std::make_unique<Server>(ServerOptions{}, tools, std::make_shared<ResourceRegistry>(),
                                       std::make_shared<PromptRegistry>());
    StreamableHttpOptions opts;
    opts.allowed_origins = {"https://app.example"};
    http_ = std::make_unique<StreamableHttp>(*server_, opts);
    net::Router router;
    ASSERT_TRUE(http_->mount(router).ok());
    running_ = std::make_unique<net::testing::RunningServer>(net::ServerOptions{}, std::move(router));
    ASSERT_TRUE(running_->server);
  }
  void TearDown() override {
    http_.reset();  // ends open GET streams, so the server's drain does not wait for them
    running_.reset();
    server_.reset();
  }

  HttpReply post(const std::string& body, const std::string& headers = {}) {
    return http_request(running_->port(), "POST", "/mcp",
                        "Content-Type: application/json\r\n"
                        "Accept: application/json, text/event-stream\r\n" + headers,
                        body);
  }
  // Initializes a session and returns its id.
  std::string open_session() {
    HttpReply r = post(kInit);
    EXPECT_EQ(r.status, 200) << r.body;
    std::string sid = r.header("mcp-session-id");
    EXPECT_FALSE(sid.empty());
    HttpReply n = post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
                       "Mcp-Session-Id: " + sid + "\r\nMCP-Protocol-Version: 2025-11-25\r\n");
    EXPECT_EQ(n.status, 202);
    return sid;
  }
  static json::value body_json(const HttpReply& r) { return json::parse(r.body); }

  std::unique_ptr<Server> server_;
  std::unique_ptr<StreamableHttp> http_;
  std::unique_ptr<net::testing::RunningServer> running_;
};

TEST_F(StreamableHttpTest, InitializeGivesSessionAndServesCalls) {
  HttpReply r = post(kInit);
  ASSERT_EQ(r.status, 200) << r.body;
  json::value v = body_json(r);
  EXPECT_EQ(v.at("result").at("protocolVersion").as_string(), "2025-11-25");
  std::string sid = r.header("mcp-session-id");
  ASSERT_EQ(sid.size(), 32u);
  EXPECT_EQ(http_->stats().sessions, 1u);

  std::string h = "Mcp-Session-Id: " + sid + "\r\nMCP-Protocol-Version: 2025-11-25\r\n";
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", h).status, 202);
  HttpReply list = post(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", h);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(body_json(list).at("result").at("tools").as_array().size(), 2u);
  HttpReply call = post(
      R"({"jsonrpc":"2.0","id":"c","method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}})",
      h);
  ASSERT_EQ(call.status, 200) << call.body;
  EXPECT_EQ(body_json(call).at("result").at("content").at(0).at("text").as_string(), "hi");
}

TEST_F(StreamableHttpTest, ProgressMakesAnSseStream) {
  std::string sid = open_session();
  HttpReply r = post(
      R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"count","arguments":{},"_meta":{"progressToken":"p"}}})",
      "Mcp-Session-Id: " + sid + "\r\n");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.header("content-type").find("text/event-stream"), std::string::npos);
  EXPECT_NE(r.body.find("notifications/progress"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"done\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("id: "), std::string::npos) << r.body;  // resumable events carry ids
}

TEST_F(StreamableHttpTest, SessionErrors) {
  // No session id on a non-initialize request of a session revision.
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})").status, 400);
  // Unknown session.
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})",
                 "Mcp-Session-Id: nope\r\n").status,
            404);
  // DELETE ends a session; it is unknown afterwards.
  std::string sid = open_session();
  HttpReply d = http_request(running_->port(), "DELETE", "/mcp", "Mcp-Session-Id: " + sid + "\r\n");
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})",
                 "Mcp-Session-Id: " + sid + "\r\n").status,
            404);
  EXPECT_EQ(http_request(running_->port(), "DELETE", "/mcp", "Mcp-Session-Id: " + sid + "\r\n").status,
            404);
  EXPECT_EQ(http_request(running_->port(), "DELETE", "/mcp").status, 400);
  EXPECT_EQ(http_->stats().sessions, 0u);
}

TEST_F(StreamableHttpTest, BadInput) {
  HttpReply r = post("{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body_json(r).at("error").at("code").as_int64(), -32700);
  r = post(R"({"jsonrpc":"1.0","id":1,"method":"x"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body_json(r).at("error").at("code").as_int64(), -32600);
  EXPECT_EQ(post(kInit, "MCP-Protocol-Version: 1999-01-01\r\n").status, 400);
  std::string sid = open_session();
  HttpReply u = post(R"({"jsonrpc":"2.0","id":3,"method":"no/such"})", "Mcp-Session-Id: " + sid + "\r\n");
  EXPECT_EQ(u.status, 200);  // session revisions carry JSON-RPC errors with 200
  EXPECT_EQ(body_json(u).at("error").at("code").as_int64(), -32601);
  HttpReply a = post(R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"nope"}})",
                     "Mcp-Session-Id: " + sid + "\r\n");
  EXPECT_EQ(a.status, 200);
  EXPECT_TRUE(body_json(a).as_object().contains("error") ||
              body_json(a).at("result").at("isError").as_bool())
      << a.body;
  // The server still serves afterwards.
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":5,"method":"ping"})", "Mcp-Session-Id: " + sid + "\r\n").status,
            200);
}

TEST_F(StreamableHttpTest, OriginValidation) {
  EXPECT_EQ(post(kInit, "Origin: http://evil.example\r\n").status, 403);
  EXPECT_EQ(post(kInit, "Origin: http://localhost:6274\r\n").status, 200);
  EXPECT_EQ(post(kInit, "Origin: https://app.example\r\n").status, 200);
  EXPECT_EQ(post(kInit, "Origin: http://localhost.evil.example\r\n").status, 403);
  EXPECT_TRUE(is_loopback_origin("http://127.0.0.1:8080"));
  EXPECT_TRUE(is_loopback_origin("http://[::1]"));
  EXPECT_FALSE(is_loopback_origin("http://127.0.0.1.evil.example"));
}

TEST_F(StreamableHttpTest, GetStreamCarriesSessionMessages) {
  std::string sid = open_session();
  net::testing::Connection c(running_->port());
  ASSERT_TRUE(c.send_all("GET /mcp HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nMcp-Session-Id: " +
                         sid + "\r\n\r\n"));
  ASSERT_NE(c.read_until("stream open", 3000).find("200"), std::string::npos);
  server_->log(LogLevel::kWarning, json::value("hello stream"));
  EXPECT_NE(c.read_until("hello stream", 3000).find("hello stream"), std::string::npos);
  EXPECT_EQ(http_request(running_->port(), "GET", "/mcp", "Accept: text/event-stream\r\n").status, 400);
}

TEST_F(StreamableHttpTest, StatelessRequestsNeedNoSession) {
  const std::string body =
      R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{)"
      R"("io.modelcontextprotocol/protocolVersion":"2026-07-28",)"
      R"("io.modelcontextprotocol/clientInfo":{"name":"t","version":"1"},)"
      R"("io.modelcontextprotocol/clientCapabilities":{}}}})";
  HttpReply r = post(body, "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/list\r\n");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_json(r).at("result").at("tools").as_array().size(), 2u);
  HttpReply m = post(body, "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\n");
  EXPECT_EQ(m.status, 400) << m.body;
  EXPECT_EQ(body_json(m).at("error").at("code").as_int64(), -32020);
  EXPECT_EQ(http_->stats().sessions, 0u);
}

}  // namespace
}  // namespace woolly::mcp::transport
