// The typed configuration of woolly-server. Everything a part needs to know about the user's
// settings is here; loaders (TOML full form, config.json short form, WOOLLY_* environment, CLI
// flags) fill it, `validate` checks it. Parts below `app` receive the sub-struct they need, never
// the whole Config and never raw TOML/JSON.
//
// Defaults here are the documented defaults (docs/CONFIGURATION.md); `woolly-server config
// --output FILE` writes them as a commented TOML file.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace woolly::config {

struct ServerConfig {
  std::string bind = "127.0.0.1:8080";  // ADDR:PORT; IPv6 as [::1]:8080
  int threads = 0;                      // I/O threads; 0 = number of cores
  double header_timeout = 10.0;         // s to receive a request's header block
  double idle_timeout = 60.0;           // s a keep-alive connection may sit idle
  int max_pipelined_requests = 16;      // requests read ahead on one connection
  double drain_timeout = 30.0;          // s in-flight requests get after SIGTERM
  std::string data_dir = "data";        // store, uploaded things

  bool operator==(const ServerConfig&) const = default;
};

struct TlsConfig {
  bool enabled = false;
  std::string cert_file;
  std::string key_file;

  bool operator==(const TlsConfig&) const = default;
};

struct CorsConfig {
  std::vector<std::string> allowed_origins;  // exact origins or "*"; empty = CORS off
  std::vector<std::string> allowed_methods = {"GET", "POST", "PUT", "DELETE", "OPTIONS"};
  std::vector<std::string> allowed_headers = {
      "Authorization",  "Content-Type",         "X-API-Key",    "X-Request-Id", "X-Tenant-ID",
      "Mcp-Session-Id", "MCP-Protocol-Version", "Last-Event-ID"};
  bool allow_credentials = false;
  int max_age = 600;  // s

  bool operator==(const CorsConfig&) const = default;
};

struct AuthConfig {
  std::string jwt_secret;             // secret; never logged
  int64_t jwt_expiration = 3600;      // s
  std::vector<std::string> api_keys;  // secrets; never logged
  bool allow_anonymous = true;
  std::string jwt_public_key_file;  // optional RS256/ES256 verification key (PEM)
  std::string jwks_file;            // optional JWKS file for external issuers
  std::string jwt_issuer;           // optional required `iss`

  bool operator==(const AuthConfig&) const = default;
};

struct RateLimitConfig {
  int authenticated_rpm = 60;
  int anonymous_rpm = 10;
  int burst_capacity = 10;
  int tokens_per_minute = 0;  // 0 = no token bucket

  bool operator==(const RateLimitConfig&) const = default;
};

struct McpServerInfo {
  std::string name = "woolly";
  std::string version;  // empty = the server's own version

  bool operator==(const McpServerInfo&) const = default;
};

// One MCP server that Woolly connects to as a host (mcp.json schema).
struct McpServerEntry {
  std::string type = "stdio";                  // "stdio" | "http"
  std::string command;                         // stdio
  std::vector<std::string> args;               // stdio
  std::map<std::string, std::string> env;      // stdio; values may be secrets
  std::string url;                             // http
  std::map<std::string, std::string> headers;  // http; values may be secrets
  bool enabled = true;
  double timeout = 60.0;                 // s per tool call
  std::vector<std::string> allow_tools;  // empty = all
  std::vector<std::string> deny_tools;

  bool operator==(const McpServerEntry&) const = default;
};

struct McpConfig {
  bool enabled = true;
  std::string protocol_version = "2025-11-25";
  McpServerInfo server_info;
  std::map<std::string, McpServerEntry> servers;  // by name
  std::vector<std::string> resource_roots;        // directories exposed as file resources
  std::string prompts_dir;                        // MCP prompts loaded from here
  int max_ws_connections = 100;
  int64_t max_message_size = 1048576;  // bytes per WebSocket frame/message
  bool enable_test_fixtures = false;   // conformance-suite fixture pack
  int max_tool_rounds = 8;             // agent loop cap
  int64_t max_tool_result_bytes = 65536;

