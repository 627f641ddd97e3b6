// Streaming a local model's answer with tools offered: call markup never reaches the client as
// text, the calls come out as tool-call deltas at the end, and text that only looked like the
// start of a call is sent unchanged.
#include "backends/detail/tool_call_stream.h"

#include <gtest/gtest.h>

namespace woolly::backends::detail {
namespace {

struct Recorded {
  std::string text;
  std::vector<StreamEvent> calls;
};

// Feeds `pieces` as the engine would and records what the client would get.
Recorded stream(const std::vector<std::string>& pieces) {
  Recorded r;
  ToolCallStream s([&r](const StreamEvent& ev) {
    if (ev.kind == StreamEvent::Kind::kText) r.text += ev.text;
    else r.calls.push_back(ev);
  });
  for (const auto& p : pieces) {
    StreamEvent ev;
    ev.text = p;
    s.on_piece(ev);
  }
  s.finish();
  return r;
}

TEST(ToolCallStream, HermesCallSplitAcrossPiecesBecomesADelta) {
  auto r = stream({"Let me check. ", "<tool", "_call>{\"name\": \"get_", "weather\", \"arguments\": ",
                   "{\"city\": \"Paris\"}}</tool_", "call>"});
  EXPECT_EQ(r.text, "Let me check. ");
  ASSERT_EQ(r.calls.size(), 1u);
  EXPECT_EQ(r.calls[0].tool_index, 0);
  EXPECT_EQ(r.calls[0].tool_id, "call_0");
  EXPECT_EQ(r.calls[0].tool_name, "get_weather");
  EXPECT_EQ(r.calls[0].arguments_delta, R"({"city":"Paris"})");
}

TEST(ToolCallStream, SeveralCallsKeepTheirOrder) {
  auto r = stream({"<tool_call>{\"name\":\"a\",\"arguments\":{}}</tool_call>\n",
                   "<tool_call>{\"name\":\"b\",\"arguments\":{\"x\":1}}</tool_call>"});
  EXPECT_EQ(r.text, "");
  ASSERT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(r.calls[0].tool_name, "a");
  EXPECT_EQ(r.calls[1].tool_index, 1);
  EXPECT_EQ(r.calls[1].tool_id, "call_1");
  EXPECT_EQ(r.calls[1].arguments_delta, R"({"x":1})");
}

TEST(ToolCallStream, LlamaAndMistralForms) {
  auto llama = stream({"{\"name\": \"f\", ", "\"parameters\": {\"q\": \"w\"}}"});
  EXPECT_EQ(llama.text, "");
  ASSERT_EQ(llama.calls.size(), 1u);
  EXPECT_EQ(llama.calls[0].tool_name, "f");
  EXPECT_EQ(llama.calls[0].arguments_delta, R"({"q":"w"})");
  auto tagged = stream({"<|python", "_tag|>{\"name\": \"g\", \"parameters\": {}}"});
  ASSERT_EQ(tagged.calls.size(), 1u);
  EXPECT_EQ(tagged.calls[0].tool_name, "g");
  auto mistral = stream({"[TOOL_", "CALLS] [{\"name\": \"h\", \"arguments\": {}}]"});
  EXPECT_EQ(mistral.text, "");
  ASSERT_EQ(mistral.calls.size(), 1u);
  EXPECT_EQ(mistral.calls[0].tool_name, "h");
}

TEST(ToolCallStream, TextThatOnlyLookedLikeACallIsSentUnchanged) {
  const std::vector<std::string> pieces = {"a < b ", "<tool", "box> and [TOOL", "S]", " <"};
  auto r = stream(pieces);
  EXPECT_EQ(r.text, "a < b <toolbox> and [TOOLS] <");
  EXPECT_TRUE(r.calls.empty());
  auto data = stream({"{\"answer\": ", "4}"});  // JSON, but no call
  EXPECT_EQ(data.text, "{\"answer\": 4}");
  EXPECT_TRUE(data.calls.empty());
  auto broken = stream({"ok ", "<tool_call>{not json</tool_call>"});
  EXPECT_EQ(broken.text, "ok <tool_call>{not json</tool_call>");
  EXPECT_TRUE(broken.calls.empty());
}

TEST(ToolCallStream, TextBeforeAMarkerIsNotHeldBack) {
  std::string seen;
  ToolCallStream s([&seen](const StreamEvent& ev) { seen += ev.text; });
  StreamEvent ev;
  ev.text = "The weather ";
  s.on_piece(ev);
  EXPECT_EQ(seen, "The weather ");  // sent at once, before the generation ends
  ev.text = "is <tool_";
  s.on_piece(ev);
  EXPECT_EQ(seen, "The weather is ");
}

}  // namespace
}  // namespace woolly::backends::detail
