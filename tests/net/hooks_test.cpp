// Before hooks: the headers they put on answers (rejected, whole, streamed, WebSocket upgrades)
// and blocking hooks, which must run off the I/O threads.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "test_client.h"
#include "test_server.h"

namespace woolly::net {
namespace {

using namespace std::chrono_literals;
using testing::Connection;
using testing::http_request;
using testing::RunningServer;

// /whole answers at once, /stream with two SSE events, /ws upgrades; /own sets X-Limit itself.
Router hook_router() {
  Router r;
  EXPECT_TRUE(r.get("/whole", [](const Request&) { return Response::text(200, "whole"); }).ok());
  EXPECT_TRUE(r.get("/own", [](const Request&) {
                 Response res = Response::text(200, "own");
                 res.headers.set("X-Limit", "from-handler");
                 return res;
               }).ok());
  EXPECT_TRUE(r.add(Method::kGet, "/stream", [](Request, Responder res) {
                 StreamWriter w = res.start_stream();
                 w.write_event("", "one");
                 w.write_event("", "two");
                 w.close();
               }).ok());
  WsHandlers h;
  h.on_message = [](const WsConnection& c, std::string m, bool) { c.send_text(m); };
  EXPECT_TRUE(r.add_ws("/ws", std::move(h)).ok());
  return r;
}

// Admits requests with "X-Key: good" (adding X-Limit), rejects others with a challenge header.
Status header_hook(Request& req, const RouteMeta&, Headers& out) {
  if (req.header("X-Key") != "good") {
    out.set("WWW-Authenticate", "Bearer realm=\"test\"");
    return make_error(Errc::kUnauthenticated, "no key");
  }
  out.set("X-Limit", "7");
  return {};
}

TEST(BeforeHooks, HeadersGoOnRejectionsWholeAnswersStreamsAndUpgrades) {
  RunningServer s(ServerOptions{}, hook_router(), {header_hook});
  auto no = http_request(s.port(), "GET", "/whole");
  EXPECT_EQ(no.status, 401);
  EXPECT_EQ(no.header("www-authenticate"), "Bearer realm=\"test\"");
  EXPECT_EQ(no.header("x-limit"), "");

  auto whole = http_request(s.port(), "GET", "/whole", "X-Key: good\r\n");
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.header("x-limit"), "7");
  EXPECT_EQ(whole.header("www-authenticate"), "");

  auto stream = http_request(s.port(), "GET", "/stream", "X-Key: good\r\n");
  EXPECT_EQ(stream.status, 200);
  EXPECT_EQ(stream.header("x-limit"), "7");
  EXPECT_NE(stream.body.find("data: two"), std::string::npos) << stream.body;

  // The handler's own value of a field wins over the hook's.
  auto own = http_request(s.port(), "GET", "/own", "X-Key: good\r\n");
  EXPECT_EQ(own.header("x-limit"), "from-handler");

  Connection ws(s.port());
  auto up = ws.ws_handshake("/ws", "X-Key: good\r\n");
  EXPECT_EQ(up.status, 101);
  EXPECT_EQ(up.header("x-limit"), "7");
  Connection ws_no(s.port());
  auto refused = ws_no.ws_handshake("/ws");
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.header("www-authenticate"), "Bearer realm=\"test\"");
}

