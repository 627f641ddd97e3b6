// Loopback servers that speak the providers' documented wire formats, for the upstream tests.
#pragma once

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/test_server.h"

namespace woolly::backends::testing {

struct Seen {
  std::string path;
  std::string body;
  net::Headers headers;
};

// Records what the fake received. Handlers run on the server's I/O thread.
struct Recorder {
  std::mutex mu;
  std::vector<Seen> seen;
  void add(const net::Request& r) {
    std::lock_guard lock(mu);
    seen.push_back({r.path, r.body, r.headers});
  }
  Seen last() {
    std::lock_guard lock(mu);
    return seen.empty() ? Seen{} : seen.back();
  }
  boost::json::object last_json() {
    auto s = last();
    return boost::json::parse(s.body).as_object();
  }
};

inline std::string sse(std::string_view event, std::string_view data) {
  std::string out;
  if (!event.empty()) out += "event: " + std::string(event) + "\n";
  out += "data: " + std::string(data) + "\n\n";
  return out;
}

inline net::Headers content_type(std::string_view type) {
  net::Headers h;
  h.set("Content-Type", type);
  return h;
}

}  // namespace woolly::backends::testing
