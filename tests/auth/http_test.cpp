// The auth hook and the auth/admin/usage routes over real HTTP on loopback, with the real Server.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "api/auth_routes.h"
#include "net/test_client.h"
#include "store/store.h"

namespace woolly::api {
namespace {

using net::testing::http_request;

const std::string kSecret = "0123456789abcdef0123456789abcdef-test";
const std::string kOperator = "operator-key-from-the-config";

class AuthHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir_ = std::filesystem::path(WOOLLY_BINARY_DIR) / "auth-http-test" /
           (std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::create_directories(dir_);
    store::StoreOptions so;
    so.sqlite_path = (dir_ / "woolly.db").string();
    store_ = std::move(*store::open_store(so));
    tenant_a_ = store_->create_tenant("a")->id;
    tenant_b_ = store_->create_tenant("b")->id;
    auth::AuthOptions ao;
    ao.jwt.hs_secret = kSecret;
    ao.config_keys = {kOperator};
    ao.default_tenant_id = tenant_a_;
    authn_ = std::move(*auth::Authenticator::create(ao, store_.get()));
    limiter_ = std::make_unique<limits::MemoryRateLimiter>();
    services_ = std::make_shared<AuthServices>();
    services_->authenticator = authn_.get();
    services_->limiter = limiter_.get();
    services_->store = store_.get();
    services_->rates = RateLimitSettings{600, 10, 100, 0};

    net::Router router;
    net::RouteMeta infer;
    infer.scope = "inference";
    ASSERT_TRUE(router.get("/t/infer", [](const net::Request& r) {
      return net::Response::json(200, "{\"subject\":\"" + r.principal->subject + "\",\"tenant\":\"" +
                                          r.principal->tenant + "\"}");
    }, infer).ok());
    ASSERT_TRUE(install_auth_routes(router, services_).ok());
    ASSERT_TRUE(install_admin_routes(router, services_).ok());
    ASSERT_TRUE(install_usage_routes(router, services_).ok());
    net::ServerOptions opts;
    opts.access_log = false;
    auto server = net::Server::create(opts, std::move(router));
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(*server);
    install_auth_hook(*server_, services_);
    server_->start();
  }
  void TearDown() override {
    if (server_) {
      server_->shutdown();
      server_->wait();
    }
    server_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  net::testing::HttpReply get(const std::string& path, const std::string& headers = {}) {
    return http_request(server_->port(), "GET", path, headers);
  }
  net::testing::HttpReply send(const std::string& method, const std::string& path,
                               const std::string& headers, const std::string& body = {}) {
    return http_request(server_->port(), method, path,
                        headers + "Content-Type: application/json\r\n", body);
  }
  static std::string bearer(const std::string& t) { return "Authorization: Bearer " + t + "\r\n"; }

  std::string make_key(store::Id tenant, std::vector<std::string> scopes, std::optional<int64_t> rpm = {},
                       std::optional<store::Id> user = {}) {
    store::ApiKeySpec spec;
    spec.tenant_id = tenant;
    spec.scopes = std::move(scopes);
    spec.rpm = rpm;
    spec.user_id = user;
    return store_->create_api_key(spec)->secret;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<auth::Authenticator> authn_;
  std::unique_ptr<limits::MemoryRateLimiter> limiter_;
  std::shared_ptr<AuthServices> services_;
  std::unique_ptr<net::Server> server_;
  store::Id tenant_a_ = 0, tenant_b_ = 0;
};

TEST_F(AuthHttpTest, EveryCredentialFormAndFailure) {
  EXPECT_EQ(get("/t/infer").status, 401);
  EXPECT_EQ(get("/t/infer", bearer("wk_nope_nope")).status, 401);
  EXPECT_EQ(get("/t/infer", "Authorization: Basic eDp5\r\n").status, 401);
  std::string key = make_key(tenant_b_, {"inference"});
  auto ok = get("/t/infer", bearer(key));
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.body.find("\"tenant\":\"" + std::to_string(tenant_b_) + "\""), std::string::npos);
  EXPECT_EQ(get("/t/infer", "X-API-Key: " + key + "\r\n").status, 200);
  EXPECT_EQ(get("/t/infer?token=" + key).status, 200);
  EXPECT_EQ(get("/t/infer", "Sec-WebSocket-Protocol: Bearer, " + key + "\r\n").status, 200);
}

TEST_F(AuthHttpTest, ChallengesAndLimitHeaders) {
  auto none = get("/t/infer");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.header("www-authenticate"), "Bearer realm=\"woolly\"");
  auto bad = get("/t/infer", bearer("wk_nope_nope"));
  EXPECT_EQ(bad.header("www-authenticate"), "Bearer realm=\"woolly\", error=\"invalid_token\"");
  EXPECT_EQ(bad.header("x-ratelimit-limit"), "");  // nothing was counted for a stranger

