// Woolly's REST inference routes, the prompt API, parallel streams, cancellation on disconnect
// and the full-queue answer, over real HTTP on loopback with a fake backend.
#include <boost/json.hpp>
#include <thread>

#include "api_serving/serving_fixture.h"

namespace woolly::api::testing {
namespace {
namespace json = boost::json;

TEST_F(ServingTest, CompleteCarriesUsageAndTimings) {
  for (const char* path : {"/api/v1/inference/complete", "/api/v1/inference/completion"}) {
    auto r = post(path, R"({"prompt":"to be","max_tokens":10,"temperature":0.5,"seed":7})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto v = json::parse(r.body).as_object();
    EXPECT_EQ(v["text"], "echo to be");
    EXPECT_EQ(v["finish_reason"], "stop");
    EXPECT_EQ(v["usage"].as_object()["total_tokens"], 5);
    EXPECT_TRUE(v["timings"].as_object().contains("total_ms"));
  }
  EXPECT_EQ(post("/api/v1/inference/complete", R"({"max_tokens":3})").status, 400);
  EXPECT_EQ(post("/api/v1/inference/complete", R"({"prompt":"x","top_k":-1})").status, 400);
  EXPECT_EQ(post("/api/v1/inference/complete", R"({"prompt":"x","model":"nope"})").status, 404);
  EXPECT_EQ(post("/api/v1/inference/complete", R"({"prompt":"x","model":"failing"})").status, 500);
  EXPECT_EQ(net::testing::http_request(port(), "GET", "/api/v1/inference/complete").status, 405);
}

TEST_F(ServingTest, StreamSendsTokenEventsThenDone) {
  auto r = post("/api/v1/inference/stream", R"({"prompt":"a b c"})");
  ASSERT_EQ(r.status, 200);
  auto events = sse_events(r.body);
  ASSERT_EQ(events.size(), 5u) << r.body;
  std::string text;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    EXPECT_EQ(events[i].first, "token");
    text += json::parse(events[i].second).as_object()["text"].as_string();
  }
  EXPECT_EQ(text, "echo a b c");
  EXPECT_EQ(events.back().first, "done");
  EXPECT_EQ(json::parse(events.back().second).as_object()["usage"].as_object()["completion_tokens"], 4);

  auto failed = post("/api/v1/inference/stream", R"({"prompt":"a","model":"failing"})");
  auto fe = sse_events(failed.body);
  ASSERT_FALSE(fe.empty());
  EXPECT_EQ(fe.back().first, "error");
}

TEST_F(ServingTest, ChatTakesModelOrModelIdAndStreams) {
  auto r = post("/api/v1/inference/chat",
                R"({"model_id":"fake","messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = json::parse(r.body).as_object();
  EXPECT_EQ(v["message"].as_object()["content"], "echo hi");
  EXPECT_EQ(v["usage"].as_object()["prompt_tokens"], 1);

  auto s = post("/api/v1/inference/chat",
                R"({"model":"fake","stream":true,"messages":[{"role":"user","content":"yo"}]})");
  auto events = sse_events(s.body);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().first, "done");
  EXPECT_EQ(json::parse(events.back().second).as_object()["message"].as_object()["content"], "echo yo");
  EXPECT_EQ(post("/api/v1/inference/chat", R"({"model":"fake"})").status, 400);
}

TEST_F(ServingTest, Embedding) {
  auto r = post("/api/v1/inference/embedding", R"({"model":"fake","text":"abcd"})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = json::parse(r.body).as_object();
  EXPECT_EQ(v["dimensions"], 3);
  EXPECT_EQ(v["embeddings"].as_array()[0].as_array()[0].to_number<double>(), 4.0);
  EXPECT_EQ(post("/api/v1/inference/embedding", R"({"model":"fake","input":[]})").status, 400);
}

TEST_F(ServingTest, PromptApiEveryStatus) {
  auto ok = post("/", R"({"prompt":"why sky"})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(json::parse(ok.body).as_object()["response"], "echo why sky");

  auto not_json = post("/", "prompt=hello");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_TRUE(json::parse(not_json.body).as_object().contains("Error")) << not_json.body;

  auto no_prompt = post("/", R"({"prompt":5})");
  EXPECT_EQ(no_prompt.status, 400);
  EXPECT_NE(no_prompt.body.find("prompt"), std::string::npos);

  EXPECT_EQ(net::testing::http_request(port(), "GET", "/").status, 405);

  // The default model fails: 500 with an {"Error"} body that does not leak the internal message.
  auto fail_ctx = ctx_->resolve;
  ctx_->resolve = [this](std::string_view) -> Result<std::shared_ptr<backends::Backend>> {
    return std::shared_ptr<backends::Backend>(failing_);
  };
  auto failed = post("/", R"({"prompt":"x"})");
  ctx_->resolve = fail_ctx;
  EXPECT_EQ(failed.status, 500);
  auto body = json::parse(failed.body).as_object();
  ASSERT_TRUE(body.contains("Error"));
  EXPECT_EQ(body["Error"].as_string().find("on purpose"), json::string::npos);
}

TEST_F(ServingTest, EightParallelStreamsAreIndependent) {
  std::vector<std::thread> threads;
  std::vector<std::string> texts(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([this, i, &texts] {
      std::string words;
      for (int w = 0; w < 20; ++w) words += "s" + std::to_string(i) + "w" + std::to_string(w) + " ";
      auto r = post("/v1/chat/completions",
                    R"({"model":"fake","stream":true,"messages":[{"role":"user","content":")" +
                        words + R"("}]})");
      // No exceptions may leave a thread: a malformed event ends up as a wrong text instead.
      for (const auto& e : sse_data(r.body)) {
        if (e == "[DONE]") continue;
        json::error_code ec;
        json::value v = json::parse(e, ec);
        const json::array* choices = ec || !v.is_object() ? nullptr : v.get_object().at("choices").if_array();
        if (!choices || choices->empty()) {
          texts[i] += "<bad event: " + e + ">";
          continue;
        }
        const auto& delta = choices->at(0).as_object().at("delta").as_object();
        if (auto* c = delta.if_contains("content")) texts[i] += c->as_string();
      }
      if (r.status != 200) texts[i] = "status " + std::to_string(r.status) + ": " + r.body;
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 8; ++i) {
    std::string expected = "echo";
    for (int w = 0; w < 20; ++w) expected += " s" + std::to_string(i) + "w" + std::to_string(w);
    EXPECT_EQ(texts[i], expected);
  }
}

TEST_F(ServingTest, DisconnectedClientStopsItsGeneration) {
  fake_->step = std::chrono::milliseconds(5);
  std::string words;
  for (int w = 0; w < 2000; ++w) words += "w ";
  {
    net::testing::Connection c(port());
    std::string body = R"({"model":"fake","stream":true,"messages":[{"role":"user","content":")" +
                       words + R"("}]})";
    c.send_all("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    ASSERT_NE(c.read_until(" w\"", 3000).find(" w\""), std::string::npos);
  }  // the client goes away mid-stream
  for (int i = 0; i < 200 && fake_->cancelled_runs.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(fake_->cancelled_runs.load(), 1);
  EXPECT_LT(fake_->words_emitted.load(), 1000);
  EXPECT_EQ(cancelled_metric("openai"), 1.0);
}

TEST_F(ServingTest, FullQueueIs503WithRetryAfter) {
  fake_->max_in_flight = 0;
  auto r = post("/v1/chat/completions",
                R"({"model":"fake","messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(r.status, 503);
  EXPECT_FALSE(r.header("retry-after").empty());
  auto rest = post("/api/v1/inference/complete", R"({"prompt":"x"})");
  EXPECT_EQ(rest.status, 503);
  // A stream that fails before its first piece still gets the real status.
  auto stream = post("/v1/chat/completions",
                     R"({"model":"fake","stream":true,"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(stream.status, 503);
  EXPECT_FALSE(stream.header("retry-after").empty());
  EXPECT_EQ(post("/api/v1/inference/stream", R"({"prompt":"x"})").status, 503);
  auto prompt = post("/", R"({"prompt":"x"})");
  EXPECT_EQ(prompt.status, 503);
  EXPECT_FALSE(prompt.header("retry-after").empty());
}

}  // namespace
}  // namespace woolly::api::testing
