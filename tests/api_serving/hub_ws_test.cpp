// The hub WebSocket protocol over a real connection on loopback, with a fake backend.
#include <boost/json.hpp>
#include <map>

#include "api_serving/serving_fixture.h"

namespace woolly::api::testing {
namespace {
namespace json = boost::json;

class HubTest : public ServingTest {
 protected:
  std::unique_ptr<net::testing::Connection> open(const std::string& path = "/api/v1/ws",
                                                 const std::string& headers = {}) {
    auto c = std::make_unique<net::testing::Connection>(port(), 5000);
    last_handshake_ = c->ws_handshake(path, headers);
    EXPECT_EQ(last_handshake_.status, 101);
    return c;
  }
  static json::object next(net::testing::Connection& c) {
    auto f = c.ws_read();
    EXPECT_TRUE(f.ok);
    if (!f.ok) return {};
    return json::parse(f.payload).as_object();
  }
  net::testing::HttpReply last_handshake_;
};

TEST_F(HubTest, StreamedChatSendsChunksThenDone) {
  auto c = open();
  c->ws_send(1, R"({"id":"r1","type":"chat","provider":"local","model":"fake",
                   "messages":[{"role":"user","content":"x y"}],"stream":true,"maxTokens":10})");
  std::string text;
  json::object done;
  for (int i = 0; i < 10; ++i) {
    auto m = next(*c);
    if (m.empty()) break;
    EXPECT_EQ(m["id"], "r1");
    EXPECT_TRUE(m["timestamp"].is_int64());
    if (m["type"] == "chunk") {
      text += m["data"].as_string();
      continue;
    }
    done = m;
    break;
  }
  EXPECT_EQ(text, "echo x y");
  ASSERT_EQ(done["type"], "done") << json::serialize(done);
  EXPECT_EQ(done["data"], "echo x y");
  EXPECT_EQ(done["usage"].as_object()["completionTokens"], 3);
  EXPECT_EQ(done["usage"].as_object()["totalTokens"], 5);
}

TEST_F(HubTest, TwoInterleavedRequestsOnOneConnection) {
  fake_->step = std::chrono::milliseconds(5);
  auto c = open("/");
  c->ws_send(1, R"({"id":1,"type":"completion","prompt":"a a a a a a","provider":"auto"})");
  c->ws_send(1, R"({"id":2,"type":"completion","prompt":"b b b b b b","provider":"auto"})");
  std::map<int64_t, std::string> chunks, done;
  while (done.size() < 2) {
    auto m = next(*c);
    if (m.empty()) break;
    int64_t id = m["id"].as_int64();
    if (m["type"] == "chunk") chunks[id] += m["data"].as_string();
    if (m["type"] == "done") done[id] = m["data"].as_string();
  }
  EXPECT_EQ(done[1], "echo a a a a a a");
  EXPECT_EQ(done[2], "echo b b b b b b");
  EXPECT_EQ(chunks[1], done[1]);
  EXPECT_EQ(chunks[2], done[2]);
}

TEST_F(HubTest, CancelStopsOneRequest) {
  fake_->step = std::chrono::milliseconds(5);
  std::string words;
  for (int i = 0; i < 1000; ++i) words += "w ";
  auto c = open();
  c->ws_send(1, R"({"id":"long","type":"completion","model":"fake","prompt":")" + words + "\"}");
  auto first = next(*c);
  EXPECT_EQ(first["type"], "chunk");
  c->ws_send(1, R"({"type":"cancel","id":"long"})");
  json::object end;
  for (int i = 0; i < 2000; ++i) {
    end = next(*c);
    if (end.empty() || end["type"] != "chunk") break;
  }
  EXPECT_EQ(end["type"], "error");
  EXPECT_EQ(end["error"].as_object()["code"], "CANCELLED");
  EXPECT_LT(fake_->words_emitted.load(), 900);
}

TEST_F(HubTest, MalformedMessagesGetAnErrorAndTheConnectionStays) {
  auto c = open();
  for (const char* bad : {"not json", R"({"id":"a"})", R"({"id":"a","type":"dance"})",
                          R"({"type":"chat","prompt":"x"})",
                          R"({"id":"a","type":"chat","provider":"nowhere","prompt":"x"})",
                          R"({"id":"a","type":"completion","maxTokens":"many","prompt":"x"})"}) {
    c->ws_send(1, bad);
    auto m = next(*c);
    EXPECT_EQ(m["type"], "error") << bad;
    EXPECT_TRUE(m["error"].as_object().contains("message")) << bad;
  }
  c->ws_send(1, R"({"id":"ok","type":"completion","prompt":"z","stream":false})");
  auto m = next(*c);
  EXPECT_EQ(m["type"], "done");
  EXPECT_EQ(m["data"], "echo z");
}

TEST_F(HubTest, BearerSubprotocolIsNegotiatedBack) {
  auto c = open("/api/v1/ws", "Sec-WebSocket-Protocol: Bearer, abc.def\r\n");
  EXPECT_EQ(last_handshake_.header("sec-websocket-protocol"), "Bearer");
}

TEST_F(HubTest, ClosingTheConnectionCancelsItsRequests) {
  fake_->step = std::chrono::milliseconds(5);
  std::string words;
  for (int i = 0; i < 1000; ++i) words += "w ";
  {
    auto c = open();
    c->ws_send(1, R"({"id":"x","type":"completion","model":"fake","prompt":")" + words + "\"}");
    EXPECT_EQ(next(*c)["type"], "chunk");
  }
  for (int i = 0; i < 200 && fake_->cancelled_runs.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(fake_->cancelled_runs.load(), 1);
  EXPECT_EQ(cancelled_metric("ws"), 1.0);
}

}  // namespace
}  // namespace woolly::api::testing
