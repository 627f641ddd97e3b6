#include "app/detail/identity_stage.h"

#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

namespace woolly::app::detail {
namespace {

constexpr std::string_view kDefaultTenant = "default";

Result<std::string> read_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::kInvalidArgument, std::string(what) + " '" + path + "' cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<store::Id> default_tenant(store::Store& store) {
  auto t = store.find_tenant(kDefaultTenant);
  if (t.ok()) return t->id;
  if (t.error().code != Errc::kNotFound) return t.take_error();
  auto created = store.create_tenant(kDefaultTenant);
  // Another instance sharing the database may have created it in the meantime.
  if (!created.ok() && created.error().code == Errc::kAlreadyExists) {
    WOOLLY_ASSIGN_OR_RETURN(store::Tenant again, store.find_tenant(kDefaultTenant));
    return again.id;
  }
  if (!created.ok()) return created.take_error();
  return created->id;
}

Result<auth::AuthOptions> auth_options(const config::Config& config, store::Store& store) {
  const config::AuthConfig& a = config.auth;
  auth::AuthOptions o;
  o.jwt.hs_secret = a.jwt_secret;
  o.jwt.issuer = a.jwt_issuer;
  if (!a.jwt_public_key_file.empty()) {
    WOOLLY_ASSIGN_OR_RETURN(o.jwt.public_key_pem,
                            read_file(a.jwt_public_key_file, "auth.jwt_public_key_file"));
  }
  if (!a.jwks_file.empty()) {
    WOOLLY_ASSIGN_OR_RETURN(o.jwt.jwks_json, read_file(a.jwks_file, "auth.jwks_file"));
  }
  o.config_keys = a.api_keys;
  o.allow_anonymous = a.allow_anonymous;
  o.jwt_ttl_s = a.jwt_expiration;
  WOOLLY_ASSIGN_OR_RETURN(o.default_tenant_id, default_tenant(store));
  return o;
}

std::map<std::string, std::pair<double, double>> price_list(const config::Config& config) {
  std::map<std::string, std::pair<double, double>> out;
  for (const auto& [model, p] : config.pricing) out[model] = {p.prompt_per_1k, p.completion_per_1k};
  return out;
}

}  // namespace

Result<IdentityStage> start_identity(const config::Config& config, store::Store& store,
                                     store::RedisClient* redis) {
  IdentityStage id;
  WOOLLY_ASSIGN_OR_RETURN(auth::AuthOptions ao, auth_options(config, store));
  auto authn = auth::Authenticator::create(std::move(ao), &store);
  if (!authn.ok()) {
    return make_error(authn.error().code, "[auth]: " + authn.error().message);
  }
  id.authenticator = std::move(*authn);
  if (redis) {
    id.limiter =
        std::make_unique<limits::RedisRateLimiter>(*redis, config.store.redis_prefix + "rl:");
  } else {
    id.limiter = std::make_unique<limits::MemoryRateLimiter>();
  }
  id.credits = std::make_unique<limits::CreditGate>(
      store, limits::PriceTable::from_credits(price_list(config)));

  id.services = std::make_shared<api::AuthServices>();
  id.services->authenticator = id.authenticator.get();
  id.services->limiter = id.limiter.get();
  id.services->store = &store;
  id.services->credits = id.credits.get();
  const config::RateLimitConfig& r = config.rate_limit;
  id.services->rates = api::RateLimitSettings{r.authenticated_rpm, r.anonymous_rpm,
                                              r.burst_capacity, r.tokens_per_minute};
  if (config.auth.allow_anonymous) {
    spdlog::info("identity: anonymous callers allowed ({} requests/min each)", r.anonymous_rpm);
  } else {
    spdlog::info("identity: every request needs a credential");
  }
  return id;
}

Status install_identity_routes(net::Router& router, const IdentityStage& identity) {
  WOOLLY_TRY(api::install_auth_routes(router, identity.services));
  WOOLLY_TRY(api::install_admin_routes(router, identity.services));
  return api::install_usage_routes(router, identity.services);
}

void install_identity_hook(net::Server& server, const IdentityStage& identity) {
  api::install_auth_hook(server, identity.services);
}

}  // namespace woolly::app::detail
