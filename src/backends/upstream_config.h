// What an upstream backend needs to reach its provider; built from a config BackendEntry or a
// runtime registration.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "net/client/http_client.h"

namespace woolly::backends {

struct UpstreamConfig {
  std::string base_url;    // e.g. http://127.0.0.1:8000 (OpenAI: with or without /v1)
  std::string api_key;     // optional; sent as the provider expects
  std::string model_name;  // the provider's model name; empty = the request's model
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds read_timeout{300'000};
  int max_retries = 2;
  std::string anthropic_version = "2023-06-01";
  int default_max_tokens = 1024;  // Anthropic requires max_tokens
};

}  // namespace woolly::backends
