// The auth hook and /api/v1/auth/*. Store-bound work (store API keys, token exchange) runs on the
// store's pool and answers through the Responder from there.
#include "api/auth_routes.h"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "store/store.h"

namespace woolly::api {
namespace {

namespace json = boost::json;

auth::Credentials credentials_of(const net::Request& req) {
  auth::Credentials c;
  auto copy = [&](std::string_view name, std::string& out) {
    if (auto v = req.header(name)) out = std::string(*v);
  };
  copy("Authorization", c.authorization);
  copy("X-API-Key", c.api_key);
  copy("Sec-WebSocket-Protocol", c.ws_protocol);
  copy("X-Tenant-ID", c.tenant);
  if (auto t = req.query_param("token")) c.query_token = std::string(*t);
  c.remote_address = req.remote_address;
  return c;
}

net::Principal principal_of(const std::shared_ptr<auth::Identity>& id) {
  net::Principal p;
  p.subject = id->subject;
  p.tenant = std::to_string(id->tenant_id);
  p.role = id->role;
  // net::Principal::has_scope matches exactly, so "admin" is spelled out as every scope.
  p.scopes = id->has_scope(auth::kScopeAdmin) ? auth::all_scopes() : id->scopes;
  p.authenticated = id->authenticated;
  p.detail = id;
  return p;
}

}  // namespace

void answer_from_store(store::Store& store, net::Responder res,
                       std::function<Result<net::Response>(store::Store&)> job) {
  auto shared = std::make_shared<net::Responder>(std::move(res));
  Status posted = store.post([shared, job = std::move(job)](store::Store& s) {
    Result<net::Response> r = job(s);
    if (r.ok()) {
      shared->send(std::move(*r));
    } else {
      shared->send_error(r.error());
    }
  });
  if (!posted.ok()) shared->send_error(posted.error());  // queue full: 503
}

std::shared_ptr<const auth::Identity> identity_of(const net::Request& req) {
  if (!req.principal || !req.principal->detail) return nullptr;
  return std::static_pointer_cast<const auth::Identity>(req.principal->detail);
}

namespace {

// RFC 6750: a challenge on every 401, with error="invalid_token" when a token was presented;
// error="insufficient_scope" on a 403 for a missing scope.
void challenge(net::Headers& out, std::string_view error, std::string_view scope = {}) {
  std::string v = "Bearer realm=\"woolly\"";
  if (!error.empty()) v += ", error=\"" + std::string(error) + "\"";
  if (!scope.empty()) v += ", scope=\"" + std::string(scope) + "\"";
  out.set("WWW-Authenticate", v);
}

void rate_headers(net::Headers& out, const limits::Decision& d) {
  out.set("X-RateLimit-Limit", std::to_string(d.limit));
  out.set("X-RateLimit-Remaining", std::to_string(d.remaining));
  out.set("X-RateLimit-Reset", std::to_string(d.reset_s));
}

Status admit(const AuthServices& services, net::Request& req, const net::RouteMeta& meta,
             net::Headers& out) {
  auth::Credentials creds = credentials_of(req);
  auto who = services.authenticator->authenticate(creds);
  if (!who.ok()) {
    if (who.error().code == Errc::kUnauthenticated) {
      challenge(out, auth::extract_token(creds) ? "invalid_token" : "");
    }
    return who.take_error();
  }
  WOOLLY_ASSIGN_OR_RETURN(who->tenant_id,
                          services.authenticator->resolve_tenant(*who, creds.tenant));
  if (Status st = auth::Authenticator::authorize(*who, meta.scope); !st.ok()) {
    if (who->authenticated) challenge(out, "insufficient_scope", meta.scope);
    return st;
  }
  if (services.limiter) {
    const RateLimitSettings& r = services.rates;
    limits::BucketSpec spec;
    spec.capacity = r.burst_capacity;
    spec.per_minute =
        who->rpm.value_or(who->authenticated ? r.authenticated_rpm : r.anonymous_rpm);
    if (spec.per_minute > 0) {
      WOOLLY_ASSIGN_OR_RETURN(limits::Decision d,
                              services.limiter->take("req:" + who->bucket_key(), spec, 1));
      rate_headers(out, d);
      if (!d.allowed) {
        out.set("Retry-After", std::to_string(std::max<int64_t>(1, d.retry_after_s)));
        return make_error(Errc::kRateLimited, "rate limit of " + std::to_string(d.limit) +
                                                  " requests per minute exceeded; retry after " +
                                                  std::to_string(d.retry_after_s) + " s");
      }
    }
  }
  req.principal = principal_of(std::make_shared<auth::Identity>(std::move(*who)));
  return {};
}

}  // namespace

net::BeforeHook make_auth_hook(std::shared_ptr<AuthServices> services) {
  return [services](net::Request& req, const net::RouteMeta& meta, net::Headers& out) -> Status {
    if (meta.public_access) return {};
    return admit(*services, req, meta, out);
  };
}

void install_auth_hook(net::Server& server, std::shared_ptr<AuthServices> services) {
  auto runs_inline = [services](const net::Request& req, const net::RouteMeta& meta) {
    if (meta.public_access) return true;
    if (services->limiter && services->limiter->blocking()) return false;
    return services->authenticator->answers_without_store(credentials_of(req));
  };
  server.add_blocking_before_hook(make_auth_hook(services), std::move(runs_inline));
}

Status install_auth_routes(net::Router& router, std::shared_ptr<AuthServices> services) {
  net::RouteMeta open;
  open.public_access = true;  // the credential travels in the body
  WOOLLY_TRY(router.add(net::Method::kPost, "/api/v1/auth/token",
      [services](net::Request req, net::Responder res) {
        json::error_code ec;
        json::value body = json::parse(req.body, ec);
        if (ec || !body.is_object() || !body.as_object().contains("api_key") ||
            !body.as_object().at("api_key").is_string()) {
          res.send_error(Error(Errc::kInvalidArgument, "body must be {\"api_key\": \"...\", \"user_id\": n}"));
          return;
        }
        std::string key(body.as_object().at("api_key").as_string());
        std::optional<store::Id> user;
        if (const json::value* u = body.as_object().if_contains("user_id"); u && u->is_int64()) {
          user = u->as_int64();
        }
        auto shared = std::make_shared<net::Responder>(std::move(res));
        // Checking a store key may query the database: off the I/O thread.
        auto run = [services, key, user, shared] {
          auto tok = services->authenticator->issue_token(key, user);
          if (!tok.ok()) return shared->send_error(tok.error());
          auto claims = services->authenticator->validate_token(*tok);
          int64_t ttl = claims.ok() ? claims->expires_at - claims->issued_at : 0;
          json::object out{{"access_token", *tok}, {"token_type", "Bearer"}, {"expires_in", ttl}};
          shared->send(net::Response::json(200, json::serialize(out)));
        };
        if (!services->store) return run();
        if (Status st = services->store->post([run](store::Store&) { run(); }); !st.ok()) {
          shared->send_error(st.error());
        }
      }, open));
  WOOLLY_TRY(router.post("/api/v1/auth/validate", [services](const net::Request& req) {
    json::error_code ec;
    json::value body = json::parse(req.body, ec);
    std::string token;
    if (!ec && body.is_object() && body.as_object().contains("token") &&
        body.as_object().at("token").is_string()) {
      token = std::string(body.as_object().at("token").as_string());
    } else if (auto a = req.header("Authorization"); a && a->size() > 7) {
      token = std::string(a->substr(7));
    }
    auto claims = services->authenticator->validate_token(token);
    json::object out;
    out["valid"] = claims.ok();
    if (claims.ok()) {
      json::array scopes;
      for (const auto& s : claims->scopes) scopes.emplace_back(s);
      out["claims"] = json::object{{"sub", claims->subject}, {"tenant", claims->tenant},
                                   {"role", claims->role}, {"scopes", std::move(scopes)},
                                   {"iss", claims->issuer}, {"iat", claims->issued_at},
                                   {"exp", claims->expires_at}};
    } else {
      out["error"] = claims.error().message;
    }
    return net::Response::json(200, json::serialize(out));
  }, open));
  return {};
}

}  // namespace woolly::api
