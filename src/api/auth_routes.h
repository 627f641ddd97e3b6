// The HTTP side of identity, limits and credits: the before hook every route passes through
// (authenticate, tenant, scope, request rate limit) and the auth, admin (keys, credits) and usage
// endpoints. The parts themselves live in src/auth and src/limits; this is only their glue.
#pragma once

#include <functional>
#include <memory>

#include "auth/authenticator.h"
#include "common/result.h"
#include "limits/credits.h"
#include "limits/rate_limiter.h"
#include "net/router.h"
#include "net/server.h"

namespace woolly::store {
class Store;
}

namespace woolly::api {

struct RateLimitSettings {
  int64_t authenticated_rpm = 60;
  int64_t anonymous_rpm = 10;
  int64_t burst_capacity = 10;
  int64_t tokens_per_minute = 0;  // 0 = no token bucket
};

// Everything the hook and the routes use; owned by the caller (app/serve), outliving the server.
struct AuthServices {
  auth::Authenticator* authenticator = nullptr;
  limits::RateLimiter* limiter = nullptr;  // null = no rate limits
  store::Store* store = nullptr;           // null = no key/credit/usage endpoints
  limits::CreditGate* credits = nullptr;
  RateLimitSettings rates;
};

// Runs `job` on the store's pool and answers with its response or error from there.
void answer_from_store(store::Store& store, net::Responder res,
                       std::function<Result<net::Response>(store::Store&)> job);

// The identity a request was admitted with (set by the hook), or null on public routes.
std::shared_ptr<const auth::Identity> identity_of(const net::Request& req);

// The before hook: 401 for no/bad credentials (WWW-Authenticate: Bearer realm="woolly", with
// error="invalid_token" when a credential was presented), 403 for a missing scope (error=
// "insufficient_scope") or a tenant the credential may not act for, 429 when the principal's
// request bucket is empty (Retry-After). Admitted requests carry X-RateLimit-Limit/Remaining/Reset
// (429s too). Public routes pass as they are. Fills req.principal (detail = the auth::Identity).
net::BeforeHook make_auth_hook(std::shared_ptr<AuthServices> services);
// Registers that hook as a blocking one: a store key's first use and the Redis limiter block, so
// those requests are decided on the server's hook pool; public routes, JWTs, config keys and
// cached store keys with the in-memory limiter are decided inline.
void install_auth_hook(net::Server& server, std::shared_ptr<AuthServices> services);

// POST /api/v1/auth/token, POST /api/v1/auth/validate.
Status install_auth_routes(net::Router& router, std::shared_ptr<AuthServices> services);
// POST/GET /api/v1/admin/keys, DELETE /api/v1/admin/keys/:id,
// POST /api/v1/admin/credits/grant, GET /api/v1/admin/credits/:principal.
Status install_admin_routes(net::Router& router, std::shared_ptr<AuthServices> services);
// GET /api/v1/usage: the caller's own records; a whole tenant's for admins.
Status install_usage_routes(net::Router& router, std::shared_ptr<AuthServices> services);

}  // namespace woolly::api
