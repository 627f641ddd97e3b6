#include "api/status_context.h"

namespace woolly::api {

StatusContext::StatusContext() : started_(std::chrono::steady_clock::now()) {}

void StatusContext::set_server_stats(std::function<net::ServerStats()> fn) {
  std::lock_guard lock(mu_);
  server_stats_ = std::move(fn);
}

net::ServerStats StatusContext::server_stats() const {
  std::function<net::ServerStats()> fn;
  {
    std::lock_guard lock(mu_);
    fn = server_stats_;
  }
  return fn ? fn() : net::ServerStats{};
}

void StatusContext::add_stats_contributor(std::function<void(HubStats&)> fn) {
  std::lock_guard lock(mu_);
  contributors_.push_back(std::move(fn));
}

HubStats StatusContext::hub_stats() const {
  std::vector<std::function<void(HubStats&)>> fns;
  {
    std::lock_guard lock(mu_);
    fns = contributors_;
  }
  HubStats s;
  for (auto& fn : fns) fn(s);
  return s;
}

void StatusContext::add_capability(std::string name) {
  std::lock_guard lock(mu_);
  capabilities_.push_back(std::move(name));
}

std::vector<std::string> StatusContext::capabilities() const {
  std::lock_guard lock(mu_);
  return capabilities_;
}

void StatusContext::add_info(std::string key, std::function<boost::json::value()> fn) {
  std::lock_guard lock(mu_);
  info_.emplace_back(std::move(key), std::move(fn));
}

std::vector<std::pair<std::string, std::function<boost::json::value()>>>
StatusContext::info_sections() const {
  std::lock_guard lock(mu_);
  return info_;
}

double StatusContext::uptime_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

}  // namespace woolly::api
