#include "auth/jwks.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <memory>

#include "auth/jwt.h"

namespace woolly::auth {
namespace {

namespace json = boost::json;

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using BldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using CtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

Error bad(const std::string& why) { return Error(Errc::kInvalidArgument, "auth: jwks: " + why); }

std::string text(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// A base64url member decoded to bytes; empty when missing or malformed.
std::string bytes(const json::object& o, std::string_view name) {
  std::string out;
  if (!base64url_decode(text(o, name), out)) out.clear();
  return out;
}

Result<std::string> to_pem(const char* type, OSSL_PARAM_BLD* bld) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  CtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    return bad(std::string("not a valid ") + type + " public key");
  }
  KeyPtr key(raw);
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) return bad("cannot encode a key");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

Result<std::string> rsa_pem(const json::object& k) {
  std::string n = bytes(k, "n"), e = bytes(k, "e");
  if (n.empty() || e.empty()) return bad("an RSA key needs base64url n and e");
  auto bn = [](const std::string& b) {
    return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(b.data()),
                           static_cast<int>(b.size()), nullptr));
  };
  BnPtr bn_n = bn(n), bn_e = bn(e);
  BldPtr bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
    return bad("cannot build an RSA key");
  }
  return to_pem("RSA", bld.get());
}

Result<std::string> ec_pem(const json::object& k) {
  std::string crv = text(k, "crv");
  const char* group = nullptr;
  size_t size = 0;
  if (crv == "P-256") {
    group = "prime256v1";
    size = 32;
  } else if (crv == "P-384") {
    group = "secp384r1";
    size = 48;
  } else if (crv == "P-521") {
    group = "secp521r1";
    size = 66;
  } else {
    return bad("EC curve '" + crv + "' is not supported (P-256, P-384, P-521)");
  }
  std::string x = bytes(k, "x"), y = bytes(k, "y");
  if (x.size() != size || y.size() != size) return bad("EC key " + crv + " needs x and y of " + std::to_string(size) + " bytes");
  std::string point = "\x04" + x + y;  // uncompressed point
  BldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size())) {
    return bad("cannot build an EC key");
  }
  return to_pem("EC", bld.get());
}

}  // namespace

Result<std::vector<Jwk>> parse_jwks(std::string_view document) {
  json::error_code ec;
  json::value v = json::parse(document, ec);
  if (ec || !v.is_object() || !v.as_object().contains("keys") ||
      !v.as_object().at("keys").is_array()) {
    return bad("expected {\"keys\": [...]}");
  }
  std::vector<Jwk> out;
  for (const json::value& item : v.as_object().at("keys").as_array()) {
    if (!item.is_object()) return bad("every key must be an object");
    const json::object& k = item.as_object();
    std::string kty = text(k, "kty"), use = text(k, "use");
    if (!use.empty() && use != "sig") continue;
    Jwk jwk;
    jwk.kid = text(k, "kid");
    jwk.alg = text(k, "alg");
    if (kty == "RSA") {
      jwk.family = JwkFamily::kRsa;
      WOOLLY_ASSIGN_OR_RETURN(jwk.pem, rsa_pem(k));
    } else if (kty == "EC") {
      jwk.family = JwkFamily::kEc;
      WOOLLY_ASSIGN_OR_RETURN(jwk.pem, ec_pem(k));
    } else {
      continue;  // "oct" and unknown types: never trusted from a key set
    }
    out.push_back(std::move(jwk));
  }
  if (out.empty()) return bad("no RSA or EC signing key in the set");
  return out;
}

}  // namespace woolly::auth
