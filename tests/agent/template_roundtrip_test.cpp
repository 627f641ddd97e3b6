// Host tools rendered through real chat templates (the model's own tool format), then a realistic
// answer in that family's format parsed back, and the call and its result rendered for round two.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "backends/tool_call_parser.h"
#include "engine/template/chat_template.h"

namespace woolly::agent {
namespace {

using backends::detect_tool_call_format;
using backends::parse_tool_calls;
using backends::ToolCallFormat;

std::string read_template(const std::string& name) {
  std::ifstream f(std::string(WOOLLY_SHARED_DIR) + "/templates/" + name);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

constexpr const char* kTools = R"([{"type":"function","function":{"name":"files__read_file",
  "description":"Read a file","parameters":{"type":"object","properties":{"path":{"type":"string"}},
  "required":["path"]}}}])";

struct Case {
  const char* file;
  ToolCallFormat format;
  const char* answer;  // what such a model writes to call the tool
};

TEST(TemplateRoundTrip, ToolsRenderAndCallsParseForEachFamily) {
  const Case cases[] = {
      {"NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja", ToolCallFormat::kHermes,
       "<tool_call>\n{\"arguments\": {\"path\": \"/tmp/x/a.txt\"}, \"name\": \"files__read_file\"}\n</tool_call>"},
      {"Qwen-Qwen2.5-7B-Instruct.jinja", ToolCallFormat::kHermes,
       "<tool_call>\n{\"name\": \"files__read_file\", \"arguments\": {\"path\": \"/tmp/x/a.txt\"}}\n</tool_call>"},
      {"meta-llama-Llama-3.1-8B-Instruct.jinja", ToolCallFormat::kLlama3,
       "{\"name\": \"files__read_file\", \"parameters\": {\"path\": \"/tmp/x/a.txt\"}}"},
      {"mistralai-Mistral-Nemo-Instruct-2407.jinja", ToolCallFormat::kMistral,
       "[TOOL_CALLS][{\"name\": \"files__read_file\", \"arguments\": {\"path\": \"/tmp/x/a.txt\"}, \"id\": \"abcdefghi\"}]"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    std::string source = read_template(c.file);
    ASSERT_FALSE(source.empty());
    EXPECT_EQ(detect_tool_call_format(source), c.format);
    auto tmpl = engine::ChatTemplate::parse(source);
    ASSERT_TRUE(tmpl.ok()) << tmpl.error().message;
    engine::ChatInput in;
    ASSERT_TRUE(in.set_tools_json(kTools).ok());
    in.bos_token = "<s>";
    in.eos_token = "</s>";
    in.messages.push_back({.role = "user", .content = std::string("Read /tmp/x/a.txt")});
    auto first = tmpl->render(in);
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_NE(first->find("files__read_file"), std::string::npos);

    auto parsed = parse_tool_calls(c.answer, c.format, {"files__read_file"});
    ASSERT_EQ(parsed.calls.size(), 1u);
    ASSERT_TRUE(parsed.calls[0].error.empty()) << parsed.calls[0].error;
    EXPECT_EQ(parsed.calls[0].call.arguments, R"({"path":"/tmp/x/a.txt"})");

    engine::ChatMessage call{.role = "assistant", .content = std::nullopt};
    call.tool_calls.push_back({"abcdefghi", parsed.calls[0].call.name, parsed.calls[0].call.arguments});
    in.messages.push_back(call);
    engine::ChatMessage result{.role = "tool", .content = std::string("hello from the file")};
    result.tool_call_id = "abcdefghi";
    result.name = "files__read_file";
    in.messages.push_back(result);
    auto second = tmpl->render(in);
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_NE(second->find("hello from the file"), std::string::npos);
    EXPECT_NE(second->find("/tmp/x/a.txt"), std::string::npos);
  }
}

}  // namespace
}  // namespace woolly::agent
