#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "test_client.h"
#include "test_server.h"

namespace woolly::net {
namespace {

using namespace std::chrono_literals;
using testing::Connection;
using testing::http_request;
using testing::RunningServer;

Router basic_router() {
  Router r;
  EXPECT_TRUE(r.get("/hello", [](const Request& req) {
                 return Response::text(200, "hi " + std::string(req.query_param("name").value_or("you")));
               }).ok());
  EXPECT_TRUE(r.get("/items/:id", [](const Request& req) {
                 return Response::text(200, std::string(req.param("id")));
               }).ok());
  EXPECT_TRUE(r.post("/echo", [](const Request& req) { return Response::text(200, req.body); }).ok());
  EXPECT_TRUE(r.get("/throws", [](const Request&) -> Response {
                 throw std::runtime_error("boom");
               }).ok());
  return r;
}

TEST(Server, ServesRoutesWithParamsAndQuery) {
  RunningServer s(ServerOptions{}, basic_router());
  auto r = http_request(s.port(), "GET", "/hello?name=wool%20ly");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hi wool ly");
  r = http_request(s.port(), "GET", "/items/42");
  EXPECT_EQ(r.body, "42");
  r = http_request(s.port(), "POST", "/echo", "", "payload");
  EXPECT_EQ(r.body, "payload");
}

TEST(Server, NotFoundAndMethodNotAllowedWithAllow) {
  RunningServer s(ServerOptions{}, basic_router());
  auto r = http_request(s.port(), "GET", "/missing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_NE(r.body.find(R"("code":"NOT_FOUND")"), std::string::npos) << r.body;
  r = http_request(s.port(), "DELETE", "/hello");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "GET, HEAD");
}

TEST(Server, HandlerExceptionIs500AndServerLives) {
  RunningServer s(ServerOptions{}, basic_router());
  EXPECT_EQ(http_request(s.port(), "GET", "/throws").status, 500);
  EXPECT_EQ(http_request(s.port(), "GET", "/hello").status, 200);
}

TEST(Server, RequestIdGeneratedOrEchoed) {
  RunningServer s(ServerOptions{}, basic_router());
  auto a = http_request(s.port(), "GET", "/hello");
  auto b = http_request(s.port(), "GET", "/hello");
  EXPECT_FALSE(a.header("x-request-id").empty());
  EXPECT_NE(a.header("x-request-id"), b.header("x-request-id"));
  auto c = http_request(s.port(), "GET", "/hello", "X-Request-Id: trace-123\r\n");
  EXPECT_EQ(c.header("x-request-id"), "trace-123");
  // An id that could inject into logs or headers is replaced.
  auto d = http_request(s.port(), "GET", "/hello", "X-Request-Id: bad id<script>\r\n");
  EXPECT_NE(d.header("x-request-id"), "bad id<script>");
  EXPECT_FALSE(d.header("x-request-id").empty());
}

TEST(Server, SecurityHeadersWithoutHstsOnPlainHttp) {
  RunningServer s(ServerOptions{}, basic_router());
  auto r = http_request(s.port(), "GET", "/hello");
  EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.header("x-frame-options"), "DENY");
  EXPECT_EQ(r.header("referrer-policy"), "no-referrer");
  EXPECT_NE(r.header("content-security-policy").find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(r.header("strict-transport-security"), "");
  // Errors carry them too.
  EXPECT_EQ(http_request(s.port(), "GET", "/missing").header("x-frame-options"), "DENY");
}

TEST(Server, BodyLimitRejectsFromContentLengthBeforeBody) {
  ServerOptions o;
  o.max_body_size = 1000;
  RunningServer s(o, basic_router());
  Connection c(s.port());
  // Only the header is sent: the 413 must come without waiting for the body.
  c.send_all("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
  auto r = c.read_response();
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("PAYLOAD_TOO_LARGE"), std::string::npos);
  EXPECT_TRUE(c.wait_closed(2000));
  // Within the limit is fine.
  EXPECT_EQ(http_request(s.port(), "POST", "/echo", "", std::string(900, 'x')).status, 200);
}

TEST(Server, BodyLimitAppliesToChunkedBodies) {
  ServerOptions o;
  o.max_body_size = 1000;
  RunningServer s(o, basic_router());
  Connection c(s.port());
  std::string chunk(800, 'y');
  c.send_all("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  c.send_all("320\r\n" + chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n");
  EXPECT_EQ(c.read_response().status, 413);
}

TEST(Server, KeepAliveServesSeveralRequestsOnOneConnection) {
  RunningServer s(ServerOptions{}, basic_router());
  Connection c(s.port());
  // Two pipelined requests in one write, answered in order.
  c.send_all("GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /items/2 HTTP/1.1\r\nHost: x\r\n\r\n");
  auto a = c.read_response();
  auto b = c.read_response();
  EXPECT_EQ(a.body, "1");
  EXPECT_EQ(b.body, "2");
  c.send_all("HEAD /items/3 HTTP/1.1\r\nHost: x\r\n\r\n");
  auto h = c.read_response(true);
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.header("content-length"), "1");
}

TEST(Server, SlowHeaderIsCutOff) {
  ServerOptions o;
  o.header_timeout = 300ms;
  RunningServer s(o, basic_router());
  Connection c(s.port());
  c.send_all("GET /hello HTTP/1.1\r\nHo");
  auto t0 = std::chrono::steady_clock::now();
  // Trickling bytes does not reset the header deadline.
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(50ms);
    c.send_all("s");
  }
  EXPECT_TRUE(c.wait_closed(3000));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

TEST(Server, IdleKeepAliveConnectionIsClosed) {
  ServerOptions o;
  o.idle_timeout = 300ms;
  RunningServer s(o, basic_router());
  Connection c(s.port());
  c.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.read_response().status, 200);
  EXPECT_TRUE(c.wait_closed(3000));
}

