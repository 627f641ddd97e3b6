#include <gtest/gtest.h>

#include <atomic>

#include "api/status_context.h"
#include "common/version.h"
#include "net/test_client.h"
#include "net/test_server.h"

namespace woolly::api {
namespace {

using net::testing::http_request;

struct Fixture {
  std::shared_ptr<StatusContext> ctx = std::make_shared<StatusContext>();
  std::unique_ptr<net::testing::RunningServer> server;

  Fixture() {
    net::Router r;
    EXPECT_TRUE(install_health_routes(r, ctx).ok());
    EXPECT_TRUE(install_stats_routes(r, ctx).ok());
    EXPECT_TRUE(install_metrics_routes(r, ctx).ok());
    server = std::make_unique<net::testing::RunningServer>(net::ServerOptions{}, std::move(r));
    ctx->set_metrics(&server->metrics);
    ctx->set_server_stats([s = server->server.get()] { return s->stats(); });
  }
  uint16_t port() const { return server->port(); }
};

TEST(HealthRoutes, LiveAndHealthAnswerOk) {
  Fixture f;
  auto r = http_request(f.port(), "GET", "/api/v1/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.body, R"({"status":"ok","version":")" + std::string(version()) + "\"}");
  EXPECT_EQ(http_request(f.port(), "GET", "/api/v1/health/live").status, 200);
  auto h = http_request(f.port(), "GET", "/health");
  EXPECT_EQ(h.status, 200);
  EXPECT_NE(h.body.find(R"("status":"ok")"), std::string::npos);
  EXPECT_NE(h.body.find(R"("timestamp":)"), std::string::npos);
}

TEST(HealthRoutes, ReadinessFlipsWithItsDependencies) {
  Fixture f;
  std::atomic<bool> models_loaded{false};
  f.ctx->readiness().add("store", [] { return Status(); });
  f.ctx->readiness().add("models", [&]() -> Status {
    if (!models_loaded) return make_error(Errc::kUnavailable, "loading llama-3");
    return {};
  });
  auto r = http_request(f.port(), "GET", "/api/v1/health/ready");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find(R"("not_ready":"models")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("models":"loading llama-3")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("store":"ready")"), std::string::npos) << r.body;
  EXPECT_EQ(http_request(f.port(), "GET", "/api/v1/health").status, 503);
  // Liveness does not depend on readiness.
  EXPECT_EQ(http_request(f.port(), "GET", "/api/v1/health/live").status, 200);

  models_loaded = true;
  r = http_request(f.port(), "GET", "/api/v1/health/ready");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"("status":"ready")"), std::string::npos) << r.body;
  EXPECT_EQ(http_request(f.port(), "GET", "/api/v1/health").status, 200);
}

TEST(StatsRoutes, HubStatsAndInfo) {
  Fixture f;
  f.ctx->add_stats_contributor([](HubStats& s) {
    s.total_users = 3;
    s.connections_by_role["agent"] = 2;
  });
  f.ctx->add_capability("chat");
  auto r = http_request(f.port(), "GET", "/stats");
  EXPECT_EQ(r.status, 200);
  // The /stats request itself is open and in flight while it is answered.
  EXPECT_NE(r.body.find(R"("totalConnections":1)"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("totalUsers":3)"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("totalPendingRequests":1)"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("connectionsByRole":{"agent":2})"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("version":")" + std::string(version())), std::string::npos);

  auto info = http_request(f.port(), "GET", "/api/v1/info");
  EXPECT_NE(info.body.find(R"("capabilities":["chat"])"), std::string::npos) << info.body;
  EXPECT_NE(info.body.find(R"("uptime_seconds":)"), std::string::npos);

  auto st = http_request(f.port(), "GET", "/api/v1/stats");
  EXPECT_NE(st.body.find(R"("in_flight":1)"), std::string::npos) << st.body;
}

TEST(MetricsRoutes, PrometheusTextFormat) {
  Fixture f;
  http_request(f.port(), "GET", "/api/v1/health");
  http_request(f.port(), "GET", "/api/v1/health");
  auto r = http_request(f.port(), "GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("# TYPE woolly_http_requests_total counter\n"), std::string::npos);
  EXPECT_NE(r.body.find(R"(woolly_http_requests_total{route="/api/v1/health",method="GET",status="200"} 2)"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("# TYPE woolly_http_request_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(r.body.find(R"(woolly_http_request_duration_seconds_bucket{route="/api/v1/health",le="+Inf"} 2)"),
            std::string::npos);
  EXPECT_NE(r.body.find("woolly_websocket_connections 0\n"), std::string::npos);
  // Every non-comment line is `name{labels} value` or `name value`.
  size_t pos = 0;
  while (pos < r.body.size()) {
    size_t nl = r.body.find('\n', pos);
    ASSERT_NE(nl, std::string::npos) << "text must end with a newline";
    std::string line = r.body.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.rfind(' ');
    ASSERT_NE(space, std::string::npos) << line;
    std::string value = line.substr(space + 1);
    EXPECT_TRUE(value == "+Inf" || value == "NaN" || std::strtod(value.c_str(), nullptr) >= 0 ||
                value[0] == '-')
        << line;
  }
}

}  // namespace
}  // namespace woolly::api
