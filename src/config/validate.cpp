#include "config/validate.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace woolly::config {
namespace {

// MCP revisions the server can speak; protocol_version names the newest one offered.
constexpr std::string_view kMcpVersions[] = {"2024-11-05", "2025-03-26", "2025-06-18",
                                             "2025-11-25"};
constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warning", "error"};
constexpr std::string_view kChatTemplates[] = {"",        "chatml", "llama3", "llama2",
                                               "mistral", "gemma",  "phi3"};
constexpr std::string_view kBackendTypes[] = {"local", "openai", "ollama", "anthropic"};

template <size_t N>
bool one_of(std::string_view value, const std::string_view (&options)[N]) {
  return std::find(std::begin(options), std::end(options), value) != std::end(options);
}

template <size_t N>
std::string list(const std::string_view (&options)[N]) {
  std::string out;
  for (std::string_view o : options) {
    if (o.empty()) continue;
    if (!out.empty()) out += "|";
    out += o;
  }
  return out;
}

class Checker {
 public:
  void fail(std::string key, std::string reason) { problems.push_back(key + ": " + reason); }

  template <typename T>
  void at_least(std::string key, T value, T minimum) {
    if (value < minimum) {
      fail(std::move(key), "must be at least " + num(minimum) + ", got " + num(value));
    }
  }
  void positive(std::string key, double value) {
    if (!(value > 0)) fail(std::move(key), "must be greater than 0, got " + num(value));
  }
  void within(std::string key, double value, double lo, double hi) {
    if (!(value >= lo && value <= hi)) {
      fail(std::move(key),
           "must be between " + num(lo) + " and " + num(hi) + ", got " + num(value));
    }
  }
  void http_url(std::string key, const std::string& url) {
    if (!url.starts_with("http://") && !url.starts_with("https://")) {
      fail(std::move(key), "expected an http:// or https:// URL");
    }
  }

  std::vector<std::string> problems;

 private:
  template <typename T>
  static std::string num(T v) {
    if constexpr (std::is_floating_point_v<T>) {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, v);
      return std::string(buf, r.ptr);
    } else {
      return std::to_string(v);
    }
  }
};

void check_server(const Config& c, Checker& k) {
  std::string host;
  int port = 0;
  if (!split_bind(c.server.bind, &host, &port)) {
    if (c.server.bind.rfind(':') != std::string::npos && !host.empty()) {
      k.fail("server.bind", "port out of range (0..65535) in \"" + c.server.bind + "\"");
    } else {
      k.fail("server.bind", "expected ADDR:PORT, got \"" + c.server.bind + "\"");
    }
  }
  k.at_least("server.threads", c.server.threads, 0);
  k.positive("server.header_timeout", c.server.header_timeout);
  k.positive("server.idle_timeout", c.server.idle_timeout);
  k.at_least("server.max_pipelined_requests", c.server.max_pipelined_requests, 1);
  k.at_least("server.drain_timeout", c.server.drain_timeout, 0.0);
  if (c.server.data_dir.empty()) k.fail("server.data_dir", "must not be empty");

  if (c.tls.enabled && c.tls.cert_file.empty())
    k.fail("tls.cert_file", "required when tls.enabled");
  if (c.tls.enabled && c.tls.key_file.empty()) k.fail("tls.key_file", "required when tls.enabled");

  k.at_least("cors.max_age", c.cors.max_age, 0);
  bool any_origin = std::find(c.cors.allowed_origins.begin(), c.cors.allowed_origins.end(), "*") !=
                    c.cors.allowed_origins.end();
  if (any_origin && c.cors.allow_credentials) {
    k.fail("cors.allow_credentials", "cannot be true when allowed_origins contains \"*\"");
  }
}

