// JSON Web Tokens: Woolly issues HS256 tokens signed with auth.jwt_secret and verifies them, and
// optionally verifies RS256/ES256 tokens of an external issuer with its public key.
//
// The algorithm is pinned per key before any signature is checked: HS256 only against the shared
// secret, RS* only against an RSA public key, ES* only against an EC public key. So `alg: none`
// and the classic confusion (an HS256 token "signed" with the RSA public key as HMAC secret) are
// refused whatever libjwt would make of them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwks.h"
#include "common/result.h"

namespace woolly::auth {

struct TokenClaims {
  std::string subject;  // "sub"
  std::string tenant;   // "tenant": the tenant id as decimal text
  std::string role;     // "role"; empty = "user"
  std::vector<std::string> scopes;  // "scope": space-separated
  std::string issuer;   // "iss"
  int64_t issued_at = 0;   // "iat", Unix seconds
  int64_t expires_at = 0;  // "exp", Unix seconds
};

struct JwtOptions {
  std::string hs_secret;       // empty = Woolly neither issues nor accepts HS256 tokens
  std::string public_key_pem;  // empty = no external issuer
  std::string issuer;          // required "iss" of verified tokens; empty = not checked
  std::string own_issuer = "woolly";  // "iss" of tokens Woolly issues
  int64_t leeway_s = 0;        // clock skew tolerated on exp/nbf
  // A JWKS document of the external issuer (alternative or addition to public_key_pem): RS*/ES*
  // tokens are checked against the key their "kid" names (or the only key of their family).
  std::string jwks_json;
};

class JwtCodec {
 public:
  // kInvalidArgument when the public key is not an RSA or EC public key in PEM, or the secret is
  // shorter than 32 bytes (a guessable HMAC key makes every token forgeable).
  // A malformed JWKS document is kInvalidArgument too.
  static Result<JwtCodec> create(JwtOptions options);

  bool can_issue() const { return !options_.hs_secret.empty(); }
  // An HS256 token valid for `ttl_s` seconds from `now_s`.
  Result<std::string> issue(const TokenClaims& claims, int64_t now_s, int64_t ttl_s) const;
  // kUnauthenticated with a short reason for any token that is not acceptable.
  Result<TokenClaims> verify(std::string_view token, int64_t now_s) const;

  enum class KeyFamily { kNone, kRsa, kEc };
  KeyFamily public_key_family() const { return family_; }

 private:
  JwtCodec(JwtOptions options, KeyFamily family, std::vector<Jwk> jwks)
      : options_(std::move(options)), family_(family), jwks_(std::move(jwks)) {}
  // The JWKS key for a token of `alg` naming `kid`, or null.
  const Jwk* jwk_for(std::string_view alg, std::string_view kid) const;
  JwtOptions options_;
  KeyFamily family_ = KeyFamily::kNone;
  std::vector<Jwk> jwks_;
};

// base64url without padding, as JWT uses it. nullopt-like empty result plus false on bad input.
bool base64url_decode(std::string_view in, std::string& out);

}  // namespace woolly::auth
