// What the health, stats, info and metrics endpoints report on. The app fills it; other parts
// add readiness checks and stats contributors (e.g. the hub WebSocket counts users by role).
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/readiness.h"
#include "net/server.h"

namespace woolly::obs {
class Registry;
}

namespace woolly::api {

// The figures of GET /stats beyond what the HTTP server itself knows.
struct HubStats {
  int64_t total_users = 0;
  int64_t pending_requests = 0;  // e.g. requests waiting for the engine
  std::map<std::string, int64_t> connections_by_role;
};

class StatusContext {
 public:
  StatusContext();

  Readiness& readiness() { return readiness_; }
  const Readiness& readiness() const { return readiness_; }
  void set_metrics(obs::Registry* registry) { metrics_ = registry; }
  obs::Registry* metrics() const { return metrics_; }
  // Set once the server exists (routes are installed before it is created).
  void set_server_stats(std::function<net::ServerStats()> fn);
  net::ServerStats server_stats() const;
  // Contributors add their figures to the /stats snapshot; thread-safe.
  void add_stats_contributor(std::function<void(HubStats&)> fn);
  HubStats hub_stats() const;
  void add_capability(std::string name);
  std::vector<std::string> capabilities() const;
  // Sections of GET /api/v1/info beyond the fixed ones (e.g. "mcp_servers"); `fn` runs on an I/O
  // thread for every request, so it must be cheap and must not block.
  void add_info(std::string key, std::function<boost::json::value()> fn);
  std::vector<std::pair<std::string, std::function<boost::json::value()>>> info_sections() const;
  double uptime_seconds() const;

 private:
  Readiness readiness_;
  obs::Registry* metrics_ = nullptr;
  std::chrono::steady_clock::time_point started_;
  mutable std::mutex mu_;  // guards the four members below
  std::function<net::ServerStats()> server_stats_;
  std::vector<std::function<void(HubStats&)>> contributors_;
  std::vector<std::string> capabilities_;
  std::vector<std::pair<std::string, std::function<boost::json::value()>>> info_;
};

// Registers GET /api/v1/health, /api/v1/health/live, /api/v1/health/ready and GET /health.
Status install_health_routes(net::Router& router, std::shared_ptr<StatusContext> ctx);
// Registers GET /stats, /api/v1/stats and /api/v1/info.
Status install_stats_routes(net::Router& router, std::shared_ptr<StatusContext> ctx);
// Registers GET /metrics (Prometheus text format 0.0.4).
Status install_metrics_routes(net::Router& router, std::shared_ptr<StatusContext> ctx);

}  // namespace woolly::api
