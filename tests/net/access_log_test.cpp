// The access log never carries a credential sent in the query string (WebSocket and MCP clients
// send `?token=`); the rest of the target stays readable.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <sstream>

#include "net/server.h"
#include "obs/metrics/registry.h"
#include "test_client.h"

namespace woolly::net {
namespace {

using testing::Connection;
using testing::http_request;

// Captures what the default logger (the access log's) writes while it lives.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(text_)) {
    spdlog::default_logger()->sinks().push_back(sink_);
    level_ = spdlog::default_logger()->level();
    spdlog::default_logger()->set_level(spdlog::level::info);
  }
  ~LogCapture() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
    spdlog::default_logger()->set_level(level_);
  }
  std::string text() {
    spdlog::default_logger()->flush();
    return text_.str();
  }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
  spdlog::level::level_enum level_ = spdlog::level::info;
};

Router router() {
  Router r;
  EXPECT_TRUE(r.get("/hello", [](const Request&) { return Response::text(200, "hi"); }).ok());
  WsHandlers h;
  h.on_message = [](const WsConnection& c, std::string msg, bool) { c.send_text(msg); };
  EXPECT_TRUE(r.add_ws("/ws", std::move(h)).ok());
  return r;
}

TEST(AccessLog, CredentialQueryParametersAreRedactedForHttpAndWebSocket) {
  LogCapture log;
  obs::Registry metrics;
  ServerOptions opts;
  opts.bind = "127.0.0.1:0";
  opts.access_log = true;
  auto s = Server::create(std::move(opts), router(), &metrics);
  ASSERT_TRUE(s.ok()) << s.error().message;
  std::unique_ptr<Server> server = std::move(s).value();
  server->start();

  auto r = http_request(server->port(), "GET",
                        "/hello?name=wool&TOKEN=sec-one&access_token=sec-two&Api_Key=sec-three");
  EXPECT_EQ(r.status, 200);
  r = http_request(server->port(), "GET", "/hello?key=sec-four");
  EXPECT_EQ(r.status, 200);
  {
    Connection c(server->port());
    auto hs = c.ws_handshake("/ws?token=sec-five&room=lobby");
    EXPECT_EQ(hs.status, 101);
  }
  // Once the server has stopped every session has written its log line.
  server->shutdown();
  server->wait();

  std::string text = log.text();
  for (const char* secret : {"sec-one", "sec-two", "sec-three", "sec-four", "sec-five"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in:\n" << text;
  }
  EXPECT_NE(text.find("/hello?name=wool&TOKEN=***&access_token=***&Api_Key=***"), std::string::npos)
      << text;
  EXPECT_NE(text.find("/hello?key=*** 200"), std::string::npos) << text;
  EXPECT_NE(text.find("/ws?token=***&room=lobby 101 websocket"), std::string::npos) << text;
}

}  // namespace
}  // namespace woolly::net
