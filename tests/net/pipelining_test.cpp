// HTTP/1.1 pipelining on one connection: answers in request order, a bounded read-ahead, and a
// reader that notices a client leaving while its request is handled.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "test_client.h"
#include "test_server.h"

namespace woolly::net {
namespace {

using namespace std::chrono_literals;
using testing::Connection;
using testing::RunningServer;

// /slow answers only when the test releases it; /items/:id and /size answer at once.
struct SlowRoute {
  std::mutex mu;
  std::vector<Responder> waiting;
  std::promise<void> entered;
  std::promise<void> cancelled;
  bool signalled = false;
  bool cancel_seen = false;

  Router router() {
    Router r;
    EXPECT_TRUE(r.get("/items/:id", [](const Request& req) {
                   return Response::text(200, std::string(req.param("id")));
                 }).ok());
    EXPECT_TRUE(r.post("/size", [](const Request& req) {
                   return Response::text(200, std::to_string(req.body.size()));
                 }).ok());
    EXPECT_TRUE(r.add(Method::kGet, "/slow", [this](Request, Responder rs) {
                   std::lock_guard lock(mu);
                   rs.on_cancel([this] {
                     std::lock_guard lock2(mu);
                     if (!cancel_seen) {
                       cancel_seen = true;
                       cancelled.set_value();
                     }
                   });
                   waiting.push_back(std::move(rs));
                   if (!signalled) {
                     signalled = true;
                     entered.set_value();
                   }
                 }).ok());
    return r;
  }
  void release_all() {
    std::lock_guard lock(mu);
    for (auto& r : waiting) r.send(Response::text(200, "done"));
    waiting.clear();
  }
};

std::string get(const std::string& target, const std::string& extra = {}) {
  return "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + extra + "\r\n";
}

TEST(Pipelining, AnAnswerLargerThanTheSendBufferArrivesWholeBeforeTheNext) {
  // 8 MiB cannot be written at once to a client that does not read yet: the rest of the answer
  // goes out asynchronously, and the next pipelined answer only after it.
  std::string big(8u << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + (i * 31 + i / 4096) % 26);
  Router r;
  ASSERT_TRUE(r.get("/big", [&big](const Request&) { return Response::text(200, big); }).ok());
  ASSERT_TRUE(r.get("/items/:id", [](const Request& req) {
                 return Response::text(200, std::string(req.param("id")));
               }).ok());
  RunningServer s(ServerOptions{}, std::move(r));
  Connection c(s.port(), 10000);
  ASSERT_TRUE(c.send_all(get("/big") + get("/items/2") + get("/big") + get("/items/3")));
  std::this_thread::sleep_for(200ms);  // the server's first write fills the socket buffers
  for (std::string_view expect : {"big", "2", "big", "3"}) {
    testing::HttpReply reply = c.read_response();
    ASSERT_TRUE(reply.ok);
    EXPECT_EQ(reply.status, 200);
    if (expect == "big") {
      ASSERT_EQ(reply.body.size(), big.size());
      EXPECT_TRUE(reply.body == big);
    } else {
      EXPECT_EQ(reply.body, expect);
    }
  }
}

TEST(Pipelining, TwentyRequestsInOneWriteAreAnsweredInOrder) {
  SlowRoute slow;
  RunningServer s(ServerOptions{}, slow.router());
  Connection c(s.port());
  std::string burst;
  for (int i = 0; i < 20; ++i) {
    if (i % 3 == 0) {
      std::string body(static_cast<size_t>(i) * 10, 'b');
      burst += "POST /size HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
               "\r\n\r\n" + body;
    } else {
      burst += get("/items/" + std::to_string(i));
    }
  }
  ASSERT_TRUE(c.send_all(burst));
  for (int i = 0; i < 20; ++i) {
    auto r = c.read_response();
    ASSERT_TRUE(r.ok) << "response " << i;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, i % 3 == 0 ? std::to_string(i * 10) : std::to_string(i)) << "response " << i;
  }
  // The connection is still usable afterwards.
  ASSERT_TRUE(c.send_all(get("/items/last")));
  EXPECT_EQ(c.read_response().body, "last");
}

TEST(Pipelining, SlowFirstRequestDoesNotLetLaterAnswersOvertakeIt) {
  SlowRoute slow;
  RunningServer s(ServerOptions{}, slow.router());
  Connection c(s.port());
  std::string burst = get("/slow");
  for (int i = 1; i <= 5; ++i) burst += get("/items/" + std::to_string(i));
  ASSERT_TRUE(c.send_all(burst));
  ASSERT_EQ(slow.entered.get_future().wait_for(5s), std::future_status::ready);
  // The fast requests are ready long before the slow one, yet nothing may come out first.
  EXPECT_EQ(c.read_until("HTTP/1.1", 300), "");
  slow.release_all();
  auto first = c.read_response();
  EXPECT_EQ(first.body, "done");
  for (int i = 1; i <= 5; ++i) EXPECT_EQ(c.read_response().body, std::to_string(i));
}

TEST(Pipelining, ReadAheadStopsAtTheBoundUntilAnswersDrain) {
  SlowRoute slow;
  ServerOptions o;
  o.max_pipelined_requests = 2;
  RunningServer s(o, slow.router());
  Connection c(s.port(), 20000);
  constexpr int kBodies = 48;
  const std::string body(1 << 20, 'p');
  std::string data = get("/slow");
  for (int i = 0; i < kBodies; ++i) {
    data += "POST /size HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n\r\n" + body;
  }
  // Push without blocking until the server stops taking bytes. If it read on past the bound, it
  // would take all 48 MiB; with the bound (2 requests of 1 MiB) only the socket buffers fill:
  // at most 32 MiB of receive buffer (tcp_rmem max here) and 4 MiB of send buffer.
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(c.fd(), data.data() + sent, data.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    ASSERT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) << "send failed: " << errno;
    pollfd p{c.fd(), POLLOUT, 0};
    if (::poll(&p, 1, 500) == 0) break;  // no room for half a second: the server stopped reading
  }
  ASSERT_EQ(slow.entered.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_LT(sent, size_t{40} << 20) << "the server read past max_pipelined_requests";
  slow.release_all();
  std::thread rest([&] { c.send_all(std::string_view(data).substr(sent)); });
  EXPECT_EQ(c.read_response().body, "done");
  for (int i = 0; i < kBodies; ++i) {
    auto r = c.read_response();
    ASSERT_TRUE(r.ok) << "response " << i;
    EXPECT_EQ(r.body, std::to_string(body.size()));
  }
  rest.join();
}

TEST(Pipelining, LongAnswerIsNotIdleness) {
  SlowRoute slow;
  ServerOptions o;
  o.idle_timeout = 200ms;
  o.header_timeout = 200ms;
  RunningServer s(o, slow.router());
  Connection c(s.port());
  ASSERT_TRUE(c.send_all(get("/slow")));
  ASSERT_EQ(slow.entered.get_future().wait_for(5s), std::future_status::ready);
  // Well past both timeouts while the answer is being worked on: the connection stays.
  EXPECT_FALSE(c.wait_closed(800));
  slow.release_all();
  auto r = c.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "done");
  // Idle afterwards: now the idle timeout closes it.
  EXPECT_TRUE(c.wait_closed(5000));
}