  std::string sessions = make_key(tenant_a_, {"sessions"});
  auto denied = get("/t/infer", bearer(sessions));
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.header("www-authenticate"),
            "Bearer realm=\"woolly\", error=\"insufficient_scope\", scope=\"inference\"");

  // Admitted: the bucket's state rides on the answer (600/min, burst 100; one taken).
  std::string key = make_key(tenant_a_, {"inference"});
  auto first = get("/t/infer", bearer(key));
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.header("x-ratelimit-limit"), "600");
  EXPECT_EQ(first.header("x-ratelimit-remaining"), "99");
  auto second = get("/t/infer", bearer(key));
  // 98, or 99 if a tenth of a second (one token at 600/min) passed between the two.
  std::string left = second.header("x-ratelimit-remaining");
  EXPECT_TRUE(left == "98" || left == "99") << left;
  EXPECT_EQ(second.header("www-authenticate"), "");
}

TEST_F(AuthHttpTest, ScopesPerRouteKind) {
  std::string infer = make_key(tenant_a_, {"inference"});
  std::string sessions = make_key(tenant_a_, {"sessions"});
  EXPECT_EQ(get("/t/infer", bearer(sessions)).status, 403);
  EXPECT_EQ(get("/api/v1/admin/keys", bearer(infer)).status, 403);
  EXPECT_EQ(get("/api/v1/admin/keys", bearer(kOperator)).status, 200);
}

TEST_F(AuthHttpTest, AdminCreatesUsesAndRevokesAKey) {
  auto created = send("POST", "/api/v1/admin/keys", bearer(kOperator),
                      R"({"name":"ci","scopes":["inference"],"rpm":100})");
  ASSERT_EQ(created.status, 201) << created.body;
  size_t at = created.body.find("\"key\":\"");
  ASSERT_NE(at, std::string::npos);
  std::string secret = created.body.substr(at + 7, created.body.find('"', at + 7) - at - 7);
  size_t id_at = created.body.find("\"id\":");
  std::string id = created.body.substr(id_at + 5, created.body.find(',', id_at) - id_at - 5);
  EXPECT_EQ(get("/t/infer", bearer(secret)).status, 200);
  auto listed = get("/api/v1/admin/keys", bearer(kOperator));
  EXPECT_EQ(listed.body.find(secret), std::string::npos);  // the secret is never shown again
  EXPECT_EQ(send("DELETE", "/api/v1/admin/keys/" + id, bearer(kOperator)).status, 204);
  EXPECT_EQ(get("/t/infer", bearer(secret)).status, 401);
  EXPECT_EQ(send("POST", "/api/v1/admin/keys", bearer(kOperator), R"({"scopes":["root"]})").status, 400);
  for (const char* bad : {R"({"budget":-1})", R"({"budget":"100"})", R"({"rpm":1.5})",
                          R"({"tpm":18446744073709551615})", R"({"user_id":true})"}) {
    auto r = send("POST", "/api/v1/admin/keys", bearer(kOperator), bad);
    EXPECT_EQ(r.status, 400) << bad << " " << r.body;
    EXPECT_NE(r.body.find("must be a non-negative integer"), std::string::npos) << r.body;
  }
  // The key is shown by id, with what it has spent; another tenant's key id is 404.
  auto shown = get("/api/v1/admin/keys/" + id, bearer(kOperator));
  EXPECT_EQ(shown.status, 200) << shown.body;
  EXPECT_NE(shown.body.find("\"spent\":0"), std::string::npos) << shown.body;
  EXPECT_NE(shown.body.find("\"revoked\":true"), std::string::npos) << shown.body;
}

