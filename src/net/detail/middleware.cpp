#include "net/detail/middleware.h"

#include "net/error_http.h"

namespace woolly::net::detail {

bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

std::string fixed_header_block(const ServerOptions& opts) {
  std::string out;
  out += "Server: " + opts.server_name + "\r\n";
  out += "X-Content-Type-Options: nosniff\r\n";
  out += "X-Frame-Options: DENY\r\n";
  out += "Referrer-Policy: no-referrer\r\n";
  // An API serves no active content; the strictest policy costs nothing.
  out += "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n";
  // HSTS over plain HTTP is ignored by browsers and would be wrong if TLS is terminated later.
  if (opts.tls) out += "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n";
  return out;
}

bool origin_allowed(const CorsOptions& cors, std::string_view origin) {
  for (const auto& o : cors.allowed_origins) {
    if (o == "*" || o == origin) return true;
  }
  return false;
}

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

bool wildcard_only(const CorsOptions& cors) {
  for (const auto& o : cors.allowed_origins) {
    if (o == "*") return true;
  }
  return false;
}

void add_allow_origin(const CorsOptions& cors, std::string_view origin, Headers& out) {
  // With credentials the spec forbids "*": echo the origin instead (and say it varies).
  if (wildcard_only(cors) && !cors.allow_credentials) {
    out.set("Access-Control-Allow-Origin", "*");
  } else {
    out.set("Access-Control-Allow-Origin", origin);
    out.set("Vary", "Origin");
  }
  if (cors.allow_credentials) out.set("Access-Control-Allow-Credentials", "true");
}

}  // namespace

std::optional<Response> cors_preflight(const CorsOptions& cors, const Request& req) {
  if (cors.allowed_origins.empty() || req.method != Method::kOptions) return std::nullopt;
  auto origin = req.header("Origin");
  auto wanted = req.header("Access-Control-Request-Method");
  if (!origin || !wanted) return std::nullopt;
  if (!origin_allowed(cors, *origin)) {
    return json_error_response(Error(Errc::kPermissionDenied, "origin not allowed"));
  }
  Response r = Response::empty(204);
  add_allow_origin(cors, *origin, r.headers);
  r.headers.add("Access-Control-Allow-Methods", join(cors.allowed_methods));
  r.headers.add("Access-Control-Allow-Headers", join(cors.allowed_headers));
  r.headers.add("Access-Control-Max-Age", std::to_string(cors.max_age));
  return r;
}

void apply_cors(const CorsOptions& cors, std::string_view origin, Headers& out) {
  if (cors.allowed_origins.empty() || !origin_allowed(cors, origin)) return;
  add_allow_origin(cors, origin, out);
  out.set("Access-Control-Expose-Headers",
          "X-Request-Id, Retry-After, WWW-Authenticate, X-RateLimit-Limit, X-RateLimit-Remaining, "
          "X-RateLimit-Reset");
}

}  // namespace woolly::net::detail
