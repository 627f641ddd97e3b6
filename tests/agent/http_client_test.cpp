// The Streamable HTTP client transport against Woolly's own MCP server (Streamable HTTP at /mcp,
// in this process, on loopback): both protocol eras, progress, a server->client request answered
// over HTTP, a forgotten session renewed, the session stream, DELETE on close; and the host
// connecting to an "http" server from its configuration.
#include "net/client/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <mutex>
#include <thread>

#include "agent/mcp_host.h"
#include "mcp/service.h"
#include "mcp/transport/http_client_transport.h"
#include "mcp/transport/streamable_http.h"
#include "net/server.h"

namespace woolly::mcp::transport {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

bool wait_for(const std::function<bool()>& pred, std::chrono::milliseconds limit = 10s) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

std::string first_text(const json::object& result) {
  const json::value* c = result.if_contains("content");
  if (!c || !c->is_array() || c->as_array().empty()) return {};
  const json::value* t = c->as_array()[0].as_object().if_contains("text");
  return t && t->is_string() ? std::string(t->as_string()) : std::string();
}

class HttpClientTransport : public ::testing::Test {
 protected:
  void SetUp() override {
    ServiceOptions o;
    o.enable_test_fixtures = true;
    o.server.name = "woolly-under-test";
    auto s = Service::create(o);
    ASSERT_TRUE(s.ok()) << s.error().message;
    service_ = std::move(*s);
    http_ = std::make_unique<StreamableHttp>(service_->server(), StreamableHttpOptions{});
    net::Router router;
    ASSERT_TRUE(http_->mount(router).ok());
    net::ServerOptions no;
    no.threads = 2;
    no.access_log = false;
    no.drain_timeout = 2s;
    auto server = net::Server::create(no, std::move(router));
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(*server);
    server_->start();
    url_ = "http://" + server_->local_address() + "/mcp";
  }
  void TearDown() override {
    http_.reset();  // ends the sessions (and their streams) before the server drains
    if (server_) {
      server_->shutdown();
      server_->wait();
    }
  }

  std::unique_ptr<HttpClientConnection> open(bool modern, ClientOptions c = {}) {
    c.try_modern = modern;
    c.request_timeout = 10s;
    HttpClientOptions h;
    h.url = url_;
    auto conn = HttpClientConnection::open(h, std::move(c));
    EXPECT_TRUE(conn.ok()) << conn.error().message;
    return conn.ok() ? std::move(*conn) : nullptr;
  }