// A route that answers only when the test says so, from another thread.
struct Gate {
  std::mutex mu;
  std::vector<Responder> waiting;
  std::promise<void> entered;
  bool signalled = false;

  Handler handler() {
    return [this](Request, Responder r) {
      std::lock_guard lock(mu);
      waiting.push_back(std::move(r));
      if (!signalled) {
        signalled = true;
        entered.set_value();
      }
    };
  }
  void release_all(int status = 200) {
    std::lock_guard lock(mu);
    for (auto& r : waiting) r.send(Response::text(status, "done"));
    waiting.clear();
  }
};

TEST(Server, ConcurrencyLimitAnswers503WithRetryAfter) {
  Gate gate;
  Router r = basic_router();
  ASSERT_TRUE(r.add(Method::kGet, "/slow", gate.handler()).ok());
  ServerOptions o;
  o.max_concurrent_requests = 1;
  o.threads = 2;
  RunningServer s(o, std::move(r));
  auto slow = std::async(std::launch::async, [&] { return http_request(s.port(), "GET", "/slow"); });
  ASSERT_EQ(gate.entered.get_future().wait_for(5s), std::future_status::ready);
  auto busy = http_request(s.port(), "GET", "/hello");
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.header("retry-after"), "1");
  gate.release_all();
  EXPECT_EQ(slow.get().status, 200);
  EXPECT_EQ(http_request(s.port(), "GET", "/hello").status, 200);
}

