#include "auth/jwt.h"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdlib>
#include <memory>

namespace woolly::auth {
namespace {

constexpr size_t kMinSecretBytes = 32;

struct JwtFree {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

Error unauth(std::string why) { return Error(Errc::kUnauthenticated, "invalid token: " + why); }

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

Result<JwtCodec::KeyFamily> key_family(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                &BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr, &EVP_PKEY_free);
  if (!key) return make_error(Errc::kInvalidArgument, "auth: jwt public key is not a PEM public key");
  switch (EVP_PKEY_base_id(key.get())) {
    case EVP_PKEY_RSA: return JwtCodec::KeyFamily::kRsa;
    case EVP_PKEY_EC: return JwtCodec::KeyFamily::kEc;
    default: return make_error(Errc::kInvalidArgument, "auth: jwt public key must be RSA or EC");
  }
}

std::vector<std::string> split_scopes(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find(' ', i);
    if (j == std::string_view::npos) j = text.size();
    if (j > i) out.emplace_back(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

}  // namespace

bool base64url_decode(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = b64_value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return bits < 6;  // a single leftover character cannot encode a byte
}

Result<JwtCodec> JwtCodec::create(JwtOptions options) {
  if (!options.hs_secret.empty() && options.hs_secret.size() < kMinSecretBytes) {
    return make_error(Errc::kInvalidArgument, "auth: jwt_secret must be at least 32 bytes");
  }
  KeyFamily family = KeyFamily::kNone;
  if (!options.public_key_pem.empty()) {
    WOOLLY_ASSIGN_OR_RETURN(family, key_family(options.public_key_pem));
  }
  std::vector<Jwk> jwks;
  if (!options.jwks_json.empty()) {
    WOOLLY_ASSIGN_OR_RETURN(jwks, parse_jwks(options.jwks_json));
  }
  return JwtCodec(std::move(options), family, std::move(jwks));
}

const Jwk* JwtCodec::jwk_for(std::string_view alg, std::string_view kid) const {
  const JwkFamily want = alg.starts_with("RS") ? JwkFamily::kRsa : JwkFamily::kEc;
  const Jwk* found = nullptr;
  int candidates = 0;
  for (const Jwk& k : jwks_) {
    if (k.family != want || (!k.alg.empty() && k.alg != alg)) continue;
    if (!kid.empty() && k.kid != kid) continue;
    found = &k;
    ++candidates;
  }
  // Without a kid, only an unambiguous set answers: never try keys one after another.
  return candidates == 1 ? found : nullptr;
}

Result<std::string> JwtCodec::issue(const TokenClaims& claims, int64_t now_s, int64_t ttl_s) const {
  if (!can_issue()) return make_error(Errc::kUnsupported, "auth: no jwt_secret configured");
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return make_error(Errc::kInternal, "auth: jwt_new failed");
  JwtPtr jwt(raw);
  std::string scope;
  for (const auto& s : claims.scopes) scope += (scope.empty() ? "" : " ") + s;
  bool ok = jwt_add_grant(jwt.get(), "sub", claims.subject.c_str()) == 0 &&
            jwt_add_grant(jwt.get(), "tenant", claims.tenant.c_str()) == 0 &&
            jwt_add_grant(jwt.get(), "role", claims.role.empty() ? "user" : claims.role.c_str()) == 0 &&
            jwt_add_grant(jwt.get(), "scope", scope.c_str()) == 0 &&
            jwt_add_grant(jwt.get(), "iss", options_.own_issuer.c_str()) == 0 &&
            jwt_add_grant_int(jwt.get(), "iat", static_cast<long>(now_s)) == 0 &&
            jwt_add_grant_int(jwt.get(), "exp", static_cast<long>(now_s + ttl_s)) == 0 &&
            jwt_set_alg(jwt.get(), JWT_ALG_HS256,
                        reinterpret_cast<const unsigned char*>(options_.hs_secret.data()),
                        static_cast<int>(options_.hs_secret.size())) == 0;
  if (!ok) return make_error(Errc::kInternal, "auth: building the token failed");
  char* text = jwt_encode_str(jwt.get());
  if (!text) return make_error(Errc::kInternal, "auth: encoding the token failed");
  std::string out(text);
  free(text);  // NOLINT: libjwt allocates with malloc
  return out;
}

Result<TokenClaims> JwtCodec::verify(std::string_view token, int64_t now_s) const {
  size_t dot1 = token.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return unauth("malformed");
  }
  if (dot2 + 1 == token.size()) return unauth("unsigned");
  // Read the header ourselves so the algorithm is pinned before libjwt looks at a key.
  std::string header;
  if (!base64url_decode(token.substr(0, dot1), header)) return unauth("malformed header");
  boost::system::error_code ec;
  boost::json::value head = boost::json::parse(header, ec);
  if (ec || !head.is_object() || !head.as_object().contains("alg") ||
      !head.as_object().at("alg").is_string()) {
    return unauth("malformed header");
  }
  std::string alg(head.as_object().at("alg").as_string());
  std::string kid;
  if (const boost::json::value* k = head.as_object().if_contains("kid"); k && k->is_string()) {
    kid = std::string(k->as_string());
  }
  const std::string* key = nullptr;
  jwt_alg_t expected = jwt_str_alg(alg.c_str());
  const bool rsa = alg == "RS256" || alg == "RS384" || alg == "RS512";
  const bool ecdsa = alg == "ES256" || alg == "ES384" || alg == "ES512";
  const bool pem_fits = (rsa && family_ == KeyFamily::kRsa) || (ecdsa && family_ == KeyFamily::kEc);
  if (alg == "HS256" && !options_.hs_secret.empty()) {
    key = &options_.hs_secret;
  } else if ((rsa || ecdsa) && !jwks_.empty() && (!kid.empty() || !pem_fits)) {
    const Jwk* jwk = jwk_for(alg, kid);
    if (!jwk) return unauth(kid.empty() ? "no key id" : "unknown key id");
    key = &jwk->pem;
  } else if (pem_fits) {
    key = &options_.public_key_pem;
  }
  if (!key) return unauth("algorithm not accepted");

  std::string text(token);
  jwt_t* raw = nullptr;
  int rc = jwt_decode(&raw, text.c_str(), reinterpret_cast<const unsigned char*>(key->data()),
                      static_cast<int>(key->size()));
  JwtPtr jwt(raw);
  if (rc != 0 || !jwt) return unauth("bad signature");
  if (jwt_get_alg(jwt.get()) != expected) return unauth("algorithm not accepted");

  long exp = jwt_get_grant_int(jwt.get(), "exp");
  if (exp <= 0) return unauth("no expiry");
  if (now_s >= exp + options_.leeway_s) return unauth("expired");
  long nbf = jwt_get_grant_int(jwt.get(), "nbf");
  if (nbf > 0 && now_s + options_.leeway_s < nbf) return unauth("not yet valid");

  TokenClaims claims;
  auto grant = [&](const char* name) {
    const char* v = jwt_get_grant(jwt.get(), name);
    return v ? std::string(v) : std::string();
  };
  claims.issuer = grant("iss");
  // Our own tokens carry our issuer; external ones must carry the configured one.
  const bool own = key == &options_.hs_secret;
  const std::string& want_iss = own ? options_.own_issuer : options_.issuer;
  if (!want_iss.empty() && claims.issuer != want_iss) return unauth("wrong issuer");
  claims.subject = grant("sub");
  if (claims.subject.empty()) return unauth("no subject");
  claims.tenant = grant("tenant");
  claims.role = grant("role");
  if (claims.role.empty()) claims.role = "user";
  claims.scopes = split_scopes(grant("scope"));
  claims.issued_at = jwt_get_grant_int(jwt.get(), "iat");
  claims.expires_at = exp;
  return claims;
}

}  // namespace woolly::auth
