#include "auth/authenticator.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cctype>
#include <charconv>
#include <ctime>

#include "store/store.h"

namespace woolly::auth {
namespace {

std::string digest(std::string_view secret) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), out);
  return std::string(reinterpret_cast<const char*>(out), sizeof(out));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

std::optional<int64_t> parse_id(std::string_view text) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

bool looks_like_jwt(std::string_view s) {
  size_t a = s.find('.');
  return a != std::string_view::npos && s.find('.', a + 1) != std::string_view::npos;
}

const Error& bad_credentials() {
  static const Error kBad(Errc::kUnauthenticated, "invalid credentials");
  return kBad;
}

}  // namespace

std::optional<std::string> extract_token(const Credentials& creds) {
  if (!creds.authorization.empty()) {
    std::string_view v = trim(creds.authorization);
    if (!istarts_with(v, "Bearer ")) return std::string();
    return std::string(trim(v.substr(7)));
  }
  if (!creds.api_key.empty()) return std::string(trim(creds.api_key));
  if (!creds.ws_protocol.empty()) {
    // Browsers cannot set Authorization on a WebSocket: they offer "Bearer" and the token as two
    // subprotocols ("Sec-WebSocket-Protocol: Bearer, <tok>"), possibly after a real one
    // ("mcp, Bearer, <tok>"). The token is the entry after "Bearer".
    std::string_view rest = creds.ws_protocol;
    bool after_bearer = false;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view item = trim(rest.substr(0, comma));
      if (after_bearer) return std::string(item);
      after_bearer = item.size() == 6 && istarts_with(item, "Bearer");
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (!creds.query_token.empty()) return creds.query_token;
  return std::nullopt;
}

Result<std::unique_ptr<Authenticator>> Authenticator::create(AuthOptions options,
                                                             store::Store* store, Clock clock) {
  WOOLLY_ASSIGN_OR_RETURN(JwtCodec jwt, JwtCodec::create(options.jwt));
  if (!clock) clock = [] { return static_cast<int64_t>(std::time(nullptr)); };
  return std::unique_ptr<Authenticator>(
      new Authenticator(std::move(options), std::move(jwt), store, std::move(clock)));
}

Authenticator::Authenticator(AuthOptions options, JwtCodec jwt, store::Store* store, Clock clock)
    : options_(std::move(options)), jwt_(std::move(jwt)), store_(store), clock_(std::move(clock)) {
  for (const auto& k : options_.config_keys) config_key_digests_.push_back(digest(k));
}

Result<Identity> Authenticator::authenticate(const Credentials& creds) {
  std::optional<std::string> token = extract_token(creds);
  if (!token) {
    if (!options_.allow_anonymous) {
      return make_error(Errc::kUnauthenticated, "authentication required");
    }
    Identity anon;
    anon.subject = "anonymous:" + creds.remote_address;
    anon.tenant_id = options_.default_tenant_id;
    anon.role = "anonymous";
    anon.scopes = anonymous_scopes();
    return anon;
  }
  if (token->empty()) return bad_credentials();
  if (looks_like_jwt(*token)) {
    WOOLLY_ASSIGN_OR_RETURN(TokenClaims claims, jwt_.verify(*token, clock_()));
    return from_claims(claims);
  }
  return from_secret(*token);
}

bool Authenticator::answers_without_store(const Credentials& creds) {
  std::optional<std::string> token = extract_token(creds);
  if (!token || token->empty() || looks_like_jwt(*token)) return true;
  if (!store_ || token->rfind("wk_", 0) != 0) return true;  // a config key or a bad one
  std::lock_guard lock(mu_);
  auto it = cache_.find(digest(*token));
  return it != cache_.end() && it->second.expires_s > clock_();
}

Result<Identity> Authenticator::from_secret(const std::string& secret) {
  std::string d = digest(secret);
  // Compare against every config key in constant time: no early exit, no timing on the match.
  int match = -1;
  for (size_t i = 0; i < config_key_digests_.size(); ++i) {
    if (CRYPTO_memcmp(d.data(), config_key_digests_[i].data(), d.size()) == 0) {
      match = static_cast<int>(i);
    }
  }
  if (match >= 0) {
    Identity id;
    id.kind = CredentialKind::kConfigKey;
    id.subject = "config-key:" + std::to_string(match);
    id.tenant_id = options_.default_tenant_id;
    id.role = "admin";
    id.scopes = all_scopes();
    id.authenticated = true;
    return id;
  }
  if (!store_ || secret.rfind("wk_", 0) != 0) return bad_credentials();
  const int64_t now = clock_();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(d);
    if (it != cache_.end()) {
      if (it->second.expires_s > now) return it->second.identity;
      cache_.erase(it);
    }
  }
  auto key = store_->verify_api_key(secret);
  if (!key.ok()) {
    if (key.error().code == Errc::kUnauthenticated) return bad_credentials();
    return key.take_error();  // the store is down: 503, not "bad key"
  }
  Identity id;
  id.kind = CredentialKind::kStoreKey;
  id.subject = "key:" + std::to_string(key->id);
  id.tenant_id = key->spec.tenant_id;
  id.user_id = key->spec.user_id;
  id.key_id = key->id;
  id.scopes = key->spec.scopes;
  id.role = id.has_scope(kScopeAdmin) ? "admin" : "user";
  id.authenticated = true;
  id.rpm = key->spec.rpm;
  id.tpm = key->spec.tpm;
  id.budget = key->spec.budget;
  id.allowed_models = key->spec.allowed_models;
  id.allowed_tools = key->spec.allowed_tools;
  std::lock_guard lock(mu_);
  cache_[d] = CachedKey{id, now + options_.key_cache_ttl.count()};
  return id;
}

