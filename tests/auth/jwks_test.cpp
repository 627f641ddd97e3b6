// Tokens of an external issuer checked against its JWKS file: the key a token's "kid" names, or
// the only key of its family; never a guess among several, never a symmetric key from the set.
#include <gtest/gtest.h>
#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <string>

#include "auth/jwks.h"
#include "auth/jwt.h"

namespace woolly::auth {
namespace {

constexpr int64_t kNow = 1'800'000'000;

std::string b64url(const std::string& in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  return out;
}

struct Key {
  std::string private_pem;
  std::string jwk;  // the public half as a JWK (without kid/alg)
};

std::string private_pem(EVP_PKEY* key) {
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  std::string out(data, n);
  BIO_free(b);
  return out;
}

std::string bn_bytes(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out(BN_num_bytes(bn), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

Key rsa_key() {
  EVP_PKEY* k = EVP_RSA_gen(2048);
  Key out{private_pem(k), R"("kty":"RSA","n":")" + b64url(bn_bytes(k, OSSL_PKEY_PARAM_RSA_N)) +
                              R"(","e":")" + b64url(bn_bytes(k, OSSL_PKEY_PARAM_RSA_E)) + "\""};
  EVP_PKEY_free(k);
  return out;
}

Key ec_key() {
  EVP_PKEY* k = EVP_EC_gen("P-256");
  unsigned char point[65];
  size_t len = 0;
  EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len);
  EXPECT_EQ(len, 65u);  // 0x04 || x || y
  std::string p(reinterpret_cast<char*>(point), len);
  Key out{private_pem(k), R"("kty":"EC","crv":"P-256","x":")" + b64url(p.substr(1, 32)) +
                              R"(","y":")" + b64url(p.substr(33, 32)) + "\""};
  EVP_PKEY_free(k);
  return out;
}

std::string sign(jwt_alg_t alg, const std::string& pem, const std::string& kid) {
  jwt_t* j = nullptr;
  jwt_new(&j);
  jwt_add_grant(j, "sub", "user:9");
  jwt_add_grant(j, "iss", "https://issuer.example");
  jwt_add_grant_int(j, "exp", kNow + 600);
  if (!kid.empty()) jwt_add_header(j, "kid", kid.c_str());
  jwt_set_alg(j, alg, reinterpret_cast<const unsigned char*>(pem.data()), static_cast<int>(pem.size()));
  char* s = jwt_encode_str(j);
  std::string out = s ? s : "";
  free(s);
  jwt_free(j);
  return out;
}

JwtCodec codec(const std::string& jwks) {
  JwtOptions o;
  o.issuer = "https://issuer.example";
  o.jwks_json = jwks;
  auto c = JwtCodec::create(o);
  EXPECT_TRUE(c.ok()) << c.error().message;
  return std::move(*c);
}

TEST(Jwks, TokensAreCheckedAgainstTheKeyTheirKidNames) {
  Key r1 = rsa_key(), r2 = rsa_key(), e1 = ec_key();
  JwtCodec c = codec(R"({"keys":[{)" + r1.jwk + R"(,"kid":"r1","use":"sig"},{)" + r2.jwk +
                     R"(,"kid":"r2","alg":"RS256"},{)" + e1.jwk + R"(,"kid":"e1"}]})");
  auto ok1 = c.verify(sign(JWT_ALG_RS256, r1.private_pem, "r1"), kNow);
  ASSERT_TRUE(ok1.ok()) << ok1.error().message;
  EXPECT_EQ(ok1->subject, "user:9");
  EXPECT_TRUE(c.verify(sign(JWT_ALG_RS256, r2.private_pem, "r2"), kNow).ok());
  EXPECT_TRUE(c.verify(sign(JWT_ALG_ES256, e1.private_pem, "e1"), kNow).ok());
  // Signed by r2's key but naming r1: the signature does not match r1.
  EXPECT_FALSE(c.verify(sign(JWT_ALG_RS256, r2.private_pem, "r1"), kNow).ok());
  EXPECT_FALSE(c.verify(sign(JWT_ALG_RS256, r1.private_pem, "nobody"), kNow).ok());
  // r2 is for RS256 only.
  EXPECT_FALSE(c.verify(sign(JWT_ALG_RS384, r2.private_pem, "r2"), kNow).ok());
  // Two RSA keys and no kid: ambiguous, refused rather than tried in turn.
  auto no_kid = c.verify(sign(JWT_ALG_RS256, r1.private_pem, ""), kNow);
  ASSERT_FALSE(no_kid.ok());
  EXPECT_EQ(no_kid.error().code, Errc::kUnauthenticated);
  // An EC token naming an RSA key's kid.
  EXPECT_FALSE(c.verify(sign(JWT_ALG_ES256, e1.private_pem, "r1"), kNow).ok());
}

TEST(Jwks, TheOnlyKeyOfAFamilyNeedsNoKid) {
  Key r1 = rsa_key(), other = rsa_key();
  JwtCodec c = codec(R"({"keys":[{)" + r1.jwk + "}]}");
  EXPECT_TRUE(c.verify(sign(JWT_ALG_RS256, r1.private_pem, ""), kNow).ok());
  EXPECT_FALSE(c.verify(sign(JWT_ALG_RS256, other.private_pem, ""), kNow).ok());
}

TEST(Jwks, SymmetricAndEncryptionKeysAreNeverTrusted) {
  Key r1 = rsa_key();
  // An "oct" key with a known secret in a public file must not let its holder sign tokens.
  const std::string secret = "0123456789abcdef0123456789abcdef";
  auto c = JwtCodec::create(JwtOptions{{}, {}, {}, "woolly", 0,
                                       R"({"keys":[{"kty":"oct","k":")" + b64url(secret) +
                                           R"(","kid":"s"},{)" + r1.jwk + R"(,"kid":"r1"}]})"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_FALSE(c->verify(sign(JWT_ALG_HS256, secret, "s"), kNow).ok());
  EXPECT_FALSE(parse_jwks(R"({"keys":[{)" + r1.jwk + R"(,"use":"enc"}]})").ok());
}

TEST(Jwks, MalformedSetsAreClearErrors) {
  for (const char* bad : {"", "[]", R"({"keys":{}})", R"({"keys":[]})",
                          R"({"keys":[{"kty":"RSA","n":"!!","e":"AQAB"}]})",
                          R"({"keys":[{"kty":"EC","crv":"P-192","x":"AA","y":"AA"}]})",
                          R"({"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]})"}) {
    auto r = parse_jwks(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
    EXPECT_NE(r.error().message.find("jwks"), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace woolly::auth
