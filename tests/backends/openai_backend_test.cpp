#include "backends/openai_backend.h"

#include <gtest/gtest.h>

#include "backends/fallback_backend.h"
#include "fake_upstream.h"

namespace woolly::backends {
namespace {

using testing::Recorder;
using testing::sse;
namespace json = boost::json;

// An OpenAI-compatible server: whole and streamed chat (text, then a tool call in fragments),
// completions, embeddings, models.
net::Router openai_router(Recorder& rec) {
  net::Router r;
  (void)r.add(net::Method::kPost, "/v1/chat/completions", [&rec](net::Request req, net::Responder res) {
    rec.add(req);
    auto body = json::parse(req.body).as_object();
    if (!body["stream"].as_bool()) {
      res.send(net::Response::json(200, R"({"id":"c1","model":"gpt-x","choices":[{"index":0,
        "message":{"role":"assistant","content":"Hello there","tool_calls":[{"id":"call_1","type":"function",
        "function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":"tool_calls"}],
        "usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}})"));
      return;
    }
    auto w = res.start_stream(200, testing::content_type("text/event-stream"));
    w.write_raw(sse("", R"({"model":"gpt-x","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]})"));
    w.write_raw(sse("", R"({"choices":[{"index":0,"delta":{"content":"lo"}}]})"));
    w.write_raw(sse("", R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_9","type":"function","function":{"name":"lookup","arguments":""}}]}}]})"));
    w.write_raw(sse("", R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"q\":"}}]}}]})"));
    w.write_raw(sse("", R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"x\"}"}}]}}]})"));
    w.write_raw(sse("", R"({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})"));
    w.write_raw(sse("", R"({"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9}})"));
    w.write_raw(sse("", "[DONE]"));
    w.close();
  });
  (void)r.add(net::Method::kPost, "/v1/completions", [&rec](net::Request req, net::Responder res) {
    rec.add(req);
    auto w = res.start_stream(200, testing::content_type("text/event-stream"));
    w.write_raw(sse("", R"({"choices":[{"index":0,"text":"one "}]})"));
    w.write_raw(sse("", R"({"choices":[{"index":0,"text":"two","finish_reason":"length"}]})"));
    w.write_raw(sse("", R"({"choices":[],"usage":{"prompt_tokens":2,"completion_tokens":2}})"));
    w.write_raw(sse("", "[DONE]"));
    w.close();
  });
  (void)r.post("/v1/embeddings", [&rec](const net::Request& req) {
    rec.add(req);
    return net::Response::json(200, R"({"data":[{"index":1,"embedding":[0.5,0.25]},{"index":0,"embedding":[1,2]}],
      "model":"emb","usage":{"prompt_tokens":6,"total_tokens":6}})");
  });
  (void)r.get("/v1/models", [](const net::Request&) {
    return net::Response::json(200, R"({"data":[{"id":"gpt-x"}]})");
  });
  return r;
}

struct OpenAiTest : ::testing::Test {
  Recorder rec;
  net::testing::RunningServer server{net::ServerOptions{}, openai_router(rec)};
  std::shared_ptr<net::client::HttpClient> client = std::make_shared<net::client::HttpClient>();
  UpstreamConfig cfg() {
    UpstreamConfig c;
    c.base_url = "http://127.0.0.1:" + std::to_string(server.port()) + "/v1";
    c.api_key = "sk-test";
    c.model_name = "gpt-x";
    return c;
  }
};

TEST_F(OpenAiTest, ChatSendsTypedRequestAndParsesToolCallsAndUsage) {
  OpenAiBackend b(client, cfg());
  ChatRequest req;
  req.model = "my-model";
  req.messages = {{"system", "Be brief", {}, {}, {}}, {"user", "Weather?", {}, {}, {}}};
  req.tools = {{"get_weather", "Weather for a city", R"({"type":"object","properties":{"city":{"type":"string"}}})"}};
  req.sampling.temperature = 0.5f;
  req.sampling.max_tokens = 20;
  req.sampling.stop = {"\n\n"};
  req.sampling.seed = 42;
  auto r = b.chat(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->message.content, "Hello there");
  ASSERT_EQ(r->message.tool_calls.size(), 1u);
  EXPECT_EQ(r->message.tool_calls[0].id, "call_1");
  EXPECT_EQ(r->message.tool_calls[0].name, "get_weather");
  EXPECT_EQ(r->message.tool_calls[0].arguments, R"({"city":"Paris"})");
  EXPECT_EQ(r->finish, FinishReason::kToolCalls);
  EXPECT_EQ(r->usage.prompt_tokens, 11);
  EXPECT_EQ(r->usage.total_tokens(), 18);

  auto seen = rec.last();
  EXPECT_EQ(seen.path, "/v1/chat/completions");
  EXPECT_EQ(seen.headers.get("Authorization").value_or(""), "Bearer sk-test");
  auto body = json::parse(seen.body).as_object();
  EXPECT_EQ(body["model"].as_string(), "gpt-x");
  EXPECT_EQ(body["messages"].as_array().size(), 2u);
  EXPECT_EQ(body["max_tokens"].as_int64(), 20);
  EXPECT_EQ(body["seed"].as_int64(), 42);
  EXPECT_EQ(body["stop"].as_array()[0].as_string(), "\n\n");
  EXPECT_EQ(body["tools"].as_array()[0].at("function").at("name").as_string(), "get_weather");
  EXPECT_FALSE(body["stream"].as_bool());
}

