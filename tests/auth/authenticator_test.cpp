#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "auth/authenticator.h"
#include "store/store.h"

namespace woolly::auth {
namespace {

const std::string kSecret = "0123456789abcdef0123456789abcdef-test";
const std::string kConfigKey = "operator-key-from-the-config";

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir_ = std::filesystem::path(WOOLLY_BINARY_DIR) / "auth-test" /
           (std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::create_directories(dir_);
    store::StoreOptions so;
    so.sqlite_path = (dir_ / "woolly.db").string();
    auto s = store::open_store(so);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    tenant_ = store_->create_tenant("acme")->id;
    other_tenant_ = store_->create_tenant("globex")->id;
    store::User u;
    u.tenant_id = tenant_;
    u.name = "ann";
    user_ = store_->create_user(u)->id;
    auth_ = make(false);
  }
  void TearDown() override {
    auth_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<Authenticator> make(bool anonymous) {
    AuthOptions o;
    o.jwt.hs_secret = kSecret;
    o.config_keys = {kConfigKey};
    o.allow_anonymous = anonymous;
    o.default_tenant_id = tenant_;
    auto a = Authenticator::create(o, store_.get(), [this] { return now_; });
    EXPECT_TRUE(a.ok());
    return std::move(*a);
  }

  store::CreatedApiKey make_key(std::vector<std::string> scopes, store::Id tenant = 0) {
    store::ApiKeySpec spec;
    spec.tenant_id = tenant ? tenant : tenant_;
    spec.user_id = tenant ? std::nullopt : std::optional<store::Id>(user_);
    spec.name = "k";
    spec.scopes = std::move(scopes);
    spec.rpm = 5;
    auto k = store_->create_api_key(spec);
    EXPECT_TRUE(k.ok()) << k.error().message;
    return *k;
  }

  static Credentials bearer(const std::string& t) {
    Credentials c;
    c.authorization = "Bearer " + t;
    return c;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Authenticator> auth_;
  store::Id tenant_ = 0, other_tenant_ = 0, user_ = 0;
  int64_t now_ = 1'800'000'000;
};

TEST(ExtractToken, EveryAcceptedForm) {
  Credentials c;
  EXPECT_FALSE(extract_token(c).has_value());
  c.query_token = "q";
  EXPECT_EQ(*extract_token(c), "q");
  c.ws_protocol = "Bearer, w";
  EXPECT_EQ(*extract_token(c), "w");
  c.api_key = "x";
  EXPECT_EQ(*extract_token(c), "x");
  c.authorization = "bearer  h ";
  EXPECT_EQ(*extract_token(c), "h");
  c.authorization = "Basic dXNlcjpwYXNz";
  EXPECT_EQ(*extract_token(c), "");  // present but unusable: refused, not ignored
}

TEST(ExtractToken, WebSocketSubprotocolPairAfterOtherProtocols) {
  Credentials c;
  c.ws_protocol = "mcp, bearer,tok-1";
  EXPECT_EQ(*extract_token(c), "tok-1");
  c.ws_protocol = "mcp";  // a subprotocol without a credential is no credential
  EXPECT_FALSE(extract_token(c).has_value());
  c.ws_protocol = "Bearer";  // "Bearer" with nothing after it neither
  EXPECT_FALSE(extract_token(c).has_value());
  c.ws_protocol = "Bearerx, tok";
  EXPECT_FALSE(extract_token(c).has_value());
}

TEST_F(AuthenticatorTest, NoCredentialIs401UnlessAnonymousAllowed) {
  auto r = auth_->authenticate(Credentials{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kUnauthenticated);

  auto anon = make(true)->authenticate(Credentials{.remote_address = "10.0.0.1"});
  ASSERT_TRUE(anon.ok());
  EXPECT_FALSE(anon->authenticated);
  EXPECT_EQ(anon->subject, "anonymous:10.0.0.1");
  EXPECT_TRUE(anon->has_scope(kScopeInference));
  EXPECT_FALSE(anon->has_scope(kScopeSessions));
  EXPECT_FALSE(anon->has_scope(kScopeAdmin));
}

TEST_F(AuthenticatorTest, BadKeyIs401EvenWithAnonymousAllowed) {
  for (const char* bad : {"nope", "wk_abc_def", "", "a.b.c"}) {
    auto r = make(true)->authenticate(bearer(bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Errc::kUnauthenticated) << bad;
  }
}

TEST_F(AuthenticatorTest, ConfigKeyIsAnOperatorOfTheDefaultTenant) {
  Credentials c;
  c.api_key = kConfigKey;
  auto r = auth_->authenticate(c);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->kind, CredentialKind::kConfigKey);
  EXPECT_EQ(r->tenant_id, tenant_);
  EXPECT_TRUE(r->has_scope(kScopeAdmin));
  EXPECT_TRUE(auth_->resolve_tenant(*r, std::to_string(other_tenant_)).ok());
}

TEST_F(AuthenticatorTest, StoreKeyCarriesItsTenantScopesAndLimits) {
  auto key = make_key({"inference", "sessions"});
  auto r = auth_->authenticate(bearer(key.secret));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->kind, CredentialKind::kStoreKey);
  EXPECT_EQ(r->tenant_id, tenant_);
  EXPECT_EQ(r->key_id, key.key.id);
  EXPECT_EQ(r->rpm, 5);
  EXPECT_TRUE(Authenticator::authorize(*r, kScopeSessions).ok());
  auto denied = Authenticator::authorize(*r, kScopeModelsAdmin);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, Errc::kPermissionDenied);
  EXPECT_EQ(r->payer().name, "key:" + std::to_string(key.key.id));
}

TEST_F(AuthenticatorTest, RevokedKeyIs401) {
  auto key = make_key({"inference"});
  ASSERT_TRUE(auth_->authenticate(bearer(key.secret)).ok());
  ASSERT_TRUE(store_->revoke_api_key(tenant_, key.key.id).ok());
  auth_->forget_key(key.key.id);
  auto r = auth_->authenticate(bearer(key.secret));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kUnauthenticated);
}

TEST_F(AuthenticatorTest, RevokedElsewhereIsRefusedOnceTheCacheExpires) {
  auto key = make_key({"inference"});
  ASSERT_TRUE(auth_->authenticate(bearer(key.secret)).ok());
  ASSERT_TRUE(store_->revoke_api_key(tenant_, key.key.id).ok());
  EXPECT_TRUE(auth_->authenticate(bearer(key.secret)).ok());  // cached
  now_ += 31;
  EXPECT_FALSE(auth_->authenticate(bearer(key.secret)).ok());
}

TEST_F(AuthenticatorTest, WrongTenantHeaderIs403) {
  auto key = make_key({"inference", "admin"}, other_tenant_);
  auto r = auth_->authenticate(bearer(key.secret));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*auth_->resolve_tenant(*r, ""), other_tenant_);
  EXPECT_EQ(*auth_->resolve_tenant(*r, std::to_string(other_tenant_)), other_tenant_);
  // An admin of another tenant is still confined to it.
  auto wrong = auth_->resolve_tenant(*r, std::to_string(tenant_));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, Errc::kPermissionDenied);
  EXPECT_EQ(auth_->resolve_tenant(*r, "x").error().code, Errc::kInvalidArgument);
}

TEST_F(AuthenticatorTest, KeyExchangesForAJwtOfTheSameScopes) {
  auto key = make_key({"inference", "mcp"});
  auto tok = auth_->issue_token(key.secret, user_);
  ASSERT_TRUE(tok.ok()) << tok.error().message;
  auto r = auth_->authenticate(bearer(*tok));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->kind, CredentialKind::kJwt);
  EXPECT_EQ(r->user_id, user_);
  EXPECT_EQ(r->tenant_id, tenant_);
  EXPECT_TRUE(r->has_scope(kScopeMcp));
  EXPECT_FALSE(r->has_scope(kScopeAdmin));
  // Another user's id with this key: refused.
  EXPECT_EQ(auth_->issue_token(key.secret, user_ + 100).error().code, Errc::kUnauthenticated);
  // A token cannot mint tokens.
  EXPECT_FALSE(auth_->issue_token(*tok, std::nullopt).ok());
  // Expired after jwt_ttl_s.
  now_ += 3600;
  EXPECT_EQ(auth_->authenticate(bearer(*tok)).error().code, Errc::kUnauthenticated);
}

}  // namespace
}  // namespace woolly::auth
