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