// With one I/O thread, a blocking hook that waits for another request to be answered can only
// succeed if it does not hold that thread: the second request needs it.
TEST(BeforeHooks, BlockingHookRunsOffTheIoThreadWhileOthersAreServed) {
  ServerOptions o;
  o.threads = 1;
  o.hook_threads = 2;
  std::promise<void> other_answered;
  std::shared_future<void> answered = other_answered.get_future().share();
  std::atomic<bool> hook_saw_answer{false};
  RouteMeta slow;
  slow.scope = "slow";
  Router r = hook_router();
  EXPECT_TRUE(r.get("/slow", [](const Request&) { return Response::text(200, "slow"); }, slow).ok());
  o.bind = "127.0.0.1:0";
  o.access_log = false;
  auto created = Server::create(o, std::move(r));
  ASSERT_TRUE(created.ok()) << created.error().message;
  std::unique_ptr<Server> server = std::move(*created);
  std::atomic<std::thread::id> hook_thread{};
  server->add_blocking_before_hook([&](Request&, const RouteMeta& meta, Headers&) -> Status {
    if (meta.scope != "slow") return {};
    hook_thread = std::this_thread::get_id();
    // Bounded, so that a regression fails the test instead of hanging it.
    hook_saw_answer = answered.wait_for(20s) == std::future_status::ready;
    return {};
  });
  server->start();
  uint16_t port = server->port();
  auto slow_reply = std::async(std::launch::async, [port] {
    return http_request(port, "GET", "/slow");
  });
  // Served by the one I/O thread while the hook of /slow is waiting.
  auto quick = http_request(port, "GET", "/whole");
  EXPECT_EQ(quick.status, 200);
  other_answered.set_value();
  auto slow_res = slow_reply.get();
  EXPECT_EQ(slow_res.status, 200);
  EXPECT_TRUE(hook_saw_answer.load());
  EXPECT_NE(hook_thread.load(), std::thread::id());
  server->shutdown();
  server->wait();
}

// The inline check lets requests that need no blocking skip the pool: such a hook runs on the
// I/O thread, the same one that runs the handler.
TEST(BeforeHooks, InlineCheckKeepsCheapRequestsOnTheIoThread) {
  ServerOptions o;
  o.bind = "127.0.0.1:0";
  o.access_log = false;
  o.threads = 1;
  std::atomic<std::thread::id> io_thread{};
  Router r;
  EXPECT_TRUE(r.get("/t", [&](const Request&) {
                 io_thread = std::this_thread::get_id();
                 return Response::text(200, "t");
               }).ok());
  auto created = Server::create(o, std::move(r));
  ASSERT_TRUE(created.ok());
  std::unique_ptr<Server> server = std::move(*created);
  std::atomic<std::thread::id> last_hook_thread{};
  server->add_blocking_before_hook(
      [&](Request& req, const RouteMeta&, Headers& out) -> Status {
        last_hook_thread = std::this_thread::get_id();
        out.set("X-Where", req.header("X-Cheap") ? "inline" : "pool");
        return {};
      },
      [&](const Request& req, const RouteMeta&) { return req.header("X-Cheap").has_value(); });
  server->start();
  auto cheap = http_request(server->port(), "GET", "/t", "X-Cheap: 1\r\n");
  EXPECT_EQ(cheap.header("x-where"), "inline");
  EXPECT_EQ(last_hook_thread.load(), io_thread.load());
  auto pooled = http_request(server->port(), "GET", "/t");
  EXPECT_EQ(pooled.header("x-where"), "pool");
  EXPECT_NE(last_hook_thread.load(), io_thread.load());
  server->shutdown();
  server->wait();
}

// A hook that throws aborts its request with 500, wherever it runs; the server goes on.
TEST(BeforeHooks, ThrowingHookIsA500NotACrash) {
  ServerOptions o;
  o.bind = "127.0.0.1:0";
  o.access_log = false;
  auto created = Server::create(o, hook_router());
  ASSERT_TRUE(created.ok());
  std::unique_ptr<Server> server = std::move(*created);
  server->add_blocking_before_hook([](Request& req, const RouteMeta&, Headers&) -> Status {
    if (req.header("X-Boom")) throw std::runtime_error("boom");
    return {};
  });
  server->start();
  EXPECT_EQ(http_request(server->port(), "GET", "/whole", "X-Boom: 1\r\n").status, 500);
  EXPECT_EQ(http_request(server->port(), "GET", "/whole").status, 200);
  server->shutdown();
  server->wait();
}

}  // namespace
}  // namespace woolly::net
