// JSON Web Key Sets (RFC 7517): the public keys an external issuer publishes, read from a file
// (auth.jwks_file) and turned into PEM public keys for signature checks. A token names its key
// with the "kid" header.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace woolly::auth {

enum class JwkFamily { kRsa, kEc };

struct Jwk {
  std::string kid;  // may be empty when the set has one key of its family
  std::string alg;  // "RS256"...; empty = any algorithm of its family
  JwkFamily family = JwkFamily::kRsa;
  std::string pem;  // SubjectPublicKeyInfo PEM
};

// Reads {"keys": [...]}: RSA keys (n, e) and EC keys on P-256, P-384 or P-521 (x, y). Keys meant
// for encryption ("use": "enc") and symmetric ones ("kty": "oct") are skipped: a shared secret
// from a public file would let anyone sign. kInvalidArgument for a malformed document or key, or
// when no signing key is left.
Result<std::vector<Jwk>> parse_jwks(std::string_view json);

}  // namespace woolly::auth