void expect_disconnect_cancels(const std::string& extra_headers) {
  SlowRoute slow;
  RunningServer s(ServerOptions{}, slow.router());
  {
    Connection c(s.port());
    ASSERT_TRUE(c.send_all(get("/slow", extra_headers)));
    ASSERT_EQ(slow.entered.get_future().wait_for(5s), std::future_status::ready);
  }  // the client goes away
  EXPECT_EQ(slow.cancelled.get_future().wait_for(5s), std::future_status::ready);
  slow.release_all();  // a late answer is dropped quietly
}

TEST(Pipelining, ClientLeavingCancelsItsKeepAliveRequest) { expect_disconnect_cancels(""); }

TEST(Pipelining, ClientLeavingCancelsItsConnectionCloseRequest) {
  expect_disconnect_cancels("Connection: close\r\n");
}

TEST(Pipelining, ContinueIsSentOnlyOnceEarlierAnswersAreOut) {
  SlowRoute slow;
  RunningServer s(ServerOptions{}, slow.router());
  Connection c(s.port());
  ASSERT_TRUE(c.send_all(get("/slow") +
                         "POST /size HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                         "Expect: 100-continue\r\n\r\n"));
  ASSERT_EQ(slow.entered.get_future().wait_for(5s), std::future_status::ready);
  // A 100 Continue now would land before the first answer.
  EXPECT_EQ(c.read_until("HTTP/1.1", 300), "");
  slow.release_all();
  EXPECT_EQ(c.read_response().body, "done");
  EXPECT_EQ(c.read_response(true).status, 100);
  ASSERT_TRUE(c.send_all("hello"));
  EXPECT_EQ(c.read_response().body, "5");
}

TEST(Pipelining, MalformedRequestAfterGoodOnesIsAnsweredInItsTurn) {
  SlowRoute slow;
  RunningServer s(ServerOptions{}, slow.router());
  Connection c(s.port());
  ASSERT_TRUE(c.send_all(get("/slow") + get("/items/1") + "NOT A REQUEST\r\n\r\n"));
  ASSERT_EQ(slow.entered.get_future().wait_for(5s), std::future_status::ready);
  slow.release_all();
  EXPECT_EQ(c.read_response().body, "done");
  EXPECT_EQ(c.read_response().body, "1");
  EXPECT_EQ(c.read_response().status, 400);
  EXPECT_TRUE(c.wait_closed(5000));
}

}  // namespace
}  // namespace woolly::net
