// Turns the credentials of a request into an Identity: a config API key, a store API key or a
// JWT. Knows nothing of HTTP: the caller (the before hook in src/api) copies the relevant header
// and query values into `Credentials`.
//
// Store keys: the first use of a key asks the store (a blocking call) and the answer is cached
// for `key_cache_ttl`, so steady traffic never touches the database on the request path; a key
// revoked through this instance is forgotten at once, through another instance within the TTL.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/identity.h"
#include "auth/jwt.h"
#include "common/result.h"

namespace woolly::store {
class Store;
}

namespace woolly::auth {

// The places a credential may come in, as received.
struct Credentials {
  std::string authorization;  // "Authorization" header
  std::string api_key;        // "X-API-Key" header
  std::string query_token;    // "?token=" (WebSocket clients that cannot set headers)
  std::string ws_protocol;    // "Sec-WebSocket-Protocol": "Bearer, <token>"
  std::string tenant;         // "X-Tenant-ID"
  std::string remote_address;
};

// The one credential presented, in precedence order: Authorization Bearer, X-API-Key, the
// WebSocket subprotocol pair, the query token. nullopt when none was sent. A malformed
// Authorization header (not "Bearer <token>") yields an empty string, which fails verification.
std::optional<std::string> extract_token(const Credentials& creds);

struct AuthOptions {
  JwtOptions jwt;
  std::vector<std::string> config_keys;  // auth.api_keys (secrets)
  bool allow_anonymous = false;
  store::Id default_tenant_id = 0;  // tenant of config keys and anonymous callers
  std::chrono::seconds key_cache_ttl{30};
  int64_t jwt_ttl_s = 3600;
};

class Authenticator {
 public:
  using Clock = std::function<int64_t()>;  // Unix seconds; injectable for tests
  // `store` may be null (no store keys). Fails when the JWT options are invalid.
  static Result<std::unique_ptr<Authenticator>> create(AuthOptions options, store::Store* store,
                                                       Clock clock = {});

  // kUnauthenticated for a bad credential, or for none when anonymous access is off. Without a
  // credential and with anonymous access on: an unauthenticated Identity with anonymous_scopes().
  Result<Identity> authenticate(const Credentials& creds);
  // True when authenticate(creds) will not touch the store: no credential, a JWT, a config key,
  // or a store key still in the cache. Lets callers run it inline instead of on a pool.
  bool answers_without_store(const Credentials& creds);
  // Validates a token as POST /api/v1/auth/validate reports it (JWTs only).
  Result<TokenClaims> validate_token(std::string_view token) const;
  // POST /api/v1/auth/token: exchanges an API key for a JWT of the same tenant and scopes.
  // `user_id`, when given, must match the key's user (if the key has one).
  Result<std::string> issue_token(std::string_view api_key, std::optional<store::Id> user_id);

  // kPermissionDenied unless the identity holds `scope` ("" = none needed).
  static Status authorize(const Identity& who, std::string_view scope);
  // The tenant the request acts in: the identity's own, or X-Tenant-ID when it names the same
  // tenant (or the caller is an admin of the default tenant). kPermissionDenied otherwise.
  Result<store::Id> resolve_tenant(const Identity& who, std::string_view tenant_header) const;

  // Drops a revoked key from the cache.
  void forget_key(store::Id key_id);
  const JwtCodec& jwt() const { return jwt_; }
  int64_t now() const { return clock_(); }

 private:
  Authenticator(AuthOptions options, JwtCodec jwt, store::Store* store, Clock clock);
  Result<Identity> from_secret(const std::string& secret);
  Identity from_claims(const TokenClaims& claims) const;

  struct CachedKey {
    Identity identity;
    int64_t expires_s = 0;
  };
  AuthOptions options_;
  JwtCodec jwt_;
  store::Store* store_;
  Clock clock_;
  std::vector<std::string> config_key_digests_;  // SHA-256 of each config key
  std::mutex mu_;                                 // guards cache_
  std::unordered_map<std::string, CachedKey> cache_;  // by SHA-256 of the secret
};

}  // namespace woolly::auth
