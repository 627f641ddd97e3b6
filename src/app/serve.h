// `woolly-server serve`: the server's whole life. Start-up order (docs/DESIGN.md): store ->
// MCP servers -> models -> listen; then serve until SIGTERM/SIGINT, drain, and shut down.
#pragma once

#include "config/config.h"

namespace woolly::app {

// Runs the server until a signal stops it; returns the process exit code (0 after a clean
// drain, non-zero when start-up failed: port in use, a model that does not load, ...).
int serve(const config::Config& config);

}  // namespace woolly::app
