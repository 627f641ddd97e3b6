#include "backends/detail/tool_call_parser.h"

#include <gtest/gtest.h>

namespace woolly::backends::detail {
namespace {

TEST(ToolCallParser, HermesBlocksWithSurroundingText) {
  auto r = parse_tool_calls(
      "Let me look.\n<tool_call>\n{\"name\": \"weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>\n"
      "<tool_call>{\"name\":\"time\",\"arguments\":{}}</tool_call>");
  ASSERT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(r.calls[0].id, "call_0");
  EXPECT_EQ(r.calls[0].name, "weather");
  EXPECT_EQ(r.calls[0].arguments, R"({"city":"Oslo"})");
  EXPECT_EQ(r.calls[1].name, "time");
  EXPECT_EQ(r.content, "Let me look.");
}

TEST(ToolCallParser, MistralAndLlamaFormats) {
  auto m = parse_tool_calls("[TOOL_CALLS] [{\"name\": \"add\", \"arguments\": {\"a\": 1}}]");
  ASSERT_EQ(m.calls.size(), 1u);
  EXPECT_EQ(m.calls[0].name, "add");
  EXPECT_EQ(m.calls[0].arguments, R"({"a":1})");
  auto l = parse_tool_calls("<|python_tag|>{\"name\": \"search\", \"parameters\": {\"q\": \"x\"}}");
  ASSERT_EQ(l.calls.size(), 1u);
  EXPECT_EQ(l.calls[0].name, "search");
  EXPECT_EQ(l.calls[0].arguments, R"({"q":"x"})");
  EXPECT_TRUE(l.content.empty());
}

TEST(ToolCallParser, PlainTextAndBrokenCallsStayContent) {
  auto p = parse_tool_calls("Just an answer {with braces}.");
  EXPECT_TRUE(p.calls.empty());
  EXPECT_EQ(p.content, "Just an answer {with braces}.");
  auto j = parse_tool_calls("{\"answer\": 42}");  // JSON, but not a call
  EXPECT_TRUE(j.calls.empty());
  EXPECT_EQ(j.content, "{\"answer\": 42}");
  auto b = parse_tool_calls("<tool_call>{not json</tool_call> tail");
  EXPECT_TRUE(b.calls.empty());
  EXPECT_EQ(b.content, "<tool_call>{not json</tool_call> tail");
}

}  // namespace
}  // namespace woolly::backends::detail
