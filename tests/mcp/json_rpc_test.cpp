#include "mcp/json_rpc.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace woolly::mcp {
namespace {

int error_code(const json::value& response) {
  return static_cast<int>(response.at("error").at("code").as_int64());
}

TEST(JsonRpc, ParsesRequestNotificationAndResponses) {
  auto p = parse_payload(R"({"jsonrpc":"2.0","id":"a-1","method":"tools/list","params":{}})");
  ASSERT_FALSE(p.parse_error);
  ASSERT_TRUE(p.items[0].valid);
  EXPECT_TRUE(p.items[0].message.is_request());
  EXPECT_EQ(p.items[0].message.id, json::value("a-1"));

  p = parse_payload(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  ASSERT_TRUE(p.items[0].valid);
  EXPECT_TRUE(p.items[0].message.is_notification());

  p = parse_payload(R"({"jsonrpc":"2.0","id":7,"result":{"x":1}})");
  ASSERT_TRUE(p.items[0].valid);
  EXPECT_EQ(p.items[0].message.kind, MessageKind::kResult);

  p = parse_payload(R"({"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"nope"}})");
  ASSERT_TRUE(p.items[0].valid);
  EXPECT_EQ(p.items[0].message.error.code, -32601);
}

TEST(JsonRpc, ParseErrorHasNullId) {
  auto p = parse_payload(R"({"jsonrpc":"2.0","id":1,"method":)");
  ASSERT_TRUE(p.parse_error);
  EXPECT_EQ(error_code(p.error_response), rpc_code::kParseError);
  EXPECT_TRUE(p.error_response.at("id").is_null());
}

TEST(JsonRpc, InvalidRequestsKeepTheirIdWhenReadable) {
  struct Case {
    const char* text;
    bool id_readable;
  };
  const Case cases[] = {
      {R"({"id":1,"method":"ping"})", true},                        // no jsonrpc
      {R"({"jsonrpc":"1.0","id":1,"method":"ping"})", true},        // wrong version
      {R"({"jsonrpc":"2.0","id":1,"method":5})", true},             // method not a string
      {R"({"jsonrpc":"2.0","id":1,"method":"x","params":[1]})", true},  // positional params
      {R"({"jsonrpc":"2.0","id":null,"method":"ping"})", false},    // null id
      {R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})", false},     // fractional id
      {R"({"jsonrpc":"2.0","id":{},"method":"ping"})", false},      // object id
      {R"({"jsonrpc":"2.0","id":1})", true},                        // nothing to do
      {R"(42)", false},                                             // not an object
  };
  for (const Case& c : cases) {
    auto p = parse_payload(c.text);
    ASSERT_FALSE(p.parse_error) << c.text;
    ASSERT_FALSE(p.items[0].valid) << c.text;
    EXPECT_EQ(error_code(p.items[0].error_response), rpc_code::kInvalidRequest) << c.text;
    EXPECT_EQ(!p.items[0].error_response.at("id").is_null(), c.id_readable) << c.text;
  }
}

TEST(JsonRpc, EmptyBatchIsInvalidRequest) {
  auto p = parse_payload("[]");
  ASSERT_TRUE(p.batch);
  EXPECT_TRUE(p.items.empty());
  EXPECT_EQ(error_code(p.error_response), rpc_code::kInvalidRequest);
}

TEST(JsonRpc, BatchElementsAreJudgedOneByOne) {
  auto p = parse_payload(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}, 5])");
  ASSERT_TRUE(p.batch);
  ASSERT_EQ(p.items.size(), 2u);
  EXPECT_TRUE(p.items[0].valid);
  EXPECT_FALSE(p.items[1].valid);
}

TEST(JsonRpc, IdsAreEchoedExactly) {
  for (const char* id : {"0", "-3", "9007199254740993", "\"\"", "\"42\""}) {
    auto p = parse_payload(std::string(R"({"jsonrpc":"2.0","method":"ping","id":)") + id + "}");
    ASSERT_TRUE(p.items[0].valid) << id;
    json::object r = make_result(p.items[0].message.id, json::object{});
    EXPECT_EQ(r.at("id"), json::parse(id)) << id;
  }
}

TEST(JsonRpc, InternalErrorsNeverLeakTheirMessage) {
  RpcError e = to_rpc_error(Error(Errc::kIo, "open /secret/path failed"));
  EXPECT_EQ(e.code, rpc_code::kInternalError);
  EXPECT_EQ(e.message.find("/secret"), std::string::npos);
  EXPECT_EQ(to_rpc_error(Error(Errc::kInvalidArgument, "bad x")).code, rpc_code::kInvalidParams);
}

}  // namespace
}  // namespace woolly::mcp