  std::unique_ptr<Service> service_;
  std::unique_ptr<StreamableHttp> http_;
  std::unique_ptr<net::Server> server_;
  std::string url_;
};

TEST_F(HttpClientTransport, StatelessRevisionCallsToolsWithProgressAndErrors) {
  auto conn = open(true);
  auto d = conn->client().connect();
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_TRUE(d->modern);
  EXPECT_EQ(d->protocol_version, "2026-07-28");
  EXPECT_EQ(conn->session_id(), "");

  auto tools = conn->client().list_tools();
  ASSERT_TRUE(tools.ok()) << tools.error().message;
  EXPECT_GT(tools->size(), 5u);
  auto r = conn->client().call_tool("test_simple_text", {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(first_text(*r), "This is a simple text response for testing.");

  std::vector<double> progress;
  CallOptions co;
  co.on_progress = [&](const json::object& p) {
    progress.push_back(p.at("progress").to_number<double>());
  };
  r = conn->client().call_tool("test_tool_with_progress", {}, co);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(progress, (std::vector<double>{0, 50, 100}));

  // A 4xx answer carrying the JSON-RPC error reaches the caller as that error.
  r = conn->client().call_tool("no_such_tool", {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no_such_tool"), std::string::npos) << r.error().message;
  EXPECT_FALSE(conn->lost());
}

TEST_F(HttpClientTransport, SessionRevisionAnswersServerRequestsAndDeletesTheSession) {
  ClientOptions c;
  c.extra_capabilities["elicitation"] = json::object{};
  c.request_handler = [](const std::string& method, const json::object&) -> Result<json::object> {
    if (method != "elicitation/create") return make_error(Errc::kUnsupported, method);
    return json::object{{"action", "accept"}, {"content", json::object{{"response", "baa"}}}};
  };
  auto conn = open(false, std::move(c));
  auto d = conn->client().connect();
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_FALSE(d->modern);
  EXPECT_EQ(d->protocol_version, "2025-11-25");
  EXPECT_NE(conn->session_id(), "");
  EXPECT_EQ(http_->stats().sessions, 1u);

  auto r = conn->client().call_tool("test_elicitation", {{"message", "Your name?"}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(first_text(*r), R"(User response: action=accept, content={"response":"baa"})");

  int progress = 0;
  CallOptions co;
  co.on_progress = [&](const json::object&) { ++progress; };
  r = conn->client().call_tool("test_tool_with_progress", {}, co);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(progress, 3);

  conn.reset();  // DELETE ends the session on the server
  EXPECT_EQ(http_->stats().sessions, 0u);
}

TEST_F(HttpClientTransport, ForgottenSessionIsRenewedAndTheCallGoesThrough) {
  auto conn = open(false);
  ASSERT_TRUE(conn->client().connect().ok());
  std::string first = conn->session_id();
  ASSERT_FALSE(first.empty());

  // Another party ends the session: the server answers the next POST with 404.
  net::client::HttpClient other;
  net::client::HttpRequest del;
  del.method = net::Method::kDelete;
  del.url = url_;
  del.headers.set("Mcp-Session-Id", first);
  auto gone = other.fetch(del);
  ASSERT_TRUE(gone.ok()) << gone.error().message;
  ASSERT_EQ(gone->status, 200);

  auto r = conn->client().call_tool("test_simple_text", {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(first_text(*r), "This is a simple text response for testing.");
  EXPECT_NE(conn->session_id(), "");
  EXPECT_NE(conn->session_id(), first);
  EXPECT_EQ(http_->stats().sessions, 1u);
}

TEST_F(HttpClientTransport, SessionStreamCarriesServerNotifications) {
  auto conn = open(false);
  std::mutex m;
  std::vector<std::string> seen;
  conn->client().on_notification([&](const Message& n) {
    std::lock_guard lock(m);
    seen.push_back(n.method);
  });
  ASSERT_TRUE(conn->client().connect().ok());
  ASSERT_TRUE(conn->client().list_tools().ok());
  // A tool added at run time: the server tells the session on its GET stream.
  ToolSpec spec;
  spec.name = "added_later";
  spec.handler =
      sync_tool([](ToolContext&) -> Result<ToolResult> { return ToolResult::text("x"); });
  ASSERT_TRUE(service_->tools().add(std::move(spec)).ok());
  EXPECT_TRUE(wait_for([&] {
    std::lock_guard lock(m);
    return std::find(seen.begin(), seen.end(), "notifications/tools/list_changed") != seen.end();
  }));
}

TEST_F(HttpClientTransport, UnreachableServerFailsAtOnceAndIsLost) {
  url_ = "http://127.0.0.1:1/mcp";  // port 1: nothing listens there
  auto conn = open(false);
  auto d = conn->client().connect();
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, Errc::kUnavailable) << d.error().message;
  EXPECT_TRUE(conn->lost());
}

TEST_F(HttpClientTransport, HostConnectsToAnHttpServerFromItsConfig) {
  config::McpConfig cfg;
  cfg.servers["woolly"].type = "http";
  cfg.servers["woolly"].url = url_;
  cfg.servers["woolly"].allow_tools = {"test_simple_text", "test_tool_with_progress"};
  agent::McpHost host(cfg);
  host.start();
  auto status = host.servers();
  ASSERT_EQ(status.size(), 1u);
  ASSERT_EQ(status[0].state, agent::ServerState::kReady) << status[0].last_error;
  EXPECT_EQ(host.tools().size(), 2u);
  int progress = 0;
  auto out = host.call("woolly__test_tool_with_progress", "{}", nullptr,
                       [&](const json::object&) { ++progress; });
  EXPECT_FALSE(out.is_error) << out.text;
  EXPECT_EQ(out.text, "Progress reported for 3 steps");
  EXPECT_EQ(progress, 3);
  host.stop();
}

}  // namespace
}  // namespace woolly::mcp::transport