void check_access(const Config& c, Checker& k) {
  k.at_least<int64_t>("auth.jwt_expiration", c.auth.jwt_expiration, 1);
  for (size_t i = 0; i < c.auth.api_keys.size(); ++i) {
    if (c.auth.api_keys[i].empty()) k.fail("auth.api_keys[" + std::to_string(i) + "]", "empty key");
  }
  k.at_least("rate_limit.authenticated_rpm", c.rate_limit.authenticated_rpm, 0);
  k.at_least("rate_limit.anonymous_rpm", c.rate_limit.anonymous_rpm, 0);
  k.at_least("rate_limit.burst_capacity", c.rate_limit.burst_capacity, 1);
  k.at_least("rate_limit.tokens_per_minute", c.rate_limit.tokens_per_minute, 0);
}

void check_mcp(const Config& c, Checker& k) {
  if (!one_of(c.mcp.protocol_version, kMcpVersions)) {
    k.fail("mcp.protocol_version", "unknown revision \"" + c.mcp.protocol_version +
                                       "\" (known: " + list(kMcpVersions) + ")");
  }
  if (c.mcp.server_info.name.empty()) k.fail("mcp.server_info.name", "must not be empty");
  k.at_least("mcp.max_ws_connections", c.mcp.max_ws_connections, 1);
  k.at_least<int64_t>("mcp.max_message_size", c.mcp.max_message_size, 1024);
  k.at_least("mcp.max_tool_rounds", c.mcp.max_tool_rounds, 1);
  k.at_least<int64_t>("mcp.max_tool_result_bytes", c.mcp.max_tool_result_bytes, 1);
  for (const auto& [name, s] : c.mcp.servers) {
    std::string key = "mcp.servers." + name;
    if (s.type == "stdio") {
      if (s.command.empty()) k.fail(key + ".command", "required when type = \"stdio\"");
    } else if (s.type == "http") {
      if (s.url.empty()) {
        k.fail(key + ".url", "required when type = \"http\"");
      } else {
        k.http_url(key + ".url", s.url);
      }
    } else {
      k.fail(key + ".type", "unknown server type \"" + s.type + "\" (known: stdio|http)");
    }
    k.positive(key + ".timeout", s.timeout);
  }
}

void check_inference(const Config& c, Checker& k) {
  if (c.models.models_dir.empty()) k.fail("models.models_dir", "must not be empty");
  k.at_least("models.max_sessions", c.models.max_sessions, 1);
  k.at_least<int64_t>("models.memory_budget", c.models.memory_budget, 0);
  k.at_least("engine.threads", c.engine.threads, 0);
  k.at_least("engine.context_length", c.engine.context_length, 16);
  k.at_least("engine.batch_size", c.engine.batch_size, 1);
  k.at_least("engine.max_queue", c.engine.max_queue, 1);
  if (!one_of(c.engine.chat_template, kChatTemplates)) {
    k.fail("engine.chat_template", "unknown template \"" + c.engine.chat_template +
                                       "\" (known: " + list(kChatTemplates) + ")");
  }
  k.within("generation.temperature", c.generation.temperature, 0.0, 100.0);
  if (!(c.generation.top_p > 0 && c.generation.top_p <= 1)) {
    k.fail("generation.top_p", "must be in (0, 1]");
  }
  k.within("generation.min_p", c.generation.min_p, 0.0, 1.0);
  k.at_least("generation.min_tokens_to_keep", c.generation.min_tokens_to_keep, 1);
  k.at_least("generation.top_k", c.generation.top_k, 0);

  k.at_least<int64_t>("limits.max_body_size", c.limits.max_body_size, 1);
  k.positive("limits.request_timeout", c.limits.request_timeout);
  k.at_least("limits.max_tokens", c.limits.max_tokens, 1);
  k.at_least("limits.max_concurrent_requests", c.limits.max_concurrent_requests, 1);
}

