// A real woolly-server (demo model, temp data dir, a config key, rate limits lifted) for tests of
// the mounted MCP surface, with small helpers for /mcp (Streamable HTTP) and /api/v1/mcp/ws.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "child_process.h"
#include "net/test_client.h"

namespace woolly::app::testing {

namespace json = boost::json;

inline const std::string kMcpKey = "mcp-child-test-key";
constexpr uint8_t kWsText = 0x1, kWsBinary = 0x2, kWsClose = 0x8;

class McpChild : public ::testing::Test {
 protected:
  // Starts the server; `extra` are more `--set` pairs ("mcp.max_message_size=4096", ...).
  void start(const std::vector<std::string>& extra = {}) {
    const std::string server = std::string(WOOLLY_BINARY_DIR) + "/woolly-server";
    if (!std::filesystem::exists(server)) GTEST_SKIP() << "needs the woolly-server build";
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("woolly-mcp-" + std::string(test->name()) + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::vector<std::string> args{"serve", "--bind", "127.0.0.1:0"};
    for (std::string s : {"server.data_dir=" + (dir_ / "data").string(), "auth.api_keys=" + kMcpKey,
                          std::string("rate_limit.authenticated_rpm=100000"),
                          std::string("rate_limit.burst_capacity=100000")}) {
      args.insert(args.end(), {"--set", s});
    }
    for (const std::string& s : extra) args.insert(args.end(), {"--set", s});
    child_ = std::make_unique<ChildProcess>(server, args, (dir_ / "out.log").string());
    port_ = listening_port(*child_, 30000);
    ASSERT_NE(port_, 0) << child_->log();
    ASSERT_TRUE(wait_healthy(port_, 30000)) << child_->log();
  }
  void TearDown() override {
    child_.reset();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  // POST /mcp with the key; `extra_headers` end in "\r\n".
  net::testing::HttpReply post(const std::string& body, const std::string& session = {},
                               const std::string& extra_headers = {},
                               const std::string& version = "2025-11-25") {
    std::string h = "Content-Type: application/json\r\nAccept: application/json, "
                    "text/event-stream\r\nX-API-Key: " + kMcpKey + "\r\n";
    if (!version.empty()) h += "MCP-Protocol-Version: " + version + "\r\n";
    if (!session.empty()) h += "Mcp-Session-Id: " + session + "\r\n";
    return net::testing::http_request(port_, "POST", "/mcp", h + extra_headers, body);
  }
  // The JSON-RPC message of a reply: a plain JSON body or the last `data:` of an SSE stream.
  static json::value message_of(const net::testing::HttpReply& r) {
    std::string text = r.body;
    if (r.header("content-type").starts_with("text/event-stream")) {
      auto pos = text.rfind("data: ");
      if (pos == std::string::npos) return nullptr;
      text = text.substr(pos + 6);
      text = text.substr(0, text.find('\n'));
    }
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    return ec ? json::value(nullptr) : v;
  }
  static std::string init_body(const std::string& version = "2025-11-25") {
    return R"({"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":")" +
           version + R"(","capabilities":{},"clientInfo":{"name":"test","version":"1"}}})";
  }
  // initialize + notifications/initialized over HTTP; the session id ("" on failure).
  std::string open_http_session(const std::string& version = "2025-11-25") {
    auto r = post(init_body(version), {}, {}, version);
    EXPECT_EQ(r.status, 200) << r.body;
    std::string sid = r.header("mcp-session-id");
    post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", sid, {}, version);
    return sid;
  }

  // An upgraded /api/v1/mcp/ws connection carrying the key.
  std::unique_ptr<net::testing::Connection> ws_connect() {
    auto c = std::make_unique<net::testing::Connection>(port_, 10000);
    auto hs = c->ws_handshake("/api/v1/mcp/ws",
                              "Sec-WebSocket-Protocol: mcp\r\nX-API-Key: " + kMcpKey + "\r\n");
    EXPECT_EQ(hs.status, 101) << hs.body;
    return c;
  }
  // Sends `frame` and returns the first message with `id` (notifications before it are kept in
  // `seen` when given); null when the connection closes first.
  static json::value ws_rpc(net::testing::Connection& c, const std::string& frame,
                            const json::value& id, std::vector<json::value>* seen = nullptr) {
    EXPECT_TRUE(c.ws_send(kWsText, frame));
    return ws_wait(c, id, seen);
  }
  static json::value ws_wait(net::testing::Connection& c, const json::value& id,
                             std::vector<json::value>* seen = nullptr) {
    for (int i = 0; i < 1000; ++i) {
      json::value v = ws_next(c);
      if (v.is_null()) return nullptr;
      const json::value* got = v.as_object().if_contains("id");
      if (got && *got == id && !v.as_object().contains("method")) return v;
      if (seen) seen->push_back(std::move(v));
    }
    return nullptr;
  }
  // The next message (an object); null when the connection closes, a non-text frame arrives or
  // nothing comes within the read timeout.
  static json::value ws_next(net::testing::Connection& c) {
    auto f = c.ws_read();
    if (!f.ok || f.opcode != kWsText) return nullptr;
    boost::system::error_code ec;
    json::value v = json::parse(f.payload, ec);
    // A large message arrives fragmented: continuation frames (opcode 0) until it parses (the raw
    // test client does not expose the FIN bit).
    while (ec) {
      auto more = c.ws_read();
      if (!more.ok || more.opcode != 0) return nullptr;
      f.payload += more.payload;
      ec = {};
      v = json::parse(f.payload, ec);
    }
    return v.is_object() ? v : json::value(nullptr);
  }
  // initialize + notifications/initialized on a WebSocket connection.
  static void ws_initialize(net::testing::Connection& c, const std::string& version = "2025-11-25") {
    json::value r = ws_rpc(c, init_body(version), "init");
    ASSERT_TRUE(r.is_object() && r.as_object().contains("result")) << json::serialize(r);
    ASSERT_TRUE(c.ws_send(kWsText, R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
  }
  static int64_t error_code(const json::value& v) {
    if (!v.is_object() || !v.as_object().contains("error")) return 0;
    return v.at("error").at("code").as_int64();
  }

  std::filesystem::path dir_;
  uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> child_;
};

}  // namespace woolly::app::testing
