#include "net/client/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "fake_upstream.h"

namespace woolly::net::client {
namespace {

using namespace std::chrono_literals;

TEST(ParseUrl, SchemesPortsAndTargets) {
  auto u = parse_url("https://api.example.com/v1/chat?x=1");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "api.example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/v1/chat?x=1");
  u = parse_url("http://127.0.0.1:8080");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/");
  EXPECT_FALSE(parse_url("ftp://x").ok());
  EXPECT_FALSE(parse_url("http://host:99999/").ok());
}

// A server whose /slow streams a chunk, then waits `delay` before the next; /ok answers at once.
Router slow_router(std::chrono::milliseconds delay, std::atomic<int>& hits) {
  Router r;
  (void)r.get("/ok", [&hits](const Request&) {
    ++hits;
    return Response::text(200, "fine");
  });
  (void)r.add(Method::kGet, "/slow", [delay](Request, Responder res) {
    auto w = res.start_stream(200, backends::testing::content_type("text/plain"));
    w.write_raw("first;");
    std::thread([w, delay]() mutable {
      std::this_thread::sleep_for(delay);
      w.write_raw("second;");
      w.close();
    }).detach();
  });
  return r;
}

TEST(HttpClient, KeepAliveReusesOneConnection) {
  std::atomic<int> hits{0};
  net::testing::RunningServer s{ServerOptions{}, slow_router(10ms, hits)};
  HttpClient client;
  for (int i = 0; i < 5; ++i) {
    HttpRequest r;
    r.url = "http://127.0.0.1:" + std::to_string(s.port()) + "/ok";
    auto resp = client.fetch(r);
    ASSERT_TRUE(resp.ok()) << resp.error().message;
    EXPECT_EQ(resp->status, 200);
    EXPECT_EQ(resp->body, "fine");
  }
  EXPECT_EQ(hits.load(), 5);
  EXPECT_EQ(client.connections_opened(), 1u);
}

// The server sends its second piece only once the client has seen the first (or, if the client
// waited for the whole body, after 10 s, as "late;"): no clock decides the outcome.
TEST(HttpClient, BodyArrivesIncrementally) {
  auto seen_first = std::make_shared<std::promise<void>>();
  Router router;
  ASSERT_TRUE(router.add(Method::kGet, "/pieces", [seen_first](Request, Responder res) {
    auto w = res.start_stream(200, backends::testing::content_type("text/plain"));
    w.write_raw("first;");
    std::thread([w, seen = seen_first->get_future()]() mutable {
      bool in_time = seen.wait_for(10s) == std::future_status::ready;
      w.write_raw(in_time ? "second;" : "late;");
      w.close();
    }).detach();
  }).ok());
  net::testing::RunningServer s{ServerOptions{}, std::move(router)};
  HttpClient client;
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(s.port()) + "/pieces";
  std::promise<Status> done;
  std::string body;
  client.stream(r, {nullptr,
                    [&](std::string_view b) {
                      bool first = body.empty();
                      body.append(b);
                      if (first) seen_first->set_value();
                    },
                    [&](Status st) { done.set_value(std::move(st)); }});
  ASSERT_TRUE(done.get_future().get().ok());
  EXPECT_EQ(body, "first;second;");
}

TEST(HttpClient, ReadTimeoutIsATimeout) {
  std::atomic<int> hits{0};
  net::testing::RunningServer s{ServerOptions{}, slow_router(2000ms, hits)};
  HttpClient client;
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(s.port()) + "/slow";
  r.read_timeout = 200ms;
  auto t0 = std::chrono::steady_clock::now();
  auto resp = client.fetch(r);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.error().code, Errc::kTimeout) << resp.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
}

TEST(HttpClient, CancelStopsAStreamMidway) {
  std::atomic<int> hits{0};
  net::testing::RunningServer s{ServerOptions{}, slow_router(3000ms, hits)};
  HttpClient client;
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(s.port()) + "/slow";
  auto flag = std::make_shared<std::atomic<bool>>(false);
  r.cancelled = [flag] { return flag->load(); };
  std::promise<Status> done;
  client.stream(r, {nullptr, [flag](std::string_view) { *flag = true; },
                    [&](Status st) { done.set_value(std::move(st)); }});
  auto t0 = std::chrono::steady_clock::now();
  Status st = done.get_future().get();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::kCancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1000ms);
}

TEST(HttpClient, RetriesARefusedConnectionUntilTheServerIsUp) {
  uint16_t port;
  {
    std::atomic<int> unused{0};
    net::testing::RunningServer probe{ServerOptions{}, slow_router(1ms, unused)};
    port = probe.port();
  }
  std::atomic<int> hits{0};
  HttpClient client;
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/ok";
  r.max_retries = 6;
  r.retry_backoff = 50ms;  // 50, 100, 200, 400, ... ms
  auto pending = std::async(std::launch::async, [&] { return client.fetch(r); });
  std::this_thread::sleep_for(120ms);
  ServerOptions o;
  o.bind = "127.0.0.1:" + std::to_string(port);
  o.access_log = false;
  auto server = Server::create(o, slow_router(1ms, hits));
  ASSERT_TRUE(server.ok()) << server.error().message;
  (*server)->start();
  auto resp = pending.get();
  ASSERT_TRUE(resp.ok()) << resp.error().message;
  EXPECT_EQ(resp->body, "fine");
  (*server)->shutdown();
  (*server)->wait();
}

}  // namespace
}  // namespace woolly::net::client