void check_backends(const Config& c, Checker& k) {
  std::set<std::string> names;
  for (const BackendEntry& b : c.backends) names.insert(b.name);
  std::set<std::string> seen;
  for (size_t i = 0; i < c.backends.size(); ++i) {
    const BackendEntry& b = c.backends[i];
    std::string key = "backends[" + std::to_string(i) + "]";
    if (b.name.empty()) k.fail(key + ".name", "required");
    if (!b.name.empty() && !seen.insert(b.name).second) {
      k.fail(key + ".name", "duplicate backend name \"" + b.name + "\"");
    }
    if (!one_of(b.type, kBackendTypes)) {
      k.fail(key + ".type",
             "unknown backend type \"" + b.type + "\" (known: " + list(kBackendTypes) + ")");
    } else if (b.type == "local") {
      if (b.path.empty()) k.fail(key + ".path", "required when type = \"local\"");
    } else if (b.type == "anthropic" && b.base_url.empty()) {
      // The provider's public endpoint is the default.
    } else if (b.base_url.empty()) {
      k.fail(key + ".base_url", "required when type = \"" + b.type + "\"");
    }
    if (!b.base_url.empty()) k.http_url(key + ".base_url", b.base_url);
    if (!b.fallback.empty() && (b.fallback == b.name || !names.contains(b.fallback))) {
      k.fail(key + ".fallback", "\"" + b.fallback + "\" is not another backend's name");
    }
    k.positive(key + ".connect_timeout", b.connect_timeout);
    k.positive(key + ".read_timeout", b.read_timeout);
    k.at_least(key + ".max_retries", b.max_retries, 0);
  }
  for (const auto& [model, p] : c.pricing) {
    k.at_least("pricing." + model + ".prompt_per_1k", p.prompt_per_1k, 0.0);
    k.at_least("pricing." + model + ".completion_per_1k", p.completion_per_1k, 0.0);
  }
}

void check_log_and_store(const Config& c, Checker& k) {
  if (!one_of(c.log.level, kLogLevels)) {
    k.fail("log.level",
           "unknown log level \"" + c.log.level + "\" (known: " + list(kLogLevels) + ")");
  }
  if (c.log.console_stream != "stdout" && c.log.console_stream != "stderr") {
    k.fail("log.console_stream", "expected stdout or stderr, got \"" + c.log.console_stream + "\"");
  }
  if (c.store.backend == "postgres") {
    if (c.store.postgres_url.empty()) {
      k.fail("store.postgres_url", "required when store.backend = \"postgres\"");
    } else if (!c.store.postgres_url.starts_with("postgres://") &&
               !c.store.postgres_url.starts_with("postgresql://")) {
      k.fail("store.postgres_url", "expected a postgres:// URL");
    }
  } else if (c.store.backend != "sqlite") {
    k.fail("store.backend", "unknown store \"" + c.store.backend + "\" (known: sqlite|postgres)");
  }
  if (c.store.redis_prefix.size() > 64 ||
      c.store.redis_prefix.find_first_of(" \t\r\n") != std::string::npos) {
    k.fail("store.redis_prefix", "at most 64 characters, no whitespace");
  }
  if (!c.store.redis_url.empty() && !c.store.redis_url.starts_with("redis://") &&
      !c.store.redis_url.starts_with("rediss://")) {
    k.fail("store.redis_url", "expected a redis:// or rediss:// URL");
  }
}

}  // namespace

bool split_bind(const std::string& bind, std::string* host, int* port) {
  size_t colon = bind.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == bind.size()) return false;
  std::string h = bind.substr(0, colon);
  if (h.front() == '[') {
    if (h.back() != ']' || h.size() < 3) return false;
    h = h.substr(1, h.size() - 2);
  } else if (h.find(':') != std::string::npos) {
    return false;  // a bare IPv6 address is ambiguous; it must be bracketed
  }
  *host = h;
  std::string_view digits = std::string_view(bind).substr(colon + 1);
  long value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) {
    host->clear();  // not a port at all: the caller reports the shape, not the range
    return false;
  }
  if (value < 0 || value > 65535) return false;
  *port = static_cast<int>(value);
  return true;
}

std::vector<std::string> validate(const Config& config) {
  Checker k;
  check_server(config, k);
  check_access(config, k);
  check_mcp(config, k);
  check_inference(config, k);
  check_backends(config, k);
  check_log_and_store(config, k);
  return std::move(k.problems);
}

}  // namespace woolly::config
