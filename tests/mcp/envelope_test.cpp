#include "mcp/envelope.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "mcp/server.h"
#include "sink_recorder.h"

namespace woolly::mcp {
namespace {

TEST(Envelope, RequestRoundTripThroughTheServer) {
  auto tools = std::make_shared<ToolRegistry>();
  ASSERT_TRUE(tools->add({.name = "hello", .handler = sync_tool([](ToolContext&) -> Result<ToolResult> {
                            return ToolResult::text("hi");
                          })})
                  .ok());
  Server server({}, tools, nullptr, nullptr);
  auto recorder = std::make_shared<testing::SinkRecorder>();
  SessionId session = server.open_session(std::make_shared<EnvelopeSink>(recorder));

  auto init = envelope_to_jsonrpc(
      R"({"type":"request","id":1,"method":"initialize","protocol_version":"0.1.0",
          "params":{"protocolVersion":"2025-11-25","capabilities":{}}})");
  ASSERT_TRUE(init.ok());
  server.handle(session, *init);
  auto r = recorder->wait_for([](const json::value& v) { return v.at("id") == json::value(1); });
  ASSERT_TRUE(r);
  EXPECT_EQ(r->at("type"), json::value("response"));
  EXPECT_EQ(r->at("protocol_version"), json::value("0.1.0"));
  EXPECT_EQ(r->at("result").at("protocolVersion"), json::value("2025-11-25"));

  auto call = envelope_to_jsonrpc(
      R"({"type":"request","id":"c","method":"tools/call","params":{"name":"hello"}})");
  ASSERT_TRUE(call.ok());
  server.handle(session, *call);
  r = recorder->wait_for([](const json::value& v) { return v.at("id") == json::value("c"); });
  ASSERT_TRUE(r);
  EXPECT_EQ(r->at("result").at("content").at(0).at("text"), json::value("hi"));

  auto bad = envelope_to_jsonrpc(R"({"type":"request","id":"x","method":"nope"})");
  ASSERT_TRUE(bad.ok());
  server.handle(session, *bad);
  r = recorder->wait_for([](const json::value& v) { return v.at("id") == json::value("x"); });
  ASSERT_TRUE(r);
  EXPECT_EQ(r->at("type"), json::value("error"));
  EXPECT_EQ(r->at("error").at("code"), json::value(rpc_code::kMethodNotFound));
}

TEST(Envelope, MalformedEnvelopesAreRefused) {
  EXPECT_FALSE(envelope_to_jsonrpc("[]").ok());
  EXPECT_FALSE(envelope_to_jsonrpc(R"({"type":"request","method":"x"})").ok());  // no id
  EXPECT_FALSE(envelope_to_jsonrpc(R"({"type":"shout","id":1})").ok());
  EXPECT_FALSE(envelope_to_jsonrpc(
                   R"({"type":"request","id":1,"method":"x","protocol_version":"9.9.9"})")
                   .ok());
  json::object e = envelope_error(nullptr, {rpc_code::kInvalidRequest, "bad envelope", nullptr});
  EXPECT_EQ(e.at("type"), json::value("error"));
}

TEST(Envelope, NotificationsKeepTheirMethod) {
  auto out = jsonrpc_to_envelopes(json::parse(
      R"({"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}})"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].at("type"), json::value("notification"));
  EXPECT_EQ(out[0].at("params").at("progress"), json::value(1));
}

}  // namespace
}  // namespace woolly::mcp