  bool operator==(const McpConfig&) const = default;
};

struct ModelsConfig {
  std::string models_dir = "models";
  int max_sessions = 100;     // per user
  std::string default_model;  // name or path; empty = demo model under `make run`
  int64_t memory_budget = 0;  // bytes for loaded local models; 0 = unlimited
  bool lazy_load = false;

  bool operator==(const ModelsConfig&) const = default;
};

struct EngineConfig {
  int threads = 0;            // compute threads; 0 = number of cores
  int context_length = 4096;  // tokens per sequence (capped by the model's own)
  int batch_size = 512;       // prompt tokens per step
  int max_queue = 64;         // requests waiting for the engine before 503
  std::string chat_template;  // "" = the model's own; or chatml|llama3|llama2|mistral|gemma|phi3

  bool operator==(const EngineConfig&) const = default;
};

// Sampling defaults and the system prompt used by the prompt API (POST /) and config.json.
struct GenerationConfig {
  std::string system_prompt;
  double temperature = 0.8;
  double top_p = 0.95;
  double min_p = 0.05;
  int min_tokens_to_keep = 1;
  int top_k = 40;

  bool operator==(const GenerationConfig&) const = default;
};

struct LimitsConfig {
  int64_t max_body_size = 10485760;  // bytes
  double request_timeout = 300.0;    // s, generation included
  int max_tokens = 4096;
  int max_concurrent_requests = 100;

  bool operator==(const LimitsConfig&) const = default;
};

struct LogConfig {
  std::string level = "info";  // trace|debug|info|warning|error
  std::string file;            // empty = console only; rotated daily to <file>-YYYYMMdd
  bool console = true;
  std::string console_stream = "stdout";  // stdout|stderr; the MCP stdio transport needs stderr
  bool log_prompts = false;               // prompts and responses stay out of logs unless true
  bool anonymize_user_ids = false;
  std::string user_id_salt;  // secret; empty = random per process (ids stable until restart)

  bool operator==(const LogConfig&) const = default;
};

struct StoreConfig {
  std::string backend = "sqlite";  // sqlite | postgres
  std::string sqlite_path;         // empty = <data_dir>/woolly.db
  std::string postgres_url;        // secret (may hold a password)
  std::string redis_url;           // empty = limits kept in memory
  std::string redis_prefix = "woolly:";  // namespace of this deployment's keys in Redis
  bool zero_retention = false;     // never store prompt text

  bool operator==(const StoreConfig&) const = default;
};

// An upstream provider (OpenAI-compatible, Ollama, Anthropic) or a local GGUF file.
struct BackendEntry {
  std::string name;
  std::string type;  // local | openai | ollama | anthropic
  std::string base_url;
  std::string api_key;  // secret
  std::string model_name;
  std::string path;      // local GGUF file
  std::string fallback;  // name of the next backend to try
  double connect_timeout = 10.0;
  double read_timeout = 300.0;
  int max_retries = 2;

  bool operator==(const BackendEntry&) const = default;
};

struct PricingEntry {
  double prompt_per_1k = 0.0;      // credits per 1000 prompt tokens
  double completion_per_1k = 0.0;  // credits per 1000 completion tokens

  bool operator==(const PricingEntry&) const = default;
};

struct Config {
  ServerConfig server;
  TlsConfig tls;
  CorsConfig cors;
  AuthConfig auth;
  RateLimitConfig rate_limit;
  McpConfig mcp;
  ModelsConfig models;
  EngineConfig engine;
  GenerationConfig generation;
  LimitsConfig limits;
  LogConfig log;
  StoreConfig store;
  std::vector<BackendEntry> backends;
  std::map<std::string, PricingEntry> pricing;  // by model name; "*" = default

  std::string source_path;  // the file this came from; empty = defaults only

  bool operator==(const Config&) const = default;
};

}  // namespace woolly::config
