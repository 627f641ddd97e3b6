// The auth hook and /api/v1/auth/*. Store-bound work (store API keys, token exchange) runs on the
// store's pool and answers through the Responder from there.
#include "api/auth_routes.h"

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

net::BeforeHook make_auth_hook(std::shared_ptr<AuthServices> services) {
  return [services](net::Request& req, const net::RouteMeta& meta) -> Status {
    if (meta.public_access) return {};
    auth::Credentials creds = credentials_of(req);
    WOOLLY_ASSIGN_OR_RETURN(auth::Identity who, services->authenticator->authenticate(creds));
    WOOLLY_ASSIGN_OR_RETURN(who.tenant_id, services->authenticator->resolve_tenant(who, creds.tenant));
    WOOLLY_TRY(auth::Authenticator::authorize(who, meta.scope));
    if (services->limiter) {
      const RateLimitSettings& r = services->rates;
      limits::BucketSpec spec;
      spec.capacity = r.burst_capacity;
      spec.per_minute = who.rpm.value_or(who.authenticated ? r.authenticated_rpm : r.anonymous_rpm);
      WOOLLY_ASSIGN_OR_RETURN(limits::Decision d,
                              services->limiter->take("req:" + who.bucket_key(), spec, 1));
      if (!d.allowed) {
        return make_error(Errc::kRateLimited, "rate limit of " + std::to_string(d.limit) +
                                                  " requests per minute exceeded; retry after " +
                                                  std::to_string(d.retry_after_s) + " s");
      }
    }
    req.principal = principal_of(std::make_shared<auth::Identity>(std::move(who)));
    return {};
  };
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