TEST_F(OpenAiTest, StreamingChatDeliversTextAndToolCallDeltasThenUsage) {
  OpenAiBackend b(client, cfg());
  ChatRequest req;
  req.messages = {{"user", "hi", {}, {}, {}}};
  std::string text, args;
  std::vector<std::string> names;
  auto r = b.chat(req, [&](const StreamEvent& ev) {
    if (ev.kind == StreamEvent::Kind::kText) text += ev.text;
    else {
      args += ev.arguments_delta;
      if (!ev.tool_name.empty()) names.push_back(ev.tool_name);
    }
  });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(text, "Hello");
  EXPECT_EQ(args, R"({"q":"x"})");
  EXPECT_EQ(names, std::vector<std::string>{"lookup"});
  EXPECT_EQ(r->message.content, "Hello");
  ASSERT_EQ(r->message.tool_calls.size(), 1u);
  EXPECT_EQ(r->message.tool_calls[0].id, "call_9");
  EXPECT_EQ(r->message.tool_calls[0].arguments, R"({"q":"x"})");
  EXPECT_EQ(r->finish, FinishReason::kToolCalls);
  EXPECT_EQ(r->usage.prompt_tokens, 5);
  EXPECT_EQ(r->usage.completion_tokens, 4);
  auto body = rec.last_json();
  EXPECT_TRUE(body["stream"].as_bool());
  EXPECT_TRUE(body["stream_options"].at("include_usage").as_bool());
}

TEST_F(OpenAiTest, StreamingCompletionAndEmbeddingsInInputOrder) {
  OpenAiBackend b(client, cfg());
  CompletionRequest c;
  c.prompt = "count";
  std::string streamed;
  auto r = b.complete(c, [&](const StreamEvent& ev) { streamed += ev.text; });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(streamed, "one two");
  EXPECT_EQ(r->text, "one two");
  EXPECT_EQ(r->finish, FinishReason::kLength);
  EXPECT_EQ(r->usage.completion_tokens, 2);

  EmbedRequest e;
  e.inputs = {"a", "b"};
  auto er = b.embed(e);
  ASSERT_TRUE(er.ok()) << er.error().message;
  ASSERT_EQ(er->vectors.size(), 2u);
  EXPECT_EQ(er->vectors[0], (std::vector<float>{1, 2}));
  EXPECT_EQ(er->vectors[1], (std::vector<float>{0.5f, 0.25f}));
  EXPECT_EQ(er->usage.prompt_tokens, 6);
  EXPECT_TRUE(b.health().ok());
}

TEST(OpenAiDown, RefusedConnectionIsUnavailableAfterRetries) {
  uint16_t port;
  {
    net::testing::RunningServer s{net::ServerOptions{}, net::Router{}};
    port = s.port();
  }  // closed again: nothing listens there now
  auto client = std::make_shared<net::client::HttpClient>();
  UpstreamConfig c;
  c.base_url = "http://127.0.0.1:" + std::to_string(port);
  c.max_retries = 2;
  OpenAiBackend b(client, c);
  ChatRequest req;
  req.messages = {{"user", "hi", {}, {}, {}}};
  auto t0 = std::chrono::steady_clock::now();
  auto r = b.chat(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kUnavailable) << r.error().message;
  // Two retries with 100 ms and 200 ms backoff.
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(290));
  EXPECT_FALSE(b.health().ok());
}

TEST(OpenAiDown, FallbackGoesToTheNextBackendWhenTheFirstIsDown) {
  Recorder rec;
  net::testing::RunningServer good{net::ServerOptions{}, openai_router(rec)};
  net::Router failing;
  (void)failing.post("/v1/chat/completions", [](const net::Request&) {
    return net::Response::json(503, R"({"error":{"message":"overloaded"}})");
  });
  net::testing::RunningServer bad{net::ServerOptions{}, std::move(failing)};
  auto client = std::make_shared<net::client::HttpClient>();
  UpstreamConfig c1, c2;
  c1.base_url = "http://127.0.0.1:" + std::to_string(bad.port());
  c2.base_url = "http://127.0.0.1:" + std::to_string(good.port());
  auto first = std::make_shared<OpenAiBackend>(client, c1);
  ChatRequest req;
  req.messages = {{"user", "hi", {}, {}, {}}};
  auto direct = first->chat(req);
  ASSERT_FALSE(direct.ok());
  EXPECT_EQ(direct.error().code, Errc::kUnavailable);
  EXPECT_NE(direct.error().message.find("overloaded"), std::string::npos);
  FallbackBackend fb(first, std::make_shared<OpenAiBackend>(client, c2));
  auto r = fb.chat(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->message.content, "Hello there");
}

}  // namespace
}  // namespace woolly::backends
