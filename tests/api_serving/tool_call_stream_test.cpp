// A model that writes a Hermes tool call into its text (as local models do), streamed through the
// OpenAI surface: the stream carries delta.tool_calls and finish_reason "tool_calls", never the
// markup as content, and agrees with the unstreamed answer.
#include <boost/json.hpp>

#include "api_serving/serving_fixture.h"

namespace woolly::api::testing {
namespace {
namespace json = boost::json;

constexpr const char* kHermes =
    "Checking. <tool_call>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}"
    "</tool_call>";
constexpr const char* kRequest = R"({"model":"fake","stream":%s,
    "messages":[{"role":"user","content":"weather in Paris?"}],
    "tools":[{"type":"function","function":{"name":"get_weather",
      "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]})";

std::string request(bool stream) {
  std::string r = kRequest;
  r.replace(r.find("%s"), 2, stream ? "true" : "false");
  return r;
}

TEST_F(ServingTest, StreamedLocalToolCallBecomesToolCallDeltas) {
  fake_->scripted = kHermes;
  auto r = post("/v1/chat/completions", request(true));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find("<tool_call>"), std::string::npos) << r.body;
  std::string content, name, arguments, id, finish;
  int calls = 0;
  auto events = sse_data(r.body);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back(), "[DONE]");
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    auto c = json::parse(events[i]).as_object();
    auto& choices = c["choices"].as_array();
    if (choices.empty()) continue;
    auto& ch = choices[0].as_object();
    if (ch["finish_reason"].is_string()) finish = ch["finish_reason"].as_string();
    auto& delta = ch["delta"].as_object();
    if (auto* t = delta.if_contains("content"); t && t->is_string()) content += t->as_string();
    if (auto* tc = delta.if_contains("tool_calls")) {
      for (auto& x : tc->as_array()) {
        auto& call = x.as_object();
        EXPECT_EQ(call["index"], 0);
        if (auto* i = call.if_contains("id")) {
          id = i->as_string();
          ++calls;
        }
        auto& fn = call["function"].as_object();
        if (auto* n = fn.if_contains("name")) name += n->as_string();
        if (auto* a = fn.if_contains("arguments")) arguments += a->as_string();
      }
    }
  }
  EXPECT_EQ(content, "Checking. ");
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(id.empty());
  EXPECT_EQ(name, "get_weather");
  EXPECT_EQ(json::parse(arguments), json::parse(R"({"city":"Paris"})"));
  EXPECT_EQ(finish, "tool_calls");

  // The unstreamed answer says the same.
  auto plain = post("/v1/chat/completions", request(false));
  ASSERT_EQ(plain.status, 200) << plain.body;
  auto choice = json::parse(plain.body).at("choices").at(0).as_object();
  EXPECT_EQ(choice["finish_reason"], "tool_calls");
  auto& call = choice["message"].at("tool_calls").at(0).as_object();
  EXPECT_EQ(call["function"].at("name"), "get_weather");
  EXPECT_EQ(json::parse(call["function"].at("arguments").as_string()),
            json::parse(R"({"city":"Paris"})"));
}

TEST_F(ServingTest, StreamedTextWithoutACallStaysText) {
  fake_->scripted = "no call here, just <b>bold</b> text";
  auto r = post("/v1/chat/completions", request(true));
  ASSERT_EQ(r.status, 200) << r.body;
  std::string content, finish;
  auto events = sse_data(r.body);
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    auto c = json::parse(events[i]).as_object();
    if (c["choices"].as_array().empty()) continue;
    auto& ch = c["choices"].as_array()[0].as_object();
    if (ch["finish_reason"].is_string()) finish = ch["finish_reason"].as_string();
    EXPECT_FALSE(ch["delta"].as_object().contains("tool_calls"));
    if (auto* t = ch["delta"].as_object().if_contains("content"); t && t->is_string()) {
      content += t->as_string();
    }
  }
  EXPECT_EQ(content, "no call here, just <b>bold</b> text");
  EXPECT_EQ(finish, "stop");
}

}  // namespace
}  // namespace woolly::api::testing
