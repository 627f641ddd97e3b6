#include "mcp/protocol.h"

#include <gtest/gtest.h>

#include <vector>

namespace woolly::mcp {
namespace {

Message call(std::string method, json::object params) {
  Message m;
  m.kind = MessageKind::kRequest;
  m.id = 1;
  m.method = std::move(method);
  m.params = std::move(params);
  return m;
}

TEST(Protocol, Base64RoundTrip) {
  for (std::string s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    auto d = base64_decode(base64_encode(s));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(*d, s);
  }
  EXPECT_EQ(base64_encode("hello"), "aGVsbG8=");
  EXPECT_FALSE(base64_decode("a$==").ok());
}

TEST(Protocol, LegacyNegotiation) {
  EXPECT_EQ(negotiate_legacy("2025-06-18"), "2025-06-18");
  EXPECT_EQ(negotiate_legacy("2025-03-26"), "2025-03-26");
  EXPECT_EQ(negotiate_legacy("1999-01-01"), "2025-11-25");
  EXPECT_TRUE(revision_allows_batch("2025-03-26"));
  EXPECT_FALSE(revision_allows_batch("2025-06-18"));
  EXPECT_FALSE(revision_allows_batch("2026-07-28"));
}

TEST(Protocol, StandardHeadersFollowTheBody) {
  auto h = expected_headers(call("tools/call", {{"name", "get_weather"}}));
  EXPECT_EQ(h.method, "tools/call");
  EXPECT_EQ(h.name, "get_weather");
  EXPECT_EQ(expected_headers(call("resources/read", {{"uri", "file:///a"}})).name, "file:///a");
  EXPECT_FALSE(expected_headers(call("tools/list", {})).name.has_value());
}

TEST(Protocol, HeaderValidation) {
  Message m = call("tools/call", {{"name", "get_weather"}});
  EXPECT_FALSE(validate_standard_headers(m, "tools/call", "get_weather"));
  auto e = validate_standard_headers(m, "tools/call", "other");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, rpc_code::kHeaderMismatch);
  EXPECT_TRUE(validate_standard_headers(m, std::nullopt, "get_weather"));
  EXPECT_TRUE(validate_standard_headers(m, "tools/list", "get_weather"));
  EXPECT_TRUE(validate_standard_headers(m, "tools/call", std::nullopt));
}

TEST(Protocol, HeaderValuesOutsideAsciiUseTheBase64Sentinel) {
  std::string name = "h\xc3\xa9llo";
  std::string encoded = encode_header_value(name);
  EXPECT_TRUE(encoded.starts_with("=?base64?"));
  Message m = call("prompts/get", {{"name", name}});
  EXPECT_FALSE(validate_standard_headers(m, "prompts/get", encoded));
  EXPECT_EQ(encode_header_value("us-west1"), "us-west1");
  // A plain value that looks like the sentinel is itself encoded, so it round-trips.
  std::string tricky = "=?base64?abc?=";
  EXPECT_EQ(*decode_header_value(encode_header_value(tricky)), tricky);
}

}  // namespace
}  // namespace woolly::mcp

#include <boost/json/parse.hpp>

#include "mcp/param_headers.h"

namespace woolly::mcp {
namespace {

TEST(ParamHeaders, MirroredParametersBecomeHeaders) {
  json::object schema = json::parse(R"({"type":"object","properties":{
      "region":{"type":"string","x-mcp-header":"Region"},
      "opts":{"type":"object","properties":{"shard":{"type":"integer","x-mcp-header":"Shard"}}},
      "query":{"type":"string"}}})").as_object();
  auto h = param_headers(schema, json::parse(R"({"region":"us-west1","opts":{"shard":7},"query":"x"})").as_object());
  ASSERT_TRUE(h.ok()) << h.error().message;
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[0].name, "Mcp-Param-Region");
  EXPECT_EQ((*h)[0].value, "us-west1");
  EXPECT_EQ((*h)[1].name, "Mcp-Param-Shard");
  EXPECT_EQ((*h)[1].value, "7");
  // Absent values give no header; non-ASCII values use the sentinel.
  h = param_headers(schema, json::parse(R"({"region":"z\u00fcrich"})").as_object());
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 1u);
  EXPECT_TRUE((*h)[0].value.starts_with("=?base64?"));
}

TEST(ParamHeaders, InvalidAnnotationsAreRejected) {
  const char* bad[] = {
      R"({"type":"object","properties":{"a":{"type":"number","x-mcp-header":"A"}}})",
      R"({"type":"object","properties":{"a":{"type":"string","x-mcp-header":"bad name"}}})",
      R"({"type":"object","properties":{"a":{"type":"string","x-mcp-header":"A"},
                                        "b":{"type":"string","x-mcp-header":"a"}}})",
      R"({"type":"object","properties":{"a":{"type":"array","items":{"type":"string","x-mcp-header":"A"}}}})",
      R"({"type":"object","anyOf":[{"properties":{"a":{"type":"string","x-mcp-header":"A"}}}]})",
  };
  for (const char* s : bad) {
    EXPECT_FALSE(validate_param_header_annotations(json::parse(s).as_object()).ok()) << s;
  }
}

}  // namespace
}  // namespace woolly::mcp
