// Log probabilities through the upstreams: Ollama's (logprobs / top_logprobs on /api/chat and
// /api/generate, answered per token) come back in OpenAI's shape, streamed and not; Anthropic has
// none, so asking for them is a clear 400 before anything is sent upstream.
#include <gtest/gtest.h>

#include "backends/anthropic_backend.h"
#include "backends/ollama_backend.h"
#include "fake_upstream.h"

namespace woolly::backends {
namespace {

using testing::Recorder;
namespace json = boost::json;

// Two tokens, each with its two best alternatives, in Ollama's wire format.
constexpr const char* kHiLogprobs =
    R"([{"token":"Hi","logprob":-0.25,"bytes":[72,105],"top_logprobs":[{"token":"Hi","logprob":-0.25},{"token":"Hello","logprob":-1.5}]}])";
constexpr const char* kYouLogprobs =
    R"([{"token":" you","logprob":-2,"top_logprobs":[{"token":" you","logprob":-2},{"token":" there","logprob":-2.5}]}])";

net::Router ollama_router(Recorder& rec) {
  net::Router r;
  (void)r.add(net::Method::kPost, "/api/chat", [&rec](net::Request req, net::Responder res) {
    rec.add(req);
    auto body = json::parse(req.body).as_object();
    const bool lp = body.contains("logprobs");
    auto logprobs = [lp](const char* v) { return lp ? std::string(",\"logprobs\":") + v : std::string(); };
    if (!body["stream"].as_bool()) {
      res.send(net::Response::json(
          200, std::string(R"({"message":{"role":"assistant","content":"Hi you"},"done":true,)"
                           R"("done_reason":"stop","prompt_eval_count":3,"eval_count":2,"logprobs":)") +
                   (lp ? R"([{"token":"Hi","logprob":-0.25,"top_logprobs":[{"token":"Hi","logprob":-0.25},{"token":"Hello","logprob":-1.5}]},)"
                         R"({"token":" you","logprob":-2,"top_logprobs":[{"token":" you","logprob":-2},{"token":" there","logprob":-2.5}]}]})"
                      : "[]}")));
      return;
    }
    auto w = res.start_stream(200, testing::content_type("application/x-ndjson"));
    w.write_raw(R"({"message":{"role":"assistant","content":"Hi"},"done":false)" + logprobs(kHiLogprobs) + "}\n");
    w.write_raw(R"({"message":{"role":"assistant","content":" you"},"done":false)" + logprobs(kYouLogprobs) + "}\n");
    w.write_raw(R"({"message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":3,"eval_count":2})"
                "\n");
    w.close();
  });
  (void)r.add(net::Method::kPost, "/api/generate", [&rec](net::Request req, net::Responder res) {
    rec.add(req);
    auto w = res.start_stream(200, testing::content_type("application/x-ndjson"));
    w.write_raw(std::string(R"({"response":"Hi","done":false,"logprobs":)") + kHiLogprobs + "}\n");
    w.write_raw(R"({"response":"","done":true,"done_reason":"stop","prompt_eval_count":1,"eval_count":1})");
    w.close();
  });
  return r;
}

void expect_hi_you(const std::vector<TokenLogprob>& lps) {
  ASSERT_EQ(lps.size(), 2u);
  EXPECT_EQ(lps[0].token, "Hi");
  EXPECT_FLOAT_EQ(lps[0].logprob, -0.25f);
  ASSERT_EQ(lps[0].top.size(), 2u);
  EXPECT_EQ(lps[0].top[1].token, "Hello");
  EXPECT_FLOAT_EQ(lps[0].top[1].logprob, -1.5f);
  EXPECT_EQ(lps[1].token, " you");
  EXPECT_FLOAT_EQ(lps[1].logprob, -2.0f);
  EXPECT_EQ(lps[1].top[1].token, " there");
}

TEST(UpstreamLogprobs, OllamaLogprobsComeBackInOpenAIShape) {
  Recorder rec;
  net::testing::RunningServer s{net::ServerOptions{}, ollama_router(rec)};
  UpstreamConfig cfg;
  cfg.base_url = "http://127.0.0.1:" + std::to_string(s.port());
  cfg.model_name = "llama3.2";
  OllamaBackend b(std::make_shared<net::client::HttpClient>(), cfg);

  ChatRequest req;
  req.messages = {{"user", "hi", {}, {}, {}}};
  req.sampling.logprobs = true;
  req.sampling.top_logprobs = 2;
  auto r = b.chat(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto body = rec.last_json();
  EXPECT_TRUE(body["logprobs"].as_bool());
  EXPECT_EQ(body["top_logprobs"].as_int64(), 2);
  expect_hi_you(r->logprobs);

  std::vector<TokenLogprob> streamed;
  auto sr = b.chat(req, [&](const StreamEvent& ev) {
    streamed.insert(streamed.end(), ev.logprobs.begin(), ev.logprobs.end());
  });
  ASSERT_TRUE(sr.ok()) << sr.error().message;
  expect_hi_you(streamed);
  expect_hi_you(sr->logprobs);

  CompletionRequest cr;
  cr.prompt = "say hi";
  cr.sampling.logprobs = true;
  std::vector<TokenLogprob> pieces;
  auto c = b.complete(cr, [&](const StreamEvent& ev) {
    pieces.insert(pieces.end(), ev.logprobs.begin(), ev.logprobs.end());
  });
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->logprobs.size(), 1u);
  EXPECT_EQ(c->logprobs[0].token, "Hi");
  EXPECT_EQ(pieces.size(), 1u);
  body = rec.last_json();
  EXPECT_TRUE(body["logprobs"].as_bool());
  EXPECT_FALSE(body.contains("top_logprobs"));

  // Not asked for: not requested upstream, and none in the answer.
  ChatRequest plain;
  plain.messages = req.messages;
  auto p = b.chat(plain);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_FALSE(rec.last_json().contains("logprobs"));
  EXPECT_TRUE(p->logprobs.empty());
}

TEST(UpstreamLogprobs, AnthropicRefusesLogprobsBeforeCallingUpstream) {
  Recorder rec;
  net::Router router;
  (void)router.post("/v1/messages", [&rec](const net::Request& req) {
    rec.add(req);
    return net::Response::json(500, "{}");
  });
  net::testing::RunningServer s{net::ServerOptions{}, std::move(router)};
  UpstreamConfig cfg;
  cfg.base_url = "http://127.0.0.1:" + std::to_string(s.port());
  cfg.model_name = "claude";
  AnthropicBackend b(std::make_shared<net::client::HttpClient>(), cfg);

  ChatRequest req;
  req.model = "claude";
  req.messages = {{"user", "hi", {}, {}, {}}};
  req.sampling.top_logprobs = 3;
  auto r = b.chat(req, [](const StreamEvent&) {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
  EXPECT_NE(r.error().message.find("logprobs"), std::string::npos) << r.error().message;
  CompletionRequest cr;
  cr.prompt = "hi";
  cr.sampling.logprobs = true;
  auto c = b.complete(cr);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Errc::kInvalidArgument);
  EXPECT_TRUE(rec.seen.empty());
}

}  // namespace
}  // namespace woolly::backends
