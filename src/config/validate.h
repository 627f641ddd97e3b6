// Semantic checks of a loaded Config: every problem as `key: reason`, e.g.
// `server.bind: expected ADDR:PORT` or `tls.cert_file: required when tls.enabled`.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace woolly::config {

// Empty when the configuration is usable.
std::vector<std::string> validate(const Config& config);

// Splits "host:port" / "[v6]:port"; false when malformed or the port is not 0..65535.
bool split_bind(const std::string& bind, std::string* host, int* port);

}  // namespace woolly::config
