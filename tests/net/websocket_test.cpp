#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "test_client.h"
#include "test_server.h"

namespace woolly::net {
namespace {

using namespace std::chrono_literals;
using testing::Connection;
using testing::RunningServer;

constexpr uint8_t kText = 0x1, kClose = 0x8, kPing = 0x9, kPong = 0xA;

uint16_t close_code(const Connection::Frame& f) {
  if (f.payload.size() < 2) return 0;
  return static_cast<uint16_t>((static_cast<uint8_t>(f.payload[0]) << 8) |
                               static_cast<uint8_t>(f.payload[1]));
}

struct EchoState {
  std::atomic<int> opened{0};
  std::atomic<int> closed{0};
  std::atomic<uint16_t> last_close{0};
};

Router echo_router(EchoState& st) {
  Router r;
  WsHandlers h;
  h.select_subprotocol = [](const std::vector<std::string>& offered) -> std::string {
    for (const auto& p : offered) {
      if (p == "woolly.v1") return p;
    }
    return "";
  };
  h.on_open = [&st](const WsConnection& c) {
    st.opened++;
    // Sends from a foreign thread go through the connection's queue.
    std::thread([c] { c.send_text("welcome " + std::string(c.request().param("room"))); }).detach();
  };
  h.on_message = [](const WsConnection& c, std::string msg, bool) {
    if (msg == "bye") {
      c.close(WsCloseCode::kNormal, "bye");
      return;
    }
    c.send_text("echo:" + msg);
  };
  h.on_close = [&st](const WsConnection&, uint16_t code) {
    st.last_close = code;
    st.closed++;
  };
  EXPECT_TRUE(r.add_ws("/ws/:room", std::move(h)).ok());
  return r;
}

TEST(WebSocket, EchoWithSubprotocolAndForeignThreadSend) {
  EchoState st;
  RunningServer s(ServerOptions{}, echo_router(st));
  Connection c(s.port());
  auto hs = c.ws_handshake("/ws/lobby", "Sec-WebSocket-Protocol: other, woolly.v1\r\n");
  ASSERT_EQ(hs.status, 101);
  EXPECT_EQ(hs.header("sec-websocket-protocol"), "woolly.v1");
  EXPECT_FALSE(hs.header("x-request-id").empty());
  auto hello = c.ws_read();
  ASSERT_TRUE(hello.ok);
  EXPECT_EQ(hello.opcode, kText);
  EXPECT_EQ(hello.payload, "welcome lobby");
  ASSERT_TRUE(c.ws_send(kText, "abc"));
  auto echo = c.ws_read();
  EXPECT_EQ(echo.payload, "echo:abc");
  ASSERT_TRUE(c.ws_send(kText, "bye"));
  auto close = c.ws_read();
  EXPECT_EQ(close.opcode, kClose);
  EXPECT_EQ(close_code(close), 1000);
}

TEST(WebSocket, AnswersPingWithPong) {
  EchoState st;
  RunningServer s(ServerOptions{}, echo_router(st));
  Connection c(s.port());
  ASSERT_EQ(c.ws_handshake("/ws/a").status, 101);
  c.ws_read();  // welcome
  ASSERT_TRUE(c.ws_send(kPing, "p1"));
  auto pong = c.ws_read();
  EXPECT_EQ(pong.opcode, kPong);
  EXPECT_EQ(pong.payload, "p1");
}

TEST(WebSocket, OversizeMessageClosesWith1009) {
  EchoState st;
  ServerOptions o;
  o.ws_max_message_size = 1024;
  RunningServer s(o, echo_router(st));
  Connection c(s.port());
  ASSERT_EQ(c.ws_handshake("/ws/a").status, 101);
  c.ws_read();  // welcome
  ASSERT_TRUE(c.ws_send(kText, std::string(4096, 'z')));
  auto f = c.ws_read();
  EXPECT_EQ(f.opcode, kClose);
  EXPECT_EQ(close_code(f), 1009);
}

TEST(WebSocket, HeartbeatPingsThenIdleClose) {
  EchoState st;
  ServerOptions o;
  o.ws_idle_timeout = 600ms;
  RunningServer s(o, echo_router(st));
  Connection c(s.port(), 3000);
  ASSERT_EQ(c.ws_handshake("/ws/a").status, 101);
  c.ws_read();  // welcome
  // A silent client is pinged at half the idle time ...
  auto ping = c.ws_read();
  EXPECT_EQ(ping.opcode, kPing);
  // ... and dropped when it does not answer.
  EXPECT_TRUE(c.wait_closed(3000));
  for (int i = 0; i < 100 && st.closed.load() == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(st.closed.load(), 1);
}

TEST(WebSocket, ShutdownClosesWith1001) {
  EchoState st;
  auto s = std::make_unique<RunningServer>(ServerOptions{}, echo_router(st));
  Connection c(s->port());
  ASSERT_EQ(c.ws_handshake("/ws/a").status, 101);
  c.ws_read();  // welcome
  s->server->shutdown();
  auto f = c.ws_read();
  EXPECT_EQ(f.opcode, kClose);
  EXPECT_EQ(close_code(f), 1001);
  c.ws_send(kClose, std::string("\x03\xe9", 2));  // complete the closing handshake
  s->server->wait();
}

TEST(WebSocket, ConnectionLimitAndUnknownPath) {
  EchoState st;
  ServerOptions o;
  o.max_ws_connections = 1;
  RunningServer s(o, echo_router(st));
  Connection a(s.port());
  ASSERT_EQ(a.ws_handshake("/ws/a").status, 101);
  a.ws_read();
  Connection b(s.port());
  auto rb = b.ws_handshake("/ws/b");
  EXPECT_EQ(rb.status, 503);
  Connection c(s.port());
  EXPECT_EQ(c.ws_handshake("/nope").status, 404);
}

TEST(Sse, StreamsEventsFromAnotherThread) {
  Router r;
  ASSERT_TRUE(r.add(Method::kGet, "/events", [](Request, Responder rs) {
                 StreamWriter w = rs.start_stream();
                 std::thread([w]() mutable {
                   for (int i = 0; i < 3; ++i) {
                     w.write_event("token", "t" + std::to_string(i), std::to_string(i));
                   }
                   w.write_event("", "line1\nline2");
                   w.close();
                 }).detach();
               }).ok());
  RunningServer s(ServerOptions{}, std::move(r));
  Connection c(s.port());
  c.send_all("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  auto res = c.read_response();
  ASSERT_TRUE(res.ok);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.header("content-type"), "text/event-stream");
  EXPECT_EQ(res.body,
            "event: token\nid: 0\ndata: t0\n\nevent: token\nid: 1\ndata: t1\n\n"
            "event: token\nid: 2\ndata: t2\n\ndata: line1\ndata: line2\n\n");
  // The connection stays usable after the stream ended.
  c.send_all("GET /events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(c.read_response().status, 200);
}

TEST(Sse, ClientDisconnectCancelsTheProducer) {
  std::atomic<bool> cancelled{false};
  std::atomic<bool> stop{false};
  Router r;
  ASSERT_TRUE(r.add(Method::kGet, "/forever", [&](Request, Responder rs) {
                 StreamWriter w = rs.start_stream();
                 w.on_cancel([&] { cancelled = true; });
                 std::thread([w, &stop]() mutable {
                   while (!stop && w.write_event("tick", "x")) std::this_thread::sleep_for(5ms);
                 }).detach();
               }).ok());
  {
    RunningServer s(ServerOptions{}, std::move(r));
    {
      Connection c(s.port());
      c.send_all("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n");
      EXPECT_NE(c.read_until("data: x", 3000).find("data: x"), std::string::npos);
    }  // client goes away
    for (int i = 0; i < 300 && !cancelled; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(cancelled.load());
    stop = true;
  }
}

TEST(Responder, SlowHandlerSeesClientDisconnect) {
  std::atomic<bool> cancelled{false};
  std::mutex mu;
  std::vector<Responder> held;
  Router r;
  ASSERT_TRUE(r.add(Method::kGet, "/hold", [&](Request, Responder rs) {
                 rs.on_cancel([&] { cancelled = true; });
                 std::lock_guard lock(mu);
                 held.push_back(std::move(rs));
               }).ok());
  RunningServer s(ServerOptions{}, std::move(r));
  {
    Connection c(s.port());
    c.send_all("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
    std::this_thread::sleep_for(100ms);
  }
  for (int i = 0; i < 300 && !cancelled; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(cancelled.load());
  std::lock_guard lock(mu);
  held.clear();
}

}  // namespace
}  // namespace woolly::net
