#include <gtest/gtest.h>
#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <string>

#include "auth/jwt.h"

namespace woolly::auth {
namespace {

const std::string kSecret = "0123456789abcdef0123456789abcdef-test";
constexpr int64_t kNow = 1'800'000'000;

std::string b64url(std::string_view in) {
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

struct RsaPair {
  std::string private_pem;
  std::string public_pem;
};

RsaPair make_rsa() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  RsaPair p;
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  p.private_pem.assign(data, n);
  BIO_free(b);
  b = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(b, key);
  n = BIO_get_mem_data(b, &data);
  p.public_pem.assign(data, n);
  BIO_free(b);
  EVP_PKEY_free(key);
  return p;
}

// Signs claims the way any issuer would, with libjwt directly.
std::string sign(jwt_alg_t alg, const std::string& key, long exp, const char* iss = "woolly") {
  jwt_t* j = nullptr;
  jwt_new(&j);
  jwt_add_grant(j, "sub", "user:1");
  jwt_add_grant(j, "tenant", "1");
  jwt_add_grant(j, "scope", "inference admin");
  jwt_add_grant(j, "iss", iss);
  jwt_add_grant_int(j, "exp", exp);
  jwt_set_alg(j, alg, reinterpret_cast<const unsigned char*>(key.data()), static_cast<int>(key.size()));
  char* s = jwt_encode_str(j);
  std::string out = s ? s : "";
  free(s);
  jwt_free(j);
  return out;
}

JwtCodec codec(std::string public_pem = {}, std::string issuer = {}, std::string secret = kSecret) {
  auto c = JwtCodec::create(JwtOptions{secret, std::move(public_pem), std::move(issuer)});
  EXPECT_TRUE(c.ok()) << c.error().message;
  return std::move(*c);
}

void expect_refused(const Result<TokenClaims>& r, std::string_view why) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kUnauthenticated);
  EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().message;
}

TEST(Jwt, IssuedTokenVerifiesWithItsClaims) {
  JwtCodec c = codec();
  TokenClaims in{"user:7", "3", "user", {"inference", "sessions"}};
  auto tok = c.issue(in, kNow, 3600);
  ASSERT_TRUE(tok.ok()) << tok.error().message;
  auto out = c.verify(*tok, kNow + 10);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->subject, "user:7");
  EXPECT_EQ(out->tenant, "3");
  EXPECT_EQ(out->scopes, (std::vector<std::string>{"inference", "sessions"}));
  EXPECT_EQ(out->expires_at, kNow + 3600);
  EXPECT_EQ(out->issued_at, kNow);
}

TEST(Jwt, ExpiredTokenIsRefused) {
  JwtCodec c = codec();
  auto tok = c.issue(TokenClaims{"user:7", "3"}, kNow, 60);
  ASSERT_TRUE(tok.ok());
  EXPECT_TRUE(c.verify(*tok, kNow + 59).ok());
  expect_refused(c.verify(*tok, kNow + 60), "expired");
}

TEST(Jwt, WrongSignatureIsRefused) {
  JwtCodec c = codec();
  std::string other = sign(JWT_ALG_HS256, "another-secret-another-secret-another", kNow + 100);
  expect_refused(c.verify(other, kNow), "bad signature");
  // A flipped byte in the payload of a genuine token breaks its signature too.
  auto tok = c.issue(TokenClaims{"user:7", "3"}, kNow, 60);
  std::string t = *tok;
  size_t dot = t.find('.');
  t[dot + 3] = t[dot + 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(c.verify(t, kNow).ok());
}

TEST(Jwt, AlgNoneIsRefused) {
  JwtCodec c = codec();
  std::string head = b64url(R"({"alg":"none","typ":"JWT"})");
  std::string body = b64url(R"({"sub":"user:1","tenant":"1","scope":"admin","iss":"woolly","exp":1900000000})");
  expect_refused(c.verify(head + "." + body + ".", kNow), "unsigned");
  expect_refused(c.verify(head + "." + body + ".c2ln", kNow), "algorithm not accepted");
  std::string upper = b64url(R"({"alg":"None"})");
  expect_refused(c.verify(upper + "." + body + ".c2ln", kNow), "algorithm not accepted");
}

TEST(Jwt, MalformedTokensAreRefused) {
  JwtCodec c = codec();
  expect_refused(c.verify("", kNow), "malformed");
  expect_refused(c.verify("a.b", kNow), "malformed");
  expect_refused(c.verify("a.b.c.d", kNow), "malformed");
  expect_refused(c.verify("!!.b.c", kNow), "malformed header");
  expect_refused(c.verify(b64url("[1]") + ".e30.c2ln", kNow), "malformed header");
}

TEST(Jwt, ExternalRs256TokenVerifiesWithPublicKey) {
  RsaPair rsa = make_rsa();
  JwtCodec c = codec(rsa.public_pem, "https://issuer.example");
  EXPECT_EQ(c.public_key_family(), JwtCodec::KeyFamily::kRsa);
  std::string tok = sign(JWT_ALG_RS256, rsa.private_pem, kNow + 100, "https://issuer.example");
  auto r = c.verify(tok, kNow);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->subject, "user:1");
  // The external issuer is pinned too.
  std::string stranger = sign(JWT_ALG_RS256, rsa.private_pem, kNow + 100, "https://evil.example");
  expect_refused(c.verify(stranger, kNow), "wrong issuer");
  // Signed by another RSA key: refused.
  RsaPair other = make_rsa();
  expect_refused(c.verify(sign(JWT_ALG_RS256, other.private_pem, kNow + 100, "https://issuer.example"), kNow),
                 "bad signature");
}

TEST(Jwt, AlgorithmConfusionIsRefused) {
  RsaPair rsa = make_rsa();
  // The attack: HS256 with the (public!) RSA key as the HMAC secret.
  std::string forged = sign(JWT_ALG_HS256, rsa.public_pem, kNow + 100, "https://issuer.example");
  // Only a public key configured: HS256 is not accepted at all.
  JwtCodec only_rsa = codec(rsa.public_pem, "https://issuer.example", "");
  expect_refused(only_rsa.verify(forged, kNow), "algorithm not accepted");
  // Both configured: HS256 is checked against the shared secret only, never the public key.
  JwtCodec both = codec(rsa.public_pem, "https://issuer.example");
  expect_refused(both.verify(forged, kNow), "bad signature");
  // And an RS256 header cannot be satisfied by the HMAC secret.
  std::string rs_with_secret = sign(JWT_ALG_HS256, kSecret, kNow + 100);
  std::string head = b64url(R"({"alg":"RS256","typ":"JWT"})");
  std::string swapped = head + rs_with_secret.substr(rs_with_secret.find('.'));
  expect_refused(both.verify(swapped, kNow), "bad signature");
}

TEST(Jwt, BadOptionsAreRejected) {
  EXPECT_EQ(JwtCodec::create(JwtOptions{"short"}).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(JwtCodec::create(JwtOptions{kSecret, "not a pem"}).error().code, Errc::kInvalidArgument);
  auto none = JwtCodec::create(JwtOptions{});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->can_issue());
  EXPECT_FALSE(none->verify(sign(JWT_ALG_HS256, kSecret, kNow + 100), kNow).ok());
}

}  // namespace
}  // namespace woolly::auth