TEST(Server, RequestTimeoutAnswers504) {
  Gate gate;
  Router r = basic_router();
  RouteMeta meta;
  meta.timeout = 200ms;
  ASSERT_TRUE(r.add(Method::kGet, "/never", gate.handler(), meta).ok());
  RunningServer s(ServerOptions{}, std::move(r));
  auto t0 = std::chrono::steady_clock::now();
  auto res = http_request(s.port(), "GET", "/never");
  EXPECT_EQ(res.status, 504);
  EXPECT_NE(res.body.find("TIMEOUT"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  gate.release_all();  // a late answer is dropped quietly
}

// Handles a store or engine thread keeps (a late answer, a stream still producing, a forgotten
// responder) may be used and dropped after the server, and its io_context, are gone: they then do
// nothing. Under ASan this caught an exchange's timer destroyed after its io_context.
TEST(Server, HandlesKeptByOtherThreadsOutliveTheServer) {
  Gate gate;
  std::mutex mu;
  std::vector<StreamWriter> streams;
  std::promise<void> streaming;
  Router r = basic_router();
  ASSERT_TRUE(r.add(Method::kGet, "/later", gate.handler()).ok());
  ASSERT_TRUE(r.add(Method::kGet, "/stream", [&](Request, Responder res) {
                 std::lock_guard lock(mu);
                 streams.push_back(res.start_stream());
                 streams.back().write_event("", "first");
                 streaming.set_value();
               }).ok());
  ServerOptions o;
  o.drain_timeout = std::chrono::milliseconds(200);
  auto s = std::make_unique<RunningServer>(o, std::move(r));
  std::thread client_a([port = s->port()] { http_request(port, "GET", "/later"); });
  std::thread client_b([port = s->port()] { http_request(port, "GET", "/stream"); });
  gate.entered.get_future().wait();
  streaming.get_future().wait();
  s.reset();  // shut down (the drain gives up on both) and destroyed
  client_a.join();
  client_b.join();
  gate.release_all();  // late answers: dropped
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(streams.size(), 1u);
    EXPECT_FALSE(streams[0].write_event("", "late"));
    EXPECT_TRUE(streams[0].cancelled());
    bool ran = false;
    streams[0].on_cancel([&] { ran = true; });
    EXPECT_TRUE(ran) << "a stream whose server is gone is cancelled";
    streams.clear();  // the last handle: closes nothing, crashes nothing
  }
}

TEST(Server, CorsPreflightAndActualRequest) {
  ServerOptions o;
  o.cors.allowed_origins = {"https://app.example"};
  RunningServer s(o, basic_router());
  auto pre = http_request(s.port(), "OPTIONS", "/echo",
                          "Origin: https://app.example\r\nAccess-Control-Request-Method: POST\r\n");
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(pre.header("access-control-allow-origin"), "https://app.example");
  EXPECT_NE(pre.header("access-control-allow-methods").find("POST"), std::string::npos);
  EXPECT_NE(pre.header("access-control-allow-headers").find("Authorization"), std::string::npos);
  EXPECT_EQ(pre.header("access-control-max-age"), "600");

  auto bad = http_request(s.port(), "OPTIONS", "/echo",
                          "Origin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\n");
  EXPECT_EQ(bad.status, 403);
  EXPECT_EQ(bad.header("access-control-allow-origin"), "");

  auto actual = http_request(s.port(), "GET", "/hello", "Origin: https://app.example\r\n");
  EXPECT_EQ(actual.header("access-control-allow-origin"), "https://app.example");
  auto other = http_request(s.port(), "GET", "/hello", "Origin: https://evil.example\r\n");
  EXPECT_EQ(other.header("access-control-allow-origin"), "");
}

TEST(Server, BeforeHooksRejectAndSeeRouteMeta) {
  Router r = basic_router();
  RouteMeta admin;
  admin.scope = "admin";
  ASSERT_TRUE(r.get("/admin", [](const Request& req) {
                 return Response::text(200, req.principal ? req.principal->subject : "none");
               }, admin).ok());
  BeforeHook auth = [](Request& req, const RouteMeta& meta, Headers&) -> Status {
    if (meta.scope.empty()) return {};
    auto key = req.header("X-API-Key");
    if (!key) return make_error(Errc::kUnauthenticated, "missing API key");
    if (*key != "good") return make_error(Errc::kPermissionDenied, "scope admin required");
    req.principal = Principal{"alice", "", "admin", {"admin"}, true, nullptr};
    return {};
  };
  RunningServer s(ServerOptions{}, std::move(r), {auth});
  EXPECT_EQ(http_request(s.port(), "GET", "/hello").status, 200);
  auto no = http_request(s.port(), "GET", "/admin");
  EXPECT_EQ(no.status, 401);
  EXPECT_EQ(no.body, R"({"error":{"code":"UNAUTHENTICATED","message":"missing API key","type":"authentication_error"}})");
  EXPECT_EQ(http_request(s.port(), "GET", "/admin", "X-API-Key: bad\r\n").status, 403);
  auto ok = http_request(s.port(), "GET", "/admin", "X-API-Key: good\r\n");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "alice");
}

