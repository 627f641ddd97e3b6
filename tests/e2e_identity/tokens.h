// JWTs made the way a foreign or hostile client would: HS256 with any secret, or alg "none".
#pragma once

#include <string>

namespace woolly::e2e {

// header.payload.signature with {"alg":"HS256","typ":"JWT"} and `claims_json` as the payload.
std::string hs256_token(const std::string& secret, const std::string& claims_json);
// {"alg":"none"} and an empty signature.
std::string unsigned_token(const std::string& claims_json);

// An external issuer's RSA key: the private key (PEM) and its public half as a JWKS document.
struct RsaIssuerKey {
  std::string private_pem;
  std::string jwks_json;  // {"keys":[{"kty":"RSA","kid":...,"n":...,"e":...}]}
};
RsaIssuerKey make_rsa_issuer_key(const std::string& kid);
// RS256 with {"alg":"RS256","typ":"JWT","kid":kid}.
std::string rs256_token(const std::string& private_pem, const std::string& kid,
                        const std::string& claims_json);

}  // namespace woolly::e2e