Identity Authenticator::from_claims(const TokenClaims& claims) const {
  Identity id;
  id.kind = CredentialKind::kJwt;
  id.subject = claims.subject;
  id.tenant_id = parse_id(claims.tenant).value_or(options_.default_tenant_id);
  std::string_view sub = claims.subject;
  if (sub.rfind("user:", 0) == 0) id.user_id = parse_id(sub.substr(5));
  if (sub.rfind("key:", 0) == 0) id.key_id = parse_id(sub.substr(4));
  for (const auto& s : claims.scopes) {
    if (is_known_scope(s)) id.scopes.push_back(s);  // unknown scopes of other issuers are ignored
  }
  id.role = claims.role;
  id.authenticated = true;
  return id;
}

Result<TokenClaims> Authenticator::validate_token(std::string_view token) const {
  return jwt_.verify(token, clock_());
}

Result<std::string> Authenticator::issue_token(std::string_view api_key,
                                               std::optional<store::Id> user_id) {
  if (looks_like_jwt(api_key)) return bad_credentials();  // a token cannot mint tokens
  WOOLLY_ASSIGN_OR_RETURN(Identity who, from_secret(std::string(api_key)));
  if (user_id && who.user_id && *user_id != *who.user_id) return bad_credentials();
  TokenClaims claims;
  claims.subject = who.user_id ? "user:" + std::to_string(*who.user_id) : who.subject;
  if (who.key_id && !who.user_id) claims.subject = who.subject;
  claims.tenant = std::to_string(who.tenant_id);
  claims.role = who.role;
  claims.scopes = who.scopes;
  return jwt_.issue(claims, clock_(), options_.jwt_ttl_s);
}

Status Authenticator::authorize(const Identity& who, std::string_view scope) {
  if (who.has_scope(scope)) return {};
  return make_error(Errc::kPermissionDenied, "missing scope: " + std::string(scope));
}

Result<store::Id> Authenticator::resolve_tenant(const Identity& who,
                                                std::string_view tenant_header) const {
  if (tenant_header.empty()) return who.tenant_id;
  std::optional<int64_t> wanted = parse_id(tenant_header);
  if (!wanted) return make_error(Errc::kInvalidArgument, "X-Tenant-ID must be a tenant id");
  if (*wanted == who.tenant_id) return *wanted;
  // Operators (config keys, admins of the default tenant) may act for any tenant.
  if (who.authenticated && who.has_scope(kScopeAdmin) && who.tenant_id == options_.default_tenant_id) {
    return *wanted;
  }
  return make_error(Errc::kPermissionDenied, "credential not valid for tenant " + std::string(tenant_header));
}

void Authenticator::forget_key(store::Id key_id) {
  std::lock_guard lock(mu_);
  for (auto it = cache_.begin(); it != cache_.end();) {
    if (it->second.identity.key_id == key_id) {
      it = cache_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace woolly::auth