TEST_F(AuthHttpTest, OtherTenantsAreInvisible) {
  std::string admin_b = make_key(tenant_b_, {"admin"});
  std::string key_a = make_key(tenant_a_, {"inference"});
  // Acting for tenant A with a tenant-B credential: 403.
  EXPECT_EQ(get("/t/infer", bearer(admin_b) + "X-Tenant-ID: " + std::to_string(tenant_a_) + "\r\n").status, 403);
  // Tenant A's key, seen from tenant B: 404.
  auto keys_a = store_->list_api_keys(tenant_a_, {});
  ASSERT_FALSE(keys_a->empty());
  std::string id_a = std::to_string(keys_a->front().id);
  EXPECT_EQ(send("DELETE", "/api/v1/admin/keys/" + id_a, bearer(admin_b)).status, 404);
  EXPECT_EQ(get("/t/infer", bearer(key_a)).status, 200);  // still valid
  // The operator may act for tenant B explicitly.
  EXPECT_EQ(get("/api/v1/admin/keys", bearer(kOperator) + "X-Tenant-ID: " + std::to_string(tenant_b_) + "\r\n").status, 200);
  // Usage of tenant A is not in tenant B's answer.
  store::UsageRecord u;
  u.tenant_id = tenant_a_;
  u.model = "secret-model";
  u.status = "ok";
  ASSERT_TRUE(store_->record_usage(u).ok());
  auto usage_b = get("/api/v1/usage", bearer(admin_b));
  EXPECT_EQ(usage_b.status, 200);
  EXPECT_EQ(usage_b.body.find("secret-model"), std::string::npos);
  auto usage_a = get("/api/v1/usage", bearer(kOperator));
  EXPECT_NE(usage_a.body.find("secret-model"), std::string::npos);
}

TEST_F(AuthHttpTest, PerKeyRateLimitGives429) {
  std::string key = make_key(tenant_a_, {"inference"}, 2);
  services_->rates.burst_capacity = 2;
  EXPECT_EQ(get("/t/infer", bearer(key)).status, 200);
  EXPECT_EQ(get("/t/infer", bearer(key)).status, 200);
  auto limited = get("/t/infer", bearer(key));
  EXPECT_EQ(limited.status, 429);
  EXPECT_NE(limited.body.find("retry after 30 s"), std::string::npos) << limited.body;
  // 2 per minute: one token comes back every 30 s; a full bucket of 2 takes 60 s.
  EXPECT_EQ(limited.header("retry-after"), "30");
  EXPECT_EQ(limited.header("x-ratelimit-limit"), "2");
  EXPECT_EQ(limited.header("x-ratelimit-remaining"), "0");
  EXPECT_EQ(limited.header("x-ratelimit-reset"), "60");
  // Another principal has its own bucket.
  EXPECT_EQ(get("/t/infer", bearer(make_key(tenant_a_, {"inference"}, 2))).status, 200);
}

TEST_F(AuthHttpTest, TokenExchangeAndValidate) {
  std::string key = make_key(tenant_b_, {"inference", "mcp"});
  auto tok = send("POST", "/api/v1/auth/token", "", "{\"api_key\":\"" + key + "\"}");
  ASSERT_EQ(tok.status, 200) << tok.body;
  size_t at = tok.body.find("\"access_token\":\"");
  std::string jwt = tok.body.substr(at + 16, tok.body.find('"', at + 16) - at - 16);
  EXPECT_EQ(get("/t/infer", bearer(jwt)).status, 200);
  auto valid = send("POST", "/api/v1/auth/validate", "", "{\"token\":\"" + jwt + "\"}");
  EXPECT_NE(valid.body.find("\"valid\":true"), std::string::npos) << valid.body;
  EXPECT_NE(valid.body.find("\"tenant\":\"" + std::to_string(tenant_b_) + "\""), std::string::npos);
  auto invalid = send("POST", "/api/v1/auth/validate", "", "{\"token\":\"" + jwt + "x\"}");
  EXPECT_NE(invalid.body.find("\"valid\":false"), std::string::npos);
  EXPECT_EQ(send("POST", "/api/v1/auth/token", "", R"({"api_key":"wk_bad_bad"})").status, 401);
}

}  // namespace
}  // namespace woolly::api
