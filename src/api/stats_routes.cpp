// GET /stats (the hub's summary), GET /api/v1/stats (server counters) and GET /api/v1/info
// (version, build, uptime, capabilities).
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "api/status_context.h"
#include "common/version.h"

namespace woolly::api {
namespace {

net::RouteMeta public_meta() {
  net::RouteMeta m;
  m.public_access = true;
  return m;
}

int64_t unix_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Status install_stats_routes(net::Router& router, std::shared_ptr<StatusContext> ctx) {
  WOOLLY_TRY(router.get("/stats", [ctx](const net::Request&) {
    net::ServerStats s = ctx->server_stats();
    HubStats hub = ctx->hub_stats();
    boost::json::object roles;
    for (const auto& [role, n] : hub.connections_by_role) roles[role] = n;
    boost::json::object body;
    body["totalConnections"] = s.open_connections + s.ws_connections;
    body["totalUsers"] = hub.total_users;
    body["totalPendingRequests"] = s.in_flight_requests + hub.pending_requests;
    body["connectionsByRole"] = std::move(roles);
    body["timestamp"] = unix_millis();
    body["version"] = version();
    return net::Response::json(200, boost::json::serialize(body));
  }, public_meta()));

  WOOLLY_TRY(router.get("/api/v1/stats", [ctx](const net::Request&) {
    net::ServerStats s = ctx->server_stats();
    boost::json::object conns{{"open", s.open_connections},
                              {"websocket", s.ws_connections},
                              {"accepted_total", s.total_connections}};
    boost::json::object reqs{{"in_flight", s.in_flight_requests}, {"total", s.total_requests}};
    boost::json::object body{{"connections", std::move(conns)},
                             {"requests", std::move(reqs)},
                             {"uptime_seconds", ctx->uptime_seconds()}};
    return net::Response::json(200, boost::json::serialize(body));
  }, public_meta()));

  WOOLLY_TRY(router.get("/api/v1/info", [ctx](const net::Request&) {
    boost::json::array caps;
    for (const auto& c : ctx->capabilities()) caps.emplace_back(c);
    boost::json::object body{{"name", "woolly"},
                             {"version", version()},
                             {"build", build_info()},
                             {"uptime_seconds", ctx->uptime_seconds()},
                             {"capabilities", std::move(caps)}};
    for (const auto& [key, fn] : ctx->info_sections()) body[key] = fn();
    return net::Response::json(200, boost::json::serialize(body));
  }, public_meta()));
  return {};
}

}  // namespace woolly::api
