// Health endpoints: liveness (the process answers), readiness (every registered dependency is
// up), and the combined GET /api/v1/health used by load balancers and the benchmark. Kept cheap:
// the common answer is a constant body.
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "api/status_context.h"
#include "common/version.h"

namespace woolly::api {
namespace {

net::RouteMeta probe_meta() {
  net::RouteMeta m;
  m.public_access = true;
  m.access_log = false;  // probes arrive every few seconds; they would drown the access log
  return m;
}

int64_t unix_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

net::Response readiness_response(const StatusContext& ctx) {
  auto failures = ctx.readiness().failures();
  boost::json::object body;
  boost::json::object checks;
  for (const auto& name : ctx.readiness().names()) checks[name] = "ready";
  for (const auto& f : failures) checks[f.name] = f.reason;
  body["checks"] = std::move(checks);
  if (failures.empty()) {
    body["status"] = "ready";
    return net::Response::json(200, boost::json::serialize(body));
  }
  std::string names;
  for (const auto& f : failures) {
    if (!names.empty()) names += ", ";
    names += f.name;
  }
  body["status"] = "not_ready";
  body["not_ready"] = names;
  net::Response r = net::Response::json(503, boost::json::serialize(body));
  r.headers.set("Retry-After", "5");
  return r;
}

}  // namespace

Status install_health_routes(net::Router& router, std::shared_ptr<StatusContext> ctx) {
  // Liveness and the main health check answer from constants: nothing to allocate but the copy.
  std::string alive = R"({"status":"ok","version":")" + std::string(version()) + "\"}";
  WOOLLY_TRY(router.get("/api/v1/health", [alive, ctx](const net::Request&) {
    if (!ctx->readiness().ready()) return readiness_response(*ctx);
    return net::Response::json(200, alive);
  }, probe_meta()));
  WOOLLY_TRY(router.get("/api/v1/health/live", [alive](const net::Request&) {
    return net::Response::json(200, alive);
  }, probe_meta()));
  WOOLLY_TRY(router.get("/api/v1/health/ready", [ctx](const net::Request&) {
    return readiness_response(*ctx);
  }, probe_meta()));
  WOOLLY_TRY(router.get("/health", [ctx](const net::Request&) {
    boost::json::object body;
    bool ready = ctx->readiness().ready();
    body["status"] = ready ? "ok" : "degraded";
    body["timestamp"] = unix_millis();
    body["version"] = version();
    body["uptime"] = ctx->uptime_seconds();
    return net::Response::json(ready ? 200 : 503, boost::json::serialize(body));
  }, probe_meta()));
  return {};
}

}  // namespace woolly::api
