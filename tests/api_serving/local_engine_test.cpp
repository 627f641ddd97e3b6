// The OpenAI-compatible routes over the real engine: the tiny demo model behind a LocalBackend,
// served on loopback. Checks what only the real pipeline shows: seeded determinism across
// streaming and non-streaming, parallel streams through the batch scheduler, embeddings' width.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <thread>

#include "api/serving.h"
#include "backends/local_backend.h"
#include "engine/runtime/demo_model.h"
#include "net/test_client.h"
#include "net/test_server.h"

namespace woolly::api::testing {
namespace {
namespace json = boost::json;

std::string demo_path() {
  static const std::string path = [] {
    std::string p = std::string(WOOLLY_BINARY_DIR) + "/test_models/api_serving_demo_tiny.gguf";
    if (!std::filesystem::exists(p)) {
      auto s = engine::create_demo_model(p, engine::DemoSize::kTiny);
      if (!s.ok()) ADD_FAILURE() << s.error().message;
    }
    return p;
  }();
  return path;
}

class LocalEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    backends::LocalBackendOptions o;
    o.model.threads = 1;
    o.model.n_ctx = 512;
    o.model.max_sequences = 8;
    auto b = backends::LocalBackend::load(demo_path(), o);
    ASSERT_TRUE(b.ok()) << b.error().message;
    std::shared_ptr<backends::Backend> backend = std::move(*b);
    auto ctx = std::make_shared<ServingContext>();
    ctx->resolve = [backend](std::string_view m) -> Result<std::shared_ptr<backends::Backend>> {
      if (m.empty() || m == "demo") return backend;
      return Error(Errc::kNotFound, "The model '" + std::string(m) + "' does not exist");
    };
    ctx->list_models = [] { return std::vector<ModelSummary>{{"demo", "demo", "local"}}; };
    net::Router router;
    ASSERT_TRUE(install_openai_routes(router, ctx).ok());
    server_ = std::make_unique<net::testing::RunningServer>(net::ServerOptions{}, std::move(router));
  }

  net::testing::HttpReply chat(uint64_t seed, bool stream) {
    std::string body = R"({"model":"demo","max_tokens":12,"temperature":0.9,"seed":)" +
                       std::to_string(seed) + R"(,"stream":)" + (stream ? "true" : "false") +
                       R"(,"messages":[{"role":"user","content":"Hello there"}]})";
    return net::testing::http_request(server_->port(), "POST", "/v1/chat/completions",
                                      "Content-Type: application/json\r\n", body);
  }

  // The concatenated delta contents of a streamed answer; "" plus a failure when malformed.
  static std::string streamed_text(const std::string& body, bool* done) {
    std::string text;
    *done = false;
    size_t pos = 0;
    while ((pos = body.find("data: ", pos)) != std::string::npos) {
      size_t end = body.find('\n', pos);
      std::string data = body.substr(pos + 6, end - pos - 6);
      pos = end;
      if (data == "[DONE]") {
        *done = true;
        continue;
      }
      json::error_code ec;
      json::value v = json::parse(data, ec);
      if (ec) return "<malformed>";
      const auto& choices = v.as_object().at("choices").as_array();
      if (choices.empty()) continue;
      const auto& delta = choices[0].as_object().at("delta").as_object();
      if (auto* c = delta.if_contains("content")) text += c->as_string();
    }
    return text;
  }

  std::unique_ptr<net::testing::RunningServer> server_;
};

TEST_F(LocalEngineTest, SeededChatIsTheSameStreamedOrNot) {
  auto plain = chat(42, false);
  ASSERT_EQ(plain.status, 200) << plain.body;
  auto v = json::parse(plain.body).as_object();
  auto usage = v["usage"].as_object();
  EXPECT_GT(usage["prompt_tokens"].as_int64(), 0);
  EXPECT_GE(usage["completion_tokens"].as_int64(), 1);
  EXPECT_LE(usage["completion_tokens"].as_int64(), 12);
  std::string text(v["choices"].as_array()[0].as_object()["message"].as_object()["content"].as_string());

  auto streamed = chat(42, true);
  ASSERT_EQ(streamed.status, 200);
  bool done = false;
  EXPECT_EQ(streamed_text(streamed.body, &done), text);
  EXPECT_TRUE(done);
}

TEST_F(LocalEngineTest, EightParallelStreamsAllComplete) {
  std::vector<std::thread> threads;
  std::vector<int> status(8);
  std::vector<bool> done(8);
  std::vector<std::string> texts(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto r = chat(100 + i, true);
      status[i] = r.status;
      bool d = false;
      texts[i] = streamed_text(r.body, &d);
      done[i] = d;
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(status[i], 200);
    EXPECT_TRUE(done[i]) << i;
    EXPECT_NE(texts[i], "<malformed>");
  }
}

TEST_F(LocalEngineTest, EmbeddingsHaveTheModelsWidth) {
  auto r = net::testing::http_request(server_->port(), "POST", "/v1/embeddings",
                                      "Content-Type: application/json\r\n",
                                      R"({"model":"demo","input":["one","two words"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto data = json::parse(r.body).as_object()["data"].as_array();
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data[0].as_object()["embedding"].as_array().size(), 64u);
}

}  // namespace
}  // namespace woolly::api::testing
