#include "config/detail/schema.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace woolly::config::detail {
namespace {

// A field of Config: `member` is the path below Config (e.g. server.bind).
#define WOOLLY_CFG(table, member, key, comment)                                 \
  Field<Config> {                                                               \
    table, key, comment, false, [](Config& c) -> FieldRef { return &c.member; } \
  }
#define WOOLLY_CFG_SECRET(table, member, key, comment)                         \
  Field<Config> {                                                              \
    table, key, comment, true, [](Config& c) -> FieldRef { return &c.member; } \
  }
#define WOOLLY_ENTRY(Owner, member, comment, secret)                             \
  Field<Owner> {                                                                 \
    "", #member, comment, secret, [](Owner& e) -> FieldRef { return &e.member; } \
  }

const Field<Config> kConfigFields[] = {
    WOOLLY_CFG("server", server.bind, "bind", "ADDR:PORT to listen on; IPv6 as [::1]:8080"),
    WOOLLY_CFG("server", server.threads, "threads", "I/O threads; 0 = number of cores"),
    WOOLLY_CFG("server", server.header_timeout, "header_timeout",
               "seconds to receive a request's header block"),
    WOOLLY_CFG("server", server.idle_timeout, "idle_timeout",
               "seconds a keep-alive connection may sit idle"),
    WOOLLY_CFG("server", server.max_pipelined_requests, "max_pipelined_requests",
               "requests read ahead on one connection"),
    WOOLLY_CFG("server", server.drain_timeout, "drain_timeout",
               "seconds in-flight requests get after SIGTERM"),
    WOOLLY_CFG("server", server.data_dir, "data_dir", "directory for the store and uploads"),

    WOOLLY_CFG("tls", tls.enabled, "enabled", "serve HTTPS/WSS instead of HTTP/WS"),
    WOOLLY_CFG("tls", tls.cert_file, "cert_file", "PEM certificate chain; required when enabled"),
    WOOLLY_CFG("tls", tls.key_file, "key_file", "PEM private key; required when enabled"),

    WOOLLY_CFG("cors", cors.allowed_origins, "allowed_origins",
               "exact origins or \"*\"; empty = CORS off"),
    WOOLLY_CFG("cors", cors.allowed_methods, "allowed_methods", "methods a browser may use"),
    WOOLLY_CFG("cors", cors.allowed_headers, "allowed_headers",
               "request headers a browser may send"),
    WOOLLY_CFG("cors", cors.allow_credentials, "allow_credentials",
               "let browsers send cookies/Authorization cross-origin"),
    WOOLLY_CFG("cors", cors.max_age, "max_age", "seconds a browser may cache a preflight answer"),

    WOOLLY_CFG_SECRET("auth", auth.jwt_secret, "jwt_secret",
                      "HS256 signing secret; use ${JWT_SECRET} and a .env file"),
    WOOLLY_CFG("auth", auth.jwt_expiration, "jwt_expiration", "seconds an issued token is valid"),
    WOOLLY_CFG_SECRET("auth", auth.api_keys, "api_keys", "static API keys accepted as X-API-Key"),
    WOOLLY_CFG("auth", auth.allow_anonymous, "allow_anonymous",
               "serve requests without credentials (at anonymous_rpm)"),
    WOOLLY_CFG("auth", auth.jwt_public_key_file, "jwt_public_key_file",
               "optional RS256/ES256 verification key (PEM)"),
    WOOLLY_CFG("auth", auth.jwks_file, "jwks_file", "optional JWKS file for external issuers"),
    WOOLLY_CFG("auth", auth.jwt_issuer, "jwt_issuer", "optional required `iss` claim"),

    WOOLLY_CFG("rate_limit", rate_limit.authenticated_rpm, "authenticated_rpm",
               "requests per minute per authenticated principal"),
    WOOLLY_CFG("rate_limit", rate_limit.anonymous_rpm, "anonymous_rpm",
               "requests per minute per anonymous client address"),
    WOOLLY_CFG("rate_limit", rate_limit.burst_capacity, "burst_capacity",
               "requests a full bucket allows at once"),
    WOOLLY_CFG("rate_limit", rate_limit.tokens_per_minute, "tokens_per_minute",
               "generated tokens per minute per principal; 0 = no token bucket"),

    WOOLLY_CFG("mcp", mcp.enabled, "enabled", "serve the Model Context Protocol"),
    WOOLLY_CFG("mcp", mcp.protocol_version, "protocol_version",
               "newest MCP revision offered to clients"),
    WOOLLY_CFG("mcp", mcp.resource_roots, "resource_roots",
               "directories exposed as file resources"),
    WOOLLY_CFG("mcp", mcp.prompts_dir, "prompts_dir", "directory MCP prompts are loaded from"),
    WOOLLY_CFG("mcp", mcp.max_ws_connections, "max_ws_connections",
               "concurrent MCP WebSocket connections"),
    WOOLLY_CFG("mcp", mcp.max_message_size, "max_message_size",
               "bytes per WebSocket frame/message"),
    WOOLLY_CFG("mcp", mcp.enable_test_fixtures, "enable_test_fixtures",
               "serve the conformance-suite fixture pack"),
    WOOLLY_CFG("mcp", mcp.max_tool_rounds, "max_tool_rounds", "tool-call rounds per chat"),
    WOOLLY_CFG("mcp", mcp.max_tool_result_bytes, "max_tool_result_bytes",
               "bytes of one tool result passed back to the model"),
    WOOLLY_CFG("mcp.server_info", mcp.server_info.name, "name", "server name told to MCP clients"),
    WOOLLY_CFG("mcp.server_info", mcp.server_info.version, "version",
               "server version told to MCP clients; empty = woolly's own"),

    WOOLLY_CFG("models", models.models_dir, "models_dir", "directory holding GGUF files"),
    WOOLLY_CFG("models", models.max_sessions, "max_sessions", "chat sessions per user"),
    WOOLLY_CFG("models", models.default_model, "default_model",
               "model used when a request names none; empty = the built-in demo model"),
    WOOLLY_CFG("models", models.memory_budget, "memory_budget",
               "bytes for loaded local models; 0 = unlimited"),
    WOOLLY_CFG("models", models.lazy_load, "lazy_load", "load a model on its first request"),

    WOOLLY_CFG("engine", engine.threads, "threads", "compute threads; 0 = number of cores"),
    WOOLLY_CFG("engine", engine.context_length, "context_length",
               "tokens per sequence (capped by the model's own)"),
    WOOLLY_CFG("engine", engine.batch_size, "batch_size", "prompt tokens per step"),
    WOOLLY_CFG("engine", engine.max_queue, "max_queue",
               "requests waiting for the engine before 503"),
    WOOLLY_CFG("engine", engine.chat_template, "chat_template",
               "\"\" = the model's own; or chatml|llama3|llama2|mistral|gemma|phi3"),

    WOOLLY_CFG("generation", generation.system_prompt, "system_prompt",
               "system prompt of the prompt API (POST /)"),
    WOOLLY_CFG("generation", generation.temperature, "temperature",
               "sampling temperature; 0 = greedy"),
    WOOLLY_CFG("generation", generation.top_p, "top_p", "nucleus sampling mass, (0, 1]"),
    WOOLLY_CFG("generation", generation.min_p, "min_p",
               "drop tokens below min_p x the top probability, [0, 1]"),
    WOOLLY_CFG("generation", generation.min_tokens_to_keep, "min_tokens_to_keep",
               "candidates top_p/min_p always keep"),
    WOOLLY_CFG("generation", generation.top_k, "top_k", "candidates kept by top-k; 0 = all"),

    WOOLLY_CFG("limits", limits.max_body_size, "max_body_size", "bytes of one request body"),
    WOOLLY_CFG("limits", limits.request_timeout, "request_timeout",
               "seconds per request, generation included"),
    WOOLLY_CFG("limits", limits.max_tokens, "max_tokens", "tokens one request may generate"),
    WOOLLY_CFG("limits", limits.max_concurrent_requests, "max_concurrent_requests",
               "requests served at once before 503"),

    WOOLLY_CFG("log", log.level, "level", "trace|debug|info|warning|error"),
    WOOLLY_CFG("log", log.file, "file", "log file, rotated daily to <file>-YYYYMMdd; empty = none"),
    WOOLLY_CFG("log", log.console, "console", "also log to the console"),
    WOOLLY_CFG("log", log.console_stream, "console_stream", "stdout|stderr"),
    WOOLLY_CFG("log", log.log_prompts, "log_prompts", "write prompts and responses into logs"),
    WOOLLY_CFG("log", log.anonymize_user_ids, "anonymize_user_ids",
               "log a salted hash instead of user ids"),
    WOOLLY_CFG_SECRET("log", log.user_id_salt, "user_id_salt",
                      "salt of that hash; empty = random per process"),

    WOOLLY_CFG("store", store.backend, "backend", "sqlite|postgres"),
    WOOLLY_CFG("store", store.sqlite_path, "sqlite_path", "empty = <data_dir>/woolly.db"),
    WOOLLY_CFG_SECRET("store", store.postgres_url, "postgres_url",
                      "postgres://user:password@host/db when backend = postgres"),
    WOOLLY_CFG_SECRET("store", store.redis_url, "redis_url",
                      "redis://host:6379 to share limits; empty = in memory"),
    WOOLLY_CFG("store", store.redis_prefix, "redis_prefix",
               "start of every Redis key: deployments sharing one Redis need their own"),
    WOOLLY_CFG("store", store.zero_retention, "zero_retention", "never store prompt text"),
};

const std::string_view kConfigTables[] = {
    "server", "tls",    "cors",       "auth",   "rate_limit", "mcp",  "mcp.server_info",
    "models", "engine", "generation", "limits", "log",        "store"};

const Field<BackendEntry> kBackendFields[] = {
    WOOLLY_ENTRY(BackendEntry, name, "name requests use to pick this backend", false),
    WOOLLY_ENTRY(BackendEntry, type, "local|openai|ollama|anthropic", false),
    WOOLLY_ENTRY(BackendEntry, base_url, "upstream URL (openai, ollama, anthropic)", false),
    WOOLLY_ENTRY(BackendEntry, api_key, "upstream key; use ${NAME} and a .env file", true),
    WOOLLY_ENTRY(BackendEntry, model_name, "model name sent upstream", false),
    WOOLLY_ENTRY(BackendEntry, path, "GGUF file (local)", false),
    WOOLLY_ENTRY(BackendEntry, fallback, "backend tried when this one fails", false),
    WOOLLY_ENTRY(BackendEntry, connect_timeout, "seconds to connect upstream", false),
    WOOLLY_ENTRY(BackendEntry, read_timeout, "seconds to wait for upstream data", false),
    WOOLLY_ENTRY(BackendEntry, max_retries, "retries on connection failures", false),
};

const Field<McpServerEntry> kMcpServerFields[] = {
    WOOLLY_ENTRY(McpServerEntry, type, "stdio|http", false),
    WOOLLY_ENTRY(McpServerEntry, command, "program to launch (stdio)", false),
    WOOLLY_ENTRY(McpServerEntry, args, "its arguments (stdio)", false),
    WOOLLY_ENTRY(McpServerEntry, env, "its extra environment (stdio); values are secrets", true),
    WOOLLY_ENTRY(McpServerEntry, url, "endpoint (http)", false),
    WOOLLY_ENTRY(McpServerEntry, headers, "request headers (http); values are secrets", true),
    WOOLLY_ENTRY(McpServerEntry, enabled, "connect at start-up", false),
    WOOLLY_ENTRY(McpServerEntry, timeout, "seconds per tool call", false),
    WOOLLY_ENTRY(McpServerEntry, allow_tools, "tools offered to models; empty = all", false),
    WOOLLY_ENTRY(McpServerEntry, deny_tools, "tools never offered", false),
};

const Field<PricingEntry> kPricingFields[] = {
    WOOLLY_ENTRY(PricingEntry, prompt_per_1k, "credits per 1000 prompt tokens", false),
    WOOLLY_ENTRY(PricingEntry, completion_per_1k, "credits per 1000 completion tokens", false),
};

#undef WOOLLY_CFG
#undef WOOLLY_CFG_SECRET
#undef WOOLLY_ENTRY

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> out;
  if (trim(text).empty()) return out;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    out.emplace_back(trim(text.substr(start, comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

template <typename T>
Status parse_number(std::string_view text, T* out, std::string_view key) {
  text = trim(text);
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  if (ec == std::errc::result_out_of_range) {
    return make_error(Errc::kOutOfRange, std::string(key) + ": value out of range");
  }
  if (ec != std::errc() || ptr != end || text.empty()) {
    return make_error(Errc::kInvalidArgument,
                      std::string(key) + ": expected a number, got \"" + std::string(text) + "\"");
  }
  return {};
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::span<const Field<Config>> config_fields() { return kConfigFields; }
std::span<const Field<BackendEntry>> backend_fields() { return kBackendFields; }
std::span<const Field<McpServerEntry>> mcp_server_fields() { return kMcpServerFields; }
std::span<const Field<PricingEntry>> pricing_fields() { return kPricingFields; }
std::span<const std::string_view> config_tables() { return kConfigTables; }

std::string_view kind_name(const FieldRef& ref) {
  struct Visitor {
    std::string_view operator()(std::string*) const { return "a string"; }
    std::string_view operator()(int*) const { return "an integer"; }
    std::string_view operator()(int64_t*) const { return "an integer"; }
    std::string_view operator()(double*) const { return "a number"; }
    std::string_view operator()(bool*) const { return "a boolean"; }
    std::string_view operator()(std::vector<std::string>*) const { return "an array of strings"; }
    std::string_view operator()(StringMap*) const { return "a table of strings"; }
  };
  return std::visit(Visitor{}, ref);
}

Status assign_from_text(const FieldRef& ref, std::string_view text, std::string_view key) {
  if (auto* s = std::get_if<std::string*>(&ref)) {
    **s = std::string(text);
    return {};
  }
  if (auto* i = std::get_if<int*>(&ref)) return parse_number(text, *i, key);
  if (auto* i = std::get_if<int64_t*>(&ref)) return parse_number(text, *i, key);
  if (auto* d = std::get_if<double*>(&ref)) return parse_number(text, *d, key);
  if (auto* b = std::get_if<bool*>(&ref)) {
    std::string_view t = trim(text);
    if (t == "true" || t == "1" || t == "yes" || t == "on") {
      **b = true;
    } else if (t == "false" || t == "0" || t == "no" || t == "off") {
      **b = false;
    } else {
      return make_error(
          Errc::kInvalidArgument,
          std::string(key) + ": expected true or false, got \"" + std::string(t) + "\"");
    }
    return {};
  }
  if (auto* list = std::get_if<std::vector<std::string>*>(&ref)) {
    **list = split_commas(text);
    return {};
  }
  auto* map = std::get<StringMap*>(ref);
  map->clear();
  for (const std::string& pair : split_commas(text)) {
    size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return make_error(Errc::kInvalidArgument,
                        std::string(key) + ": expected NAME=VALUE pairs separated by commas");
    }
    (*map)[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  return {};
}

std::string closest_match(std::string_view word, std::span<const std::string> known) {
  std::string best;
  size_t best_distance = std::string::npos;
  for (const std::string& candidate : known) {
    size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  // A hint further away than a third of the word is noise, not help.
  size_t limit = std::max<size_t>(2, word.size() / 3);
  return best_distance <= limit ? best : std::string();
}

}  // namespace woolly::config::detail
