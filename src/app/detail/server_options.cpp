#include "app/detail/server_options.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace woolly::app::detail {
namespace {

std::chrono::milliseconds seconds(double s) {
  return std::chrono::milliseconds(static_cast<int64_t>(std::max(0.0, s) * 1000.0));
}

}  // namespace

net::ServerOptions make_server_options(const config::Config& c) {
  net::ServerOptions o;
  o.bind = c.server.bind;
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  o.threads = c.server.threads > 0 ? c.server.threads : cores;
  o.header_timeout = seconds(c.server.header_timeout);
  o.idle_timeout = seconds(c.server.idle_timeout);
  o.drain_timeout = seconds(c.server.drain_timeout);
  o.request_timeout = seconds(c.limits.request_timeout);
  o.max_body_size = static_cast<uint64_t>(std::max<int64_t>(0, c.limits.max_body_size));
  o.max_concurrent_requests = c.limits.max_concurrent_requests;
  o.max_pipelined_requests = c.server.max_pipelined_requests;
  o.tls = c.tls.enabled;
  o.tls_cert_file = c.tls.cert_file;
  o.tls_key_file = c.tls.key_file;
  o.cors.allowed_origins = c.cors.allowed_origins;
  o.cors.allowed_methods = c.cors.allowed_methods;
  o.cors.allowed_headers = c.cors.allowed_headers;
  o.cors.allow_credentials = c.cors.allow_credentials;
  o.cors.max_age = c.cors.max_age;
  o.max_ws_connections = c.mcp.max_ws_connections;
  o.ws_max_message_size = static_cast<uint64_t>(std::max<int64_t>(0, c.mcp.max_message_size));
  o.ws_idle_timeout = seconds(c.server.idle_timeout);
  return o;
}

}  // namespace woolly::app::detail
