// Maps the typed Config onto the options of the HTTP server (net::ServerOptions).
#pragma once

#include "config/config.h"
#include "net/server.h"

namespace woolly::app::detail {

net::ServerOptions make_server_options(const config::Config& config);

}  // namespace woolly::app::detail
