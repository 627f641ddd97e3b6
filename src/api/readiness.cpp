#include "api/readiness.h"

namespace woolly::api {

void Readiness::add(std::string name, std::function<Status()> check) {
  std::lock_guard lock(mu_);
  checks_.emplace_back(std::move(name), std::move(check));
}

bool Readiness::ready() const {
  std::lock_guard lock(mu_);
  for (const auto& [name, check] : checks_) {
    if (!check().ok()) return false;
  }
  return true;
}

std::vector<Readiness::Failure> Readiness::failures() const {
  std::lock_guard lock(mu_);
  std::vector<Failure> out;
  for (const auto& [name, check] : checks_) {
    Status st = check();
    if (!st.ok()) out.push_back(Failure{name, st.error().message});
  }
  return out;
}

std::vector<std::string> Readiness::names() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, check] : checks_) out.push_back(name);
  return out;
}

}  // namespace woolly::api
