// What the local backend reports for an answer with calls written into its text.
#include "backends/tool_call_parser.h"

#include <gtest/gtest.h>

namespace woolly::backends {
namespace {

TEST(AnswerToolCalls, HermesBlocksWithSurroundingText) {
  auto r = answer_tool_calls(
      "Let me look.\n<tool_call>\n{\"name\": \"weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>\n"
      "<tool_call>{\"name\":\"time\",\"arguments\":{}}</tool_call>");
  ASSERT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(r.calls[0].id, "call_0");
  EXPECT_EQ(r.calls[0].name, "weather");
  EXPECT_EQ(r.calls[0].arguments, R"({"city":"Oslo"})");
  EXPECT_EQ(r.calls[1].name, "time");
  EXPECT_EQ(r.content, "Let me look.");
}

TEST(AnswerToolCalls, MistralAndLlamaFormats) {
  auto m = answer_tool_calls("[TOOL_CALLS] [{\"name\": \"add\", \"arguments\": {\"a\": 1}}]");
  ASSERT_EQ(m.calls.size(), 1u);
  EXPECT_EQ(m.calls[0].name, "add");
  EXPECT_EQ(m.calls[0].arguments, R"({"a":1})");
  auto l = answer_tool_calls("<|python_tag|>{\"name\": \"search\", \"parameters\": {\"q\": \"x\"}}");
  ASSERT_EQ(l.calls.size(), 1u);
  EXPECT_EQ(l.calls[0].name, "search");
  EXPECT_EQ(l.calls[0].arguments, R"({"q":"x"})");
  EXPECT_TRUE(l.content.empty());
}

TEST(AnswerToolCalls, PlainTextAndBrokenCallsStayContent) {
  auto p = answer_tool_calls("Just an answer {with braces}.");
  EXPECT_TRUE(p.calls.empty());
  EXPECT_EQ(p.content, "Just an answer {with braces}.");
  auto j = answer_tool_calls("{\"answer\": 42}");  // JSON, but not a call
  EXPECT_TRUE(j.calls.empty());
  EXPECT_EQ(j.content, "{\"answer\": 42}");
  auto b = answer_tool_calls("<tool_call>{not json</tool_call> tail");
  EXPECT_TRUE(b.calls.empty());
  EXPECT_EQ(b.content, "<tool_call>{not json</tool_call> tail");
}

TEST(AnswerToolCalls, UnreadableCallsStayTextBesideReadableOnes) {
  auto r = answer_tool_calls(
      "<tool_call>{\"name\":\"a\",\"arguments\":{}}</tool_call>\n<tool_call>{broken</tool_call>");
  ASSERT_EQ(r.calls.size(), 1u);
  EXPECT_EQ(r.calls[0].id, "call_0");
  EXPECT_EQ(r.calls[0].name, "a");
  EXPECT_NE(r.content.find("{broken"), std::string::npos) << r.content;
}

TEST(AnswerToolCalls, BareJsonIsACallOnlyForAnOfferedTool) {
  const std::string call = R"({"name": "get_weather", "parameters": {"city": "Oslo"}})";
  auto offered = answer_tool_calls(call, {"get_weather"});
  ASSERT_EQ(offered.calls.size(), 1u);
  EXPECT_EQ(offered.calls[0].arguments, R"({"city":"Oslo"})");
  const std::string data = R"({"name": "Alice", "parameters": {"age": 3}})";
  auto answer = answer_tool_calls(data, {"get_weather"});
  EXPECT_TRUE(answer.calls.empty());
  EXPECT_EQ(answer.content, data);
  // Mistral Small's [ARGS] form, which only the complete parser reads.
  auto args = answer_tool_calls(R"([TOOL_CALLS]get_weather[ARGS]{"city": "Oslo"})");
  ASSERT_EQ(args.calls.size(), 1u);
  EXPECT_EQ(args.calls[0].name, "get_weather");
}

}  // namespace
}  // namespace woolly::backends
