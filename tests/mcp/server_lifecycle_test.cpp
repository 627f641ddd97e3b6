// Handshake, version negotiation and the per-revision rules (batches, stateless requests).
#include "server_fixture.h"

namespace woolly::mcp::testing {
namespace {

using LifecycleTest = ServerTest;

TEST_F(LifecycleTest, InitializeNegotiatesEachLegacyRevision) {
  for (std::string v : {"2025-11-25", "2025-06-18", "2025-03-26"}) {
    make_server({});
    json::value r = initialize(v);
    EXPECT_EQ(result(r).at("protocolVersion"), json::value(v));
    EXPECT_TRUE(result(r).at("capabilities").as_object().contains("tools"));
    EXPECT_EQ(result(r).at("serverInfo").at("name"), json::value("woolly"));
    EXPECT_EQ(server_->session_info(session_)->protocol_version, v);
  }
}

TEST_F(LifecycleTest, UnknownVersionGetsTheNewestLegacyOne) {
  json::value r = initialize("2024-01-01");
  EXPECT_EQ(result(r).at("protocolVersion"), json::value("2025-11-25"));
}

TEST_F(LifecycleTest, InitializeWithoutVersionIsInvalidParams) {
  json::value r = request(1, "initialize", {{"capabilities", json::object{}}});
  EXPECT_EQ(code(r), rpc_code::kInvalidParams);
}

TEST_F(LifecycleTest, SecondInitializeIsRejected) {
  initialize();
  EXPECT_EQ(code(request(5, "initialize", {{"protocolVersion", "2025-11-25"}})),
            rpc_code::kInvalidRequest);
}

TEST_F(LifecycleTest, RequestsBeforeInitializationAreRefusedButPingIsAllowed) {
  json::value r = request(1, "tools/list");
  EXPECT_EQ(code(r), rpc_code::kInvalidRequest);
  EXPECT_NE(std::string(r.at("error").at("message").as_string()).find("not initialized"),
            std::string::npos);
  EXPECT_EQ(code(request(2, "ping")), 0);
  initialize();
  EXPECT_EQ(code(request(3, "tools/list")), 0);
}

TEST_F(LifecycleTest, UnknownMethodIsMethodNotFound) {
  initialize();
  EXPECT_EQ(code(request("x", "tools/frobnicate")), rpc_code::kMethodNotFound);
}

TEST_F(LifecycleTest, ParseErrorAndInvalidRequestReachTheClient) {
  server_->handle(session_, "{not json");
  auto r = sink_->wait_for([](const json::value& v) { return v.as_object().contains("error"); });
  ASSERT_TRUE(r);
  EXPECT_EQ(code(*r), rpc_code::kParseError);
  server_->handle(session_, R"({"jsonrpc":"2.0","id":4})");
  r = sink_->response(4);
  ASSERT_TRUE(r);
  EXPECT_EQ(code(*r), rpc_code::kInvalidRequest);
}

TEST_F(LifecycleTest, BatchesOnlyIn20250326) {
  initialize("2025-06-18");
  server_->handle(session_, R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
  auto r = sink_->wait_for([](const json::value&) { return true; });
  ASSERT_TRUE(r && r->is_object());
  EXPECT_EQ(code(*r), rpc_code::kInvalidRequest);

  make_server({});
  initialize("2025-03-26");
  server_->handle(session_, R"([{"jsonrpc":"2.0","id":1,"method":"ping"},
                               {"jsonrpc":"2.0","method":"notifications/whatever"},
                               {"jsonrpc":"2.0","id":2,"method":"nope"},
                               {"jsonrpc":"2.0","id":3}])");
  r = sink_->wait_for([](const json::value& v) { return v.is_array(); });
  ASSERT_TRUE(r);
  ASSERT_EQ(r->as_array().size(), 3u);  // the notification gets no answer
  int seen = 0;
  for (const json::value& e : r->as_array()) {
    if (e.at("id") == json::value(1)) seen += code(e) == 0 ? 1 : 100;
    if (e.at("id") == json::value(2)) seen += code(e) == rpc_code::kMethodNotFound ? 1 : 100;
    if (e.at("id") == json::value(3)) seen += code(e) == rpc_code::kInvalidRequest ? 1 : 100;
  }
  EXPECT_EQ(seen, 3);
}

TEST_F(LifecycleTest, ModernDiscoverNeedsNoHandshake) {
  json::value r = request("d", "server/discover", {{"_meta", modern_meta()}});
  ASSERT_EQ(code(r), 0) << json::serialize(r);
  const json::object& res = result(r);
  EXPECT_EQ(res.at("resultType"), json::value("complete"));
  EXPECT_EQ(res.at("supportedVersions").as_array().front(), json::value("2026-07-28"));
  EXPECT_TRUE(res.at("_meta").as_object().contains("io.modelcontextprotocol/serverInfo"));
  EXPECT_TRUE(res.contains("ttlMs"));
}

TEST_F(LifecycleTest, ModernRequestsCarryTheirOwnVersion) {
  json::value r = request(1, "tools/list", {{"_meta", modern_meta()}});
  ASSERT_EQ(code(r), 0);
  EXPECT_EQ(result(r).at("resultType"), json::value("complete"));
  EXPECT_EQ(result(r).at("cacheScope"), json::value("private"));

  r = request(2, "tools/list", {{"_meta", modern_meta("1900-01-01")}});
  ASSERT_EQ(code(r), rpc_code::kUnsupportedProtocolVersion);
  EXPECT_EQ(r.at("error").at("data").at("requested"), json::value("1900-01-01"));
  EXPECT_FALSE(r.at("error").at("data").at("supported").as_array().empty());

  json::object meta = modern_meta();
  meta.erase("io.modelcontextprotocol/clientCapabilities");
  EXPECT_EQ(code(request(3, "tools/list", {{"_meta", meta}})), rpc_code::kInvalidParams);
}

TEST_F(LifecycleTest, ModernRevisionDropsPingAndSetLevel) {
  EXPECT_EQ(code(request(1, "ping", {{"_meta", modern_meta()}})), rpc_code::kMethodNotFound);
  EXPECT_EQ(code(request(2, "logging/setLevel", {{"_meta", modern_meta()}, {"level", "info"}})),
            rpc_code::kMethodNotFound);
  // initialize from a client that speaks the stateless revision is a removed method, and it
  // opens no session.
  EXPECT_EQ(code(request(3, "initialize", {{"_meta", modern_meta()}, {"protocolVersion", "2026-07-28"}})),
            rpc_code::kMethodNotFound);
  EXPECT_FALSE(server_->session_info(session_)->initialized);
}

TEST_F(LifecycleTest, DiscoverWithoutMetaIsInvalidParams) {
  EXPECT_EQ(code(request(1, "server/discover")), rpc_code::kInvalidParams);
}

TEST_F(LifecycleTest, DuplicateIdOfARunningRequestIsRefused) {
  std::atomic<bool> release{false};
  ASSERT_TRUE(tools_
                  ->add({.name = "slow",
                         .handler =
                             [&](std::shared_ptr<ToolContext> ctx) {
                               std::thread([ctx, &release] {
                                 while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
                                 ctx->complete(ToolResult::text("done"));
                               }).detach();
                             }})
                  .ok());
  initialize();
  send(make_request(9, "tools/call", {{"name", "slow"}}));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  send(make_request(9, "tools/call", {{"name", "slow"}}));
  auto r = sink_->response(9);
  ASSERT_TRUE(r);
  EXPECT_EQ(code(*r), rpc_code::kInvalidRequest);
  release = true;
  r = sink_->response(9);
  ASSERT_TRUE(r);
  EXPECT_EQ(code(*r), 0);
}

}  // namespace
}  // namespace woolly::mcp::testing
