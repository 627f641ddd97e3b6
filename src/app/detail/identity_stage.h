// The identity stage of start-up: who callers are (auth::Authenticator over [auth] and the
// store's keys), how fast they may go (token buckets from [rate_limit], in memory or in Redis)
// and what they pay ([pricing] through limits::CreditGate). Its product, api::AuthServices, is
// what the before hook and the auth/admin/usage routes use, and what the serving surfaces call
// to charge credits and tokens.
#pragma once

#include <memory>

#include "api/auth_routes.h"
#include "common/result.h"
#include "config/config.h"
#include "net/router.h"
#include "net/server.h"
#include "store/redis_client.h"
#include "store/store.h"

namespace woolly::app::detail {

// Owns the parts AuthServices points at. Declared in the order they must be destroyed
// last-to-first; the store and Redis client (the store stage) outlive it.
struct IdentityStage {
  std::unique_ptr<auth::Authenticator> authenticator;
  std::unique_ptr<limits::RateLimiter> limiter;
  std::unique_ptr<limits::CreditGate> credits;
  std::shared_ptr<api::AuthServices> services;
};

// Fails (start-up exits 1) when the JWT settings are unusable: a secret shorter than 32 bytes,
// an unreadable or non-RSA/EC public key file. Creates the "default" tenant on first start: config
// keys and anonymous callers act in it, as do keys made by `woolly-server keys create`.
Result<IdentityStage> start_identity(const config::Config& config, store::Store& store,
                                     store::RedisClient* redis);

// POST /api/v1/auth/token and /validate, /api/v1/admin/*, GET /api/v1/usage.
Status install_identity_routes(net::Router& router, const IdentityStage& identity);

// Puts the before hook (authenticate, tenant, scope, request rate limit) in front of every route.
void install_identity_hook(net::Server& server, const IdentityStage& identity);

}  // namespace woolly::app::detail
