// The OpenAI-compatible routes over real HTTP on loopback, with a fake backend.
#include <boost/json.hpp>

#include "api_serving/serving_fixture.h"

namespace woolly::api::testing {
namespace {
namespace json = boost::json;

TEST_F(ServingTest, ChatCompletionAnswersInOpenAIShape) {
  auto r = post("/v1/chat/completions",
                R"({"model":"fake","messages":[{"role":"user","content":"hello there"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = json::parse(r.body).as_object();
  EXPECT_EQ(v["object"], "chat.completion");
  EXPECT_EQ(v["model"], "fake");
  auto& choice = v["choices"].as_array()[0].as_object();
  EXPECT_EQ(choice["message"].as_object()["content"], "echo hello there");
  EXPECT_EQ(choice["message"].as_object()["role"], "assistant");
  EXPECT_EQ(choice["finish_reason"], "stop");
  EXPECT_EQ(v["usage"].as_object()["prompt_tokens"], 2);
  EXPECT_EQ(v["usage"].as_object()["completion_tokens"], 3);
  EXPECT_EQ(v["usage"].as_object()["total_tokens"], 5);
}

TEST_F(ServingTest, ChatCompletionHonoursMaxTokensAndLogprobs) {
  auto r = post("/v1/chat/completions",
                R"({"model":"fake","max_completion_tokens":2,"logprobs":true,"top_logprobs":2,
                    "messages":[{"role":"user","content":"a b c d"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = json::parse(r.body).as_object();
  auto& choice = v["choices"].as_array()[0].as_object();
  EXPECT_EQ(choice["message"].as_object()["content"], "echo a");
  EXPECT_EQ(choice["finish_reason"], "length");
  auto& lps = choice["logprobs"].as_object()["content"].as_array();
  ASSERT_EQ(lps.size(), 2u);
  EXPECT_EQ(lps[0].as_object()["top_logprobs"].as_array().size(), 2u);
}

TEST_F(ServingTest, StreamingChatSendsChunksUsageAndDone) {
  auto r = post("/v1/chat/completions",
                R"({"model":"fake","stream":true,"stream_options":{"include_usage":true},
                    "messages":[{"role":"user","content":"one two"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.header("content-type").find("text/event-stream"), std::string::npos);
  auto events = sse_data(r.body);
  ASSERT_GE(events.size(), 5u) << r.body;
  EXPECT_EQ(events.back(), "[DONE]");
  std::string text;
  std::string finish;
  int usage_total = -1;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    auto c = json::parse(events[i]).as_object();
    EXPECT_EQ(c["object"], "chat.completion.chunk");
    auto& choices = c["choices"].as_array();
    if (choices.empty()) {
      usage_total = static_cast<int>(c["usage"].as_object()["total_tokens"].as_int64());
      continue;
    }
    auto& ch = choices[0].as_object();
    if (auto* content = ch["delta"].as_object().if_contains("content")) text += content->as_string();
    if (ch["finish_reason"].is_string()) finish = ch["finish_reason"].as_string();
  }
  EXPECT_EQ(text, "echo one two");
  EXPECT_EQ(finish, "stop");
  EXPECT_EQ(usage_total, 5);
}

TEST_F(ServingTest, UnknownModelIsOpenAIShaped404) {
  auto r = post("/v1/chat/completions",
                R"({"model":"nope","messages":[{"role":"user","content":"x"}]})");
  ASSERT_EQ(r.status, 404) << r.body;
  auto e = json::parse(r.body).as_object()["error"].as_object();
  EXPECT_EQ(e["code"], "model_not_found");
  EXPECT_EQ(e["type"], "invalid_request_error");
  EXPECT_TRUE(e.contains("param"));
  EXPECT_NE(std::string(e["message"].as_string()).find("nope"), std::string::npos);
}

TEST_F(ServingTest, BadFieldsAre400NamingTheField) {
  struct Case {
    const char* body;
    const char* field;
  };
  for (const Case& c : {
           Case{R"({"model":"fake","messages":[{"role":"user","content":"x"}],"temperature":"hot"})", "temperature"},
           Case{R"({"model":"fake","messages":[{"role":"user","content":"x"}],"top_p":1.5})", "top_p"},
           Case{R"({"model":"fake","messages":[{"role":"user","content":"x"}],"max_tokens":0})", "max_tokens"},
           Case{R"({"model":"fake","messages":[]})", "messages"},
           Case{R"({"model":"fake","messages":[{"role":"robot","content":"x"}]})", "role"},
           Case{R"({"messages":[{"role":"user","content":"x"}]})", "model"},
           Case{R"({"model":"fake","messages":[{"role":"user","content":"x"}],"stop":[1]})", "stop"},
           Case{R"({"model":"fake","messages":[{"role":"user","content":"x"}],
                    "response_format":{"type":"json_schema"}})", "json_schema"},
           Case{R"([1,2])", "object"},
       }) {
    auto r = post("/v1/chat/completions", c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    auto e = json::parse(r.body).as_object()["error"].as_object();
    EXPECT_NE(std::string(e["message"].as_string()).find(c.field), std::string::npos) << r.body;
    EXPECT_EQ(e["type"], "invalid_request_error");
  }
}

TEST_F(ServingTest, CompletionsAndStreamingCompletions) {
  auto r = post("/v1/completions", R"({"model":"fake","prompt":"x y","logprobs":1})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = json::parse(r.body).as_object();
  EXPECT_EQ(v["object"], "text_completion");
  auto& choice = v["choices"].as_array()[0].as_object();
  EXPECT_EQ(choice["text"], "echo x y");
  EXPECT_EQ(choice["logprobs"].as_object()["tokens"].as_array().size(), 3u);

  auto s = post("/v1/completions", R"({"model":"fake","prompt":"p q","stream":true})");
  ASSERT_EQ(s.status, 200);
  auto events = sse_data(s.body);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back(), "[DONE]");
  std::string text;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    text += json::parse(events[i]).as_object()["choices"].as_array()[0].as_object()["text"].as_string();
  }
  EXPECT_EQ(text, "echo p q");
}

TEST_F(ServingTest, EmbeddingsAsFloatsAndBase64) {
  auto r = post("/v1/embeddings", R"({"model":"fake","input":["ab","c d"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = json::parse(r.body).as_object();
  auto& data = v["data"].as_array();
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data[1].as_object()["index"], 1);
  EXPECT_EQ(data[1].as_object()["embedding"].as_array()[0].to_number<double>(), 3.0);
  EXPECT_EQ(v["usage"].as_object()["prompt_tokens"], 3);

  // [2.0f, 1.0f, -0.5f] as little-endian float32 bytes: 00000040 0000803f 000000bf.
  auto b = post("/v1/embeddings", R"({"model":"fake","input":"ab","encoding_format":"base64"})");
  ASSERT_EQ(b.status, 200) << b.body;
  auto emb = json::parse(b.body).as_object()["data"].as_array()[0].as_object()["embedding"];
  EXPECT_EQ(emb.as_string(), "AAAAQAAAgD8AAAC/");
}

TEST_F(ServingTest, ModelList) {
  auto r = net::testing::http_request(port(), "GET", "/v1/models");
  ASSERT_EQ(r.status, 200);
  auto v = json::parse(r.body).as_object();
  EXPECT_EQ(v["object"], "list");
  ASSERT_EQ(v["data"].as_array().size(), 2u);
  EXPECT_EQ(v["data"].as_array()[0].as_object()["id"], "fake");
  EXPECT_EQ(net::testing::http_request(port(), "GET", "/v1/models/fake").status, 200);
  EXPECT_EQ(net::testing::http_request(port(), "GET", "/v1/models/other").status, 404);
}

}  // namespace
}  // namespace woolly::api::testing
