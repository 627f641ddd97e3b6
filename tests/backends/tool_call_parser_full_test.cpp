// Tool calls as real models write them, in each family's format, including broken ones.
#include "backends/tool_call_parser.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace woolly::backends {
namespace {

TEST(ToolCallParser, HermesQwenSingleAndParallel) {
  auto a = parse_tool_calls(
      "Let me check.\n<tool_call>\n{\"name\": \"files__read_file\", \"arguments\": {\"path\": "
      "\"/tmp/a.txt\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"weather\", \"arguments\": "
      "{\"city\": \"Paris\"}}\n</tool_call>");
  ASSERT_EQ(a.calls.size(), 2u);
  EXPECT_EQ(a.content, "Let me check.");
  EXPECT_EQ(a.calls[0].call.name, "files__read_file");
  EXPECT_EQ(a.calls[0].call.arguments, R"({"path":"/tmp/a.txt"})");
  EXPECT_EQ(a.calls[1].call.name, "weather");
  EXPECT_NE(a.calls[0].call.id, a.calls[1].call.id);
  EXPECT_TRUE(a.calls[0].error.empty());
}

TEST(ToolCallParser, HermesWithoutCloseTagAndStringArguments) {
  auto a = parse_tool_calls(
      "<tool_call>{\"name\": \"f\", \"arguments\": \"{\\\"x\\\": 1}\"}", ToolCallFormat::kHermes);
  ASSERT_EQ(a.calls.size(), 1u);
  EXPECT_TRUE(a.calls[0].error.empty()) << a.calls[0].error;
  EXPECT_EQ(a.calls[0].call.arguments, R"({"x":1})");
}

TEST(ToolCallParser, HermesMalformed) {
  auto a = parse_tool_calls("<tool_call>{\"name\": \"f\", \"arguments\": {\"x\": </tool_call>");
  ASSERT_EQ(a.calls.size(), 1u);
  EXPECT_FALSE(a.calls[0].error.empty());
  auto b = parse_tool_calls("<tool_call>{\"arguments\": {}}</tool_call>");
  ASSERT_EQ(b.calls.size(), 1u);
  EXPECT_NE(b.calls[0].error.find("name"), std::string::npos);
  auto c = parse_tool_calls("<tool_call>{\"name\": \"f\", \"arguments\": [1,2]}</tool_call>");
  ASSERT_EQ(c.calls.size(), 1u);
  EXPECT_NE(c.calls[0].error.find("not a JSON object"), std::string::npos);
}

TEST(ToolCallParser, Llama3BareJsonOnlyForKnownTools) {
  std::vector<std::string> known{"get_weather"};
  auto a = parse_tool_calls(R"({"name": "get_weather", "parameters": {"city": "Oslo"}})",
                            ToolCallFormat::kLlama3, known);
  ASSERT_EQ(a.calls.size(), 1u);
  EXPECT_EQ(a.calls[0].call.name, "get_weather");
  EXPECT_EQ(a.calls[0].call.arguments, R"({"city":"Oslo"})");
  EXPECT_TRUE(a.content.empty());
  // JSON that is data, not a call, stays the answer.
  auto b = parse_tool_calls(R"({"name": "Alice", "parameters": {"age": 3}})",
                            ToolCallFormat::kLlama3, known);
  EXPECT_TRUE(b.calls.empty());
  EXPECT_EQ(b.content, R"({"name": "Alice", "parameters": {"age": 3}})");
  auto c = parse_tool_calls("The answer is 42.", ToolCallFormat::kAuto, known);
  EXPECT_TRUE(c.calls.empty());
  EXPECT_EQ(c.content, "The answer is 42.");
}

TEST(ToolCallParser, Llama3ParallelAndPythonTag) {
  auto a = parse_tool_calls(
      R"({"name": "a", "parameters": {}}; {"name": "b", "parameters": {"k": true}}<|eot_id|>)");
  ASSERT_EQ(a.calls.size(), 2u);
  EXPECT_EQ(a.calls[1].call.arguments, R"({"k":true})");
  auto b = parse_tool_calls("<|python_tag|>{\"name\": \"search\", \"parameters\": {\"q\": \"x\"}}<|eom_id|>");
  ASSERT_EQ(b.calls.size(), 1u);
  EXPECT_EQ(b.calls[0].call.name, "search");
  auto c = parse_tool_calls("<|python_tag|>brave_search.call(query=\"woolly sheep\", n=3)");
  ASSERT_EQ(c.calls.size(), 1u);
  EXPECT_EQ(c.calls[0].call.name, "brave_search");
  EXPECT_EQ(c.calls[0].call.arguments, R"({"query":"woolly sheep","n":3})");
  auto d = parse_tool_calls("<|python_tag|>{\"name\": \"search\", \"parameters\": {\"q\": ");
  ASSERT_EQ(d.calls.size(), 1u);
  EXPECT_FALSE(d.calls[0].error.empty());
}

TEST(ToolCallParser, MistralArrayAndArgsForms) {
  auto a = parse_tool_calls(
      R"([TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Rome"}, "id": "abcdefghi"}, {"name": "t", "arguments": {}}])");
  ASSERT_EQ(a.calls.size(), 2u);
  EXPECT_EQ(a.calls[0].call.arguments, R"({"city":"Rome"})");
  EXPECT_EQ(a.calls[1].call.name, "t");
  auto b = parse_tool_calls(R"(Sure.[TOOL_CALLS]get_weather[ARGS]{"city": "Rome"}[TOOL_CALLS]t[ARGS]{})");
  ASSERT_EQ(b.calls.size(), 2u);
  EXPECT_EQ(b.content, "Sure.");
  EXPECT_EQ(b.calls[0].call.name, "get_weather");
  EXPECT_EQ(b.calls[1].call.arguments, "{}");
  auto c = parse_tool_calls(R"([TOOL_CALLS][{"name": "get_weather", "arguments": {"city": )");
  ASSERT_EQ(c.calls.size(), 1u);
  EXPECT_FALSE(c.calls[0].error.empty());
}

std::string read_template(const std::string& name) {
  std::ifstream f(std::string(WOOLLY_SHARED_DIR) + "/templates/" + name);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST(ToolCallParser, DetectsFormatFromRealTemplates) {
  EXPECT_EQ(detect_tool_call_format(read_template("Qwen-Qwen2.5-7B-Instruct.jinja")), ToolCallFormat::kHermes);
  EXPECT_EQ(detect_tool_call_format(read_template("NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja")),
            ToolCallFormat::kHermes);
  EXPECT_EQ(detect_tool_call_format(read_template("meta-llama-Llama-3.1-8B-Instruct.jinja")),
            ToolCallFormat::kLlama3);
  EXPECT_EQ(detect_tool_call_format(read_template("mistralai-Mistral-Nemo-Instruct-2407.jinja")),
            ToolCallFormat::kMistral);
}

}  // namespace
}  // namespace woolly::backends
