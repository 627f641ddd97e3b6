// Cancellation and timeouts through a backend: a client that goes away mid-stream, and an
// upstream that stops talking.
#include <gtest/gtest.h>

#include <thread>

#include "backends/openai_backend.h"
#include "fake_upstream.h"

namespace woolly::backends {
namespace {

using namespace std::chrono_literals;

// Streams one delta, then stays silent for 3 s before finishing.
net::Router stalling_router() {
  net::Router r;
  (void)r.add(net::Method::kPost, "/v1/chat/completions", [](net::Request, net::Responder res) {
    auto w = res.start_stream(200, testing::content_type("text/event-stream"));
    w.write_raw(testing::sse("", R"({"choices":[{"index":0,"delta":{"content":"partial"}}]})"));
    std::thread([w]() mutable {
      std::this_thread::sleep_for(3s);
      w.write_raw(testing::sse("", "[DONE]"));
      w.close();
    }).detach();
  });
  return r;
}

struct StallTest : ::testing::Test {
  net::testing::RunningServer server{net::ServerOptions{}, stalling_router()};
  UpstreamConfig cfg() {
    UpstreamConfig c;
    c.base_url = "http://127.0.0.1:" + std::to_string(server.port());
    return c;
  }
};

TEST_F(StallTest, CancelMidStreamEndsTheRequestPromptly) {
  OpenAiBackend b(std::make_shared<net::client::HttpClient>(), cfg());
  ChatRequest req;
  req.messages = {{"user", "hi", {}, {}, {}}};
  CancelToken cancel = req.cancel;
  std::string got;
  auto t0 = std::chrono::steady_clock::now();
  auto r = b.chat(req, [&](const StreamEvent& ev) {
    got += ev.text;
    cancel.cancel();  // the client went away after the first piece
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kCancelled);
  EXPECT_EQ(got, "partial");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
}

TEST_F(StallTest, SilentUpstreamIsATimeout) {
  auto c = cfg();
  c.read_timeout = 300ms;
  OpenAiBackend b(std::make_shared<net::client::HttpClient>(), c);
  ChatRequest req;
  req.messages = {{"user", "hi", {}, {}, {}}};
  auto r = b.chat(req, [](const StreamEvent&) {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kTimeout) << r.error().message;
}

}  // namespace
}  // namespace woolly::backends
