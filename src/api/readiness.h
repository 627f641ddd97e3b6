// Readiness: the dependencies that must be up before the server should get traffic (store,
// models, MCP servers, ...). Parts register a named check; GET /api/v1/health/ready runs them
// all and answers 503 naming those that are not ready.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"

namespace woolly::api {

class Readiness {
 public:
  // `check` returns ok when ready, or an Error whose message says why not. It must be cheap and
  // must not block (it runs on an I/O thread, under this registry's lock): report a cached
  // state, do not probe, and do not call back into the registry.
  void add(std::string name, std::function<Status()> check);

  struct Failure {
    std::string name;
    std::string reason;
  };
  // True when every check passes; allocates nothing when they do (the health hot path).
  bool ready() const;
  // Every failing check, in registration order; empty = ready.
  std::vector<Failure> failures() const;
  std::vector<std::string> names() const;

 private:
  mutable std::mutex mu_;  // guards checks_ (registration may happen while serving)
  std::vector<std::pair<std::string, std::function<Status()>>> checks_;
};

}  // namespace woolly::api