TEST(Server, ErrorFormatterIsPerRoute) {
  Router r;
  RouteMeta meta;
  meta.error_formatter = [](const Error& e) {
    return Response::json(http_status(e.code), "{\"Error\":\"" + e.message + "\"}");
  };
  ASSERT_TRUE(r.add(Method::kPost, "/", [](Request, Responder rs) {
                 rs.send_error(Error(Errc::kInvalidArgument, "empty prompt"));
               }, meta).ok());
  RunningServer s(ServerOptions{}, std::move(r));
  auto res = http_request(s.port(), "POST", "/", "", "");
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(res.body, R"({"Error":"empty prompt"})");
}

TEST(Server, MetricsCountRequestsByRouteAndStatus) {
  RunningServer s(ServerOptions{}, basic_router());
  http_request(s.port(), "GET", "/items/7");
  http_request(s.port(), "GET", "/items/8");
  http_request(s.port(), "GET", "/missing");
  // The server records after the response is written, so the client may be a moment ahead.
  std::string text;
  for (int i = 0; i < 200; ++i) {
    text = s.metrics.render();
    if (text.find("status=\"404\"} 1") != std::string::npos &&
        text.find("woolly_http_requests_in_flight 0") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_NE(text.find(R"(woolly_http_requests_total{route="/items/:id",method="GET",status="200"} 2)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(woolly_http_requests_total{route="unmatched",method="GET",status="404"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(woolly_http_request_duration_seconds_count{route="/items/:id"} 2)"),
            std::string::npos);
  EXPECT_NE(text.find("woolly_http_sent_bytes_total "), std::string::npos);
  EXPECT_NE(text.find("woolly_http_requests_in_flight 0"), std::string::npos);
}

TEST(Server, PortInUseIsAnError) {
  RunningServer s(ServerOptions{}, basic_router());
  ServerOptions o;
  o.bind = "127.0.0.1:" + std::to_string(s.port());
  auto second = Server::create(o, Router());
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("cannot listen"), std::string::npos);
}

TEST(Server, BadTlsFilesAreAnError) {
  ServerOptions o;
  o.tls = true;
  o.tls_cert_file = "/nonexistent/cert.pem";
  o.tls_key_file = "/nonexistent/key.pem";
  auto s = Server::create(o, Router());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("cert.pem"), std::string::npos);
}

TEST(Server, ListensOnIpv6Loopback) {
  ServerOptions o;
  o.bind = "[::1]:0";
  o.access_log = false;
  auto s = Server::create(o, basic_router());
  if (!s.ok()) GTEST_SKIP() << "no IPv6 here: " << s.error().message;
  (*s)->start();
  testing::Connection c((*s)->port(), 5000, true);
  ASSERT_TRUE(c.connected());
  c.send_all("GET /items/6 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(c.read_response().body, "6");
  (*s)->shutdown();
  (*s)->wait();
}

TEST(Server, ParseBind) {
  auto a = parse_bind("127.0.0.1:8080");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  auto b = parse_bind("[::1]:9");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "::1");
  EXPECT_FALSE(parse_bind("localhost").ok());
  EXPECT_FALSE(parse_bind("1.2.3.4:99999").ok());
}

TEST(Server, GracefulShutdownFinishesInFlightAndRefusesNew) {
  Gate gate;
  Router r = basic_router();
  ASSERT_TRUE(r.add(Method::kGet, "/slow", gate.handler()).ok());
  ServerOptions o;
  o.bind = "127.0.0.1:0";
  o.access_log = false;
  o.drain_timeout = 5s;
  auto created = Server::create(o, std::move(r));
  ASSERT_TRUE(created.ok());
  auto server = std::move(created).value();
  server->start();
  uint16_t port = server->port();
  auto slow = std::async(std::launch::async, [&] { return http_request(port, "GET", "/slow"); });
  ASSERT_EQ(gate.entered.get_future().wait_for(5s), std::future_status::ready);
  server->shutdown();
  std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(testing::connection_refused(port));
  std::thread releaser([&] {
    std::this_thread::sleep_for(200ms);
    gate.release_all();
  });
  auto res = slow.get();
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "done");
  server->wait();  // returns once drained
  releaser.join();
}

}  // namespace
}  // namespace woolly::net
