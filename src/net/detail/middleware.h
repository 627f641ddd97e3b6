// The middleware steps that work on Woolly's plain types only (no Beast): request ids, CORS,
// security headers. The HTTP session calls them in the order documented in net/server.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "net/http_types.h"
#include "net/server.h"

namespace woolly::net::detail {

// A client-supplied X-Request-Id is echoed only when short and printable, so that it cannot
// inject header lines or flood logs.
bool acceptable_request_id(std::string_view id);

// "Name: value\r\n" lines sent with every response: security headers (HSTS only under TLS) and
// Server.
std::string fixed_header_block(const ServerOptions& opts);

bool origin_allowed(const CorsOptions& cors, std::string_view origin);

// A CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) answered without
// routing: 204 with the allowed methods/headers, or 403 for an origin not on the list.
// nullopt when the request is not a preflight or CORS is off.
std::optional<Response> cors_preflight(const CorsOptions& cors, const Request& req);

// Adds Access-Control-Allow-Origin (and friends) to an actual response when the origin is allowed.
void apply_cors(const CorsOptions& cors, std::string_view origin, Headers& out);

}  // namespace woolly::net::detail
