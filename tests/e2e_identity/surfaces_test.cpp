// Identity on every surface of the real woolly-server (SQLite store, anonymous access off):
// 401 for no or bad credentials, 403 for a missing scope or a foreign tenant, 429 with its
// headers, JWTs from /api/v1/auth/token and keys from `woolly-server keys create` accepted,
// revoked keys refused. HTTP, SSE, the hub WebSocket and MCP (Streamable HTTP, WebSocket, REST).
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "e2e_identity/instance.h"
#include "e2e_identity/tokens.h"

namespace woolly::e2e {
namespace {

const std::string kOperator = "e2e-identity-operator-key";
const std::string kSecret = "e2e-identity-jwt-secret-0123456789abcdef";

// Store keys without --rpm are unlimited here; the 429 test gives its key a limit of its own.
const std::string kToml = "[auth]\nallow_anonymous = false\napi_keys = [\"" + kOperator +
                          "\"]\njwt_secret = \"" + kSecret +
                          "\"\n[rate_limit]\nauthenticated_rpm = 0\nburst_capacity = 5\n";

const std::string kChat = R"({"model":"demo","messages":[{"role":"user","content":"hi"}],"max_tokens":2})";
const std::string kMcpHeaders =
    "Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2025-11-25\r\n";
const std::string kMcpInit = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
  "protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}})";

// Past the before hook: 2xx, or the route's own 404 for the unknown model.
bool admitted(int status) { return (status >= 200 && status < 300) || status == 404; }

struct Call {
  std::string method, path, headers, body;
};

// One route of each kind on each HTTP surface, with the scope it needs.
std::vector<std::pair<Call, std::string>> http_surfaces() {
  return {
      {{"POST", "/v1/chat/completions", "", kChat}, "inference"},
      {{"POST", "/v1/chat/completions", "", R"({"model":"demo","stream":true,"messages":[{"role":"user","content":"hi"}],"max_tokens":2})"}, "inference"},
      {{"POST", "/api/v1/inference/complete", "", R"({"prompt":"hi","max_tokens":2})"}, "inference"},
      {{"POST", "/", "", R"({"prompt":"hi","max_tokens":2})"}, "inference"},
      {{"GET", "/v1/models", "", ""}, "models:read"},
      {{"GET", "/api/v1/models", "", ""}, "models:read"},
      // Past the hook, an unknown model is 404: admitted without touching the demo model.
      {{"POST", "/api/v1/models/no-such-model/load", "", ""}, "models:admin"},
      {{"POST", "/mcp", kMcpHeaders, kMcpInit}, "mcp"},
      {{"GET", "/api/v1/mcp/tools", "", ""}, "mcp"},
      {{"GET", "/api/v1/admin/keys", "", ""}, "admin"},
  };
}

class IdentitySurfaces : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new Instance(scratch_dir("surfaces"), kToml);
    ASSERT_TRUE(server_->healthy()) << server_->log();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(server_ && server_->healthy()); }

  static Instance::CreatedKey key(const std::string& args) {
    std::string why;
    auto k = server_->create_key(args, &why);
    EXPECT_TRUE(k.has_value()) << why;
    return k.value_or(Instance::CreatedKey{});
  }
  static net::testing::HttpReply call(const Call& c, const std::string& credential_headers) {
    return server_->request(c.method, c.path, c.headers + credential_headers, c.body);
  }
  static net::testing::HttpReply upgrade(const std::string& path, const std::string& headers) {
    net::testing::Connection conn(server_->port());
    return conn.ws_handshake(path, headers);
  }

  static Instance* server_;
};
Instance* IdentitySurfaces::server_ = nullptr;

TEST_F(IdentitySurfaces, PublicRoutesNeedNoCredential) {
  EXPECT_EQ(server_->request("GET", "/api/v1/health").status, 200);
  EXPECT_EQ(server_->request("GET", "/metrics").status, 200);
  EXPECT_EQ(server_->request("GET", "/api/v1/info").status, 200);
}

TEST_F(IdentitySurfaces, NoOrBadCredentialIs401WithAChallengeEverywhere) {
  for (const auto& [c, scope] : http_surfaces()) {
    auto none = call(c, "");
    EXPECT_EQ(none.status, 401) << c.method << " " << c.path << ": " << none.body;
    EXPECT_EQ(none.header("www-authenticate"), "Bearer realm=\"woolly\"") << c.path;
    for (const std::string& bad : {bearer("wk_0000000000000000_nope"), bearer("not-a-key"),
                                   std::string("X-API-Key: wrong\r\n"),
                                   std::string("Authorization: Basic dXNlcjpwYXNz\r\n")}) {
      auto r = call(c, bad);
      EXPECT_EQ(r.status, 401) << c.path << " with " << bad;
      EXPECT_EQ(r.header("www-authenticate"), "Bearer realm=\"woolly\", error=\"invalid_token\"");
    }
  }
  for (const char* path : {"/api/v1/ws", "/", "/api/v1/mcp/ws"}) {
    EXPECT_EQ(upgrade(path, "").status, 401) << path;
    EXPECT_EQ(upgrade(path, "Sec-WebSocket-Protocol: Bearer, wk_0000000000000000_nope\r\n").status,
              401)
        << path;
  }
}

TEST_F(IdentitySurfaces, EachScopeOpensItsSurfacesOnly) {
  for (const std::string scope : {"inference", "models:read", "models:admin", "mcp"}) {
    auto k = key("--scope " + scope);
    for (const auto& [c, needed] : http_surfaces()) {
      auto r = call(c, bearer(k.secret));
      if (needed == scope) {
        EXPECT_TRUE(admitted(r.status)) << scope << " on " << c.path << ": " << r.status << " " << r.body;
      } else {
        EXPECT_EQ(r.status, 403) << scope << " on " << c.path << ": " << r.body;
        EXPECT_NE(r.header("www-authenticate").find("insufficient_scope"), std::string::npos);
      }
    }
    int hub = upgrade("/api/v1/ws", bearer(k.secret)).status;
    int mcp_ws = upgrade("/api/v1/mcp/ws", bearer(k.secret)).status;
    EXPECT_EQ(hub, scope == "inference" ? 101 : 403) << scope;
    EXPECT_EQ(mcp_ws, scope == "mcp" ? 101 : 403) << scope;
  }
  // The operator's config key holds every scope.
  for (const auto& [c, needed] : http_surfaces()) {
    auto r = call(c, bearer(kOperator));
    EXPECT_TRUE(admitted(r.status)) << c.path << ": " << r.status << " " << r.body;
  }
}

TEST_F(IdentitySurfaces, WebSocketCredentialFormsAndTheEchoedSubprotocol) {
  auto k = key("--scope inference --scope mcp");
  // Browsers: the token as a subprotocol after "Bearer"; the answer names "Bearer", never the
  // token, so the browser accepts the handshake.
  net::testing::Connection hub(server_->port());
  auto up = hub.ws_handshake("/api/v1/ws", "Sec-WebSocket-Protocol: Bearer, " + k.secret + "\r\n");
  ASSERT_EQ(up.status, 101) << up.body;
  EXPECT_EQ(up.header("sec-websocket-protocol"), "Bearer");
  ASSERT_TRUE(hub.ws_send(0x1, R"({"id":7,"type":"chat","messages":[{"role":"user","content":"hi"}],"maxTokens":2})"));
  std::string seen;
  for (int i = 0; i < 50 && seen.find("\"done\"") == std::string::npos; ++i) {
    auto f = hub.ws_read();
    if (!f.ok) break;
    seen += f.payload;
  }
  EXPECT_NE(seen.find("\"done\""), std::string::npos) << seen;

  auto by_query = upgrade("/api/v1/ws?token=" + k.secret, "");
  EXPECT_EQ(by_query.status, 101);
  EXPECT_EQ(by_query.header("sec-websocket-protocol"), "");
  EXPECT_EQ(upgrade("/", bearer(k.secret)).status, 101);
  EXPECT_EQ(upgrade("/api/v1/ws", "X-API-Key: " + k.secret + "\r\n").status, 101);

  // MCP over WebSocket: the real subprotocol first, then the credential pair; "mcp" is echoed.
  auto mcp = upgrade("/api/v1/mcp/ws", "Sec-WebSocket-Protocol: mcp, Bearer, " + k.secret + "\r\n");
  EXPECT_EQ(mcp.status, 101);
  EXPECT_EQ(mcp.header("sec-websocket-protocol"), "mcp");
}

TEST_F(IdentitySurfaces, RateLimitIs429WithItsHeadersAndCountsStreams) {
  auto k = key("--scope inference --rpm 1");  // burst 5, then one a minute
  Call chat{"POST", "/v1/chat/completions", "", kChat};
  Call stream{"POST", "/v1/chat/completions", "",
              R"({"model":"demo","stream":true,"messages":[{"role":"user","content":"hi"}],"max_tokens":2})"};
  for (int i = 0; i < 5; ++i) {
    auto r = call(i % 2 ? stream : chat, bearer(k.secret));
    ASSERT_EQ(r.status, 200) << i << ": " << r.body;
    EXPECT_EQ(r.header("x-ratelimit-limit"), "1");
    EXPECT_EQ(r.header("x-ratelimit-remaining"), std::to_string(4 - i));
  }
  auto limited = call(chat, bearer(k.secret));
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(limited.header("retry-after"), "60");
  EXPECT_EQ(limited.header("x-ratelimit-limit"), "1");
  EXPECT_EQ(limited.header("x-ratelimit-remaining"), "0");
  EXPECT_FALSE(limited.header("x-ratelimit-reset").empty());
  // The same bucket guards the WebSocket upgrade.
  EXPECT_EQ(upgrade("/api/v1/ws", bearer(k.secret)).status, 429);
  // Another key has its own bucket.
  EXPECT_EQ(call(chat, bearer(key("--scope inference --rpm 1").secret)).status, 200);
}

TEST_F(IdentitySurfaces, ForeignTenantHeaderIs403) {
  std::string why;
  auto a = server_->create_key("--tenant e2e-alpha --scope inference", &why);
  ASSERT_TRUE(a) << why;
  auto b = server_->create_key("--tenant e2e-beta --scope inference", &why);
  ASSERT_TRUE(b) << why;
  Call chat{"POST", "/v1/chat/completions", "", kChat};
  // Tenant ids: alpha's key acting for any other tenant id is refused.
  for (const char* other : {"1", "999999"}) {
    auto r = call(chat, bearer(a->secret) + "X-Tenant-ID: " + other + "\r\n");
    EXPECT_EQ(r.status, 403) << other << ": " << r.body;
  }
  EXPECT_EQ(call(chat, bearer(a->secret) + "X-Tenant-ID: x\r\n").status, 400);
  EXPECT_EQ(call(chat, bearer(b->secret)).status, 200);
}

TEST_F(IdentitySurfaces, JwtsFromTheTokenEndpointAndBadTokens) {
  auto k = key("--scope inference");
  auto tok = server_->request("POST", "/api/v1/auth/token", "", R"({"api_key":")" + k.secret + "\"}");
  ASSERT_EQ(tok.status, 200) << tok.body;
  size_t at = tok.body.find("\"access_token\":\"");
  ASSERT_NE(at, std::string::npos);
  std::string jwt = tok.body.substr(at + 16, tok.body.find('"', at + 16) - at - 16);
  Call chat{"POST", "/v1/chat/completions", "", kChat};
  EXPECT_EQ(call(chat, bearer(jwt)).status, 200);
  EXPECT_EQ(upgrade("/api/v1/ws?token=" + jwt, "").status, 101);
  // Its scopes are the key's: no MCP.
  EXPECT_EQ(call({"GET", "/api/v1/mcp/tools", "", ""}, bearer(jwt)).status, 403);

  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  const std::string good_claims = R"({"sub":"key:)" + k.id + R"(","tenant":"1","scope":"inference","iss":"woolly","iat":)" +
                                  std::to_string(now) + R"(,"exp":)" + std::to_string(now + 600) + "}";
  // The same claims, properly signed, pass: the failures below are the signature and exp.
  EXPECT_EQ(call(chat, bearer(hs256_token(kSecret, good_claims))).status, 200);
  const std::string expired = hs256_token(
      kSecret, R"({"sub":"key:)" + k.id + R"(","tenant":"1","scope":"inference","iss":"woolly","iat":)" +
                   std::to_string(now - 7200) + R"(,"exp":)" + std::to_string(now - 3600) + "}");
  const std::string wrong_key = hs256_token("another-secret-0123456789abcdef-xyz", good_claims);
  const std::string none = unsigned_token(good_claims);
  for (const std::string& bad : {expired, wrong_key, none, jwt + "x"}) {
    auto r = call(chat, bearer(bad));
    EXPECT_EQ(r.status, 401) << bad;
    EXPECT_EQ(r.header("www-authenticate"), "Bearer realm=\"woolly\", error=\"invalid_token\"");
  }
}

TEST_F(IdentitySurfaces, RevokedKeysAreRefused) {
  Call chat{"POST", "/v1/chat/completions", "", kChat};
  // Revoked with the CLI before the server ever saw it.
  auto early = key("--scope inference");
  auto r = server_->cli("keys revoke " + early.id);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(call(chat, bearer(early.secret)).status, 401);
  // In use, then revoked through the admin API: refused at once (the cache forgets it).
  auto used = key("--scope inference");
  EXPECT_EQ(call(chat, bearer(used.secret)).status, 200);
  auto del = server_->request("DELETE", "/api/v1/admin/keys/" + used.id, bearer(kOperator));
  EXPECT_EQ(del.status, 204) << del.body;
  EXPECT_EQ(call(chat, bearer(used.secret)).status, 401);
}

TEST(IdentityStartup, UnusableStoreStopsStartWithExitOne) {
  std::string dir = scratch_dir("bad-store");
  // A file where the database's directory should be: SQLite cannot create it.
  std::FILE* f = std::fopen((dir + "/blocker").c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  Instance bad(dir, "[store]\nsqlite_path = \"" + dir + "/blocker/sub/woolly.db\"\n");
  EXPECT_FALSE(bad.healthy());
  EXPECT_EQ(bad.wait_exit(10000), 1);
  std::string log = bad.log();
  EXPECT_NE(log.find("start-up failed: store"), std::string::npos) << log;
}

}  // namespace
}  // namespace woolly::e2e

namespace woolly::e2e {
namespace {

// Unusable identity settings stop start-up too, saying which setting is wrong.
TEST(IdentityStartup, BadAuthSettingsStopStartWithExitOne) {
  std::string dir = scratch_dir("bad-auth");
  std::FILE* f = std::fopen((dir + "/keys.json").c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs(R"({"keys":[{"kty":"RSA","n":"!!","e":"AQAB"}]})", f);
  std::fclose(f);
  struct Case {
    std::string toml, says;
  };
  for (const Case& c : {Case{"[auth]\njwks_file = \"" + dir + "/keys.json\"\n", "jwks"},
                        Case{"[auth]\njwks_file = \"" + dir + "/missing.json\"\n", "auth.jwks_file"},
                        Case{"[auth]\njwt_secret = \"too-short\"\n", "at least 32 bytes"}}) {
    Instance bad(dir + "/" + std::to_string(c.says.size()), c.toml);
    EXPECT_FALSE(bad.healthy());
    EXPECT_EQ(bad.wait_exit(10000), 1) << c.toml;
    std::string log = bad.log();
    EXPECT_NE(log.find("start-up failed: identity"), std::string::npos) << log;
    EXPECT_NE(log.find(c.says), std::string::npos) << log;
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace woolly::e2e

namespace woolly::e2e {
namespace {

// Tokens of an external issuer, checked against the key set in auth.jwks_file.
TEST(IdentityJwks, ExternalIssuerTokensAreCheckedAgainstTheKeySet) {
  std::string dir = scratch_dir("jwks");
  RsaIssuerKey issuer = make_rsa_issuer_key("ext-1");
  RsaIssuerKey stranger = make_rsa_issuer_key("ext-1");  // same kid, another key
  {
    std::FILE* f = std::fopen((dir + "/jwks.json").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(issuer.jwks_json.c_str(), f);
    std::fclose(f);
  }
  Instance server(dir + "/server", "[auth]\nallow_anonymous = false\njwks_file = \"" + dir +
                                       "/jwks.json\"\njwt_issuer = \"https://issuer.example\"\n"
                                       "[rate_limit]\nauthenticated_rpm = 0\n");
  ASSERT_TRUE(server.healthy()) << server.log();
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  auto claims = [&](const std::string& iss) {
    return R"({"sub":"user:5","tenant":"1","scope":"inference","iss":")" + iss +
           R"(","iat":)" + std::to_string(now) + R"(,"exp":)" + std::to_string(now + 600) + "}";
  };
  const std::string good = rs256_token(issuer.private_pem, "ext-1", claims("https://issuer.example"));
  auto chat = [&](const std::string& token) {
    return server.request("POST", "/v1/chat/completions", bearer(token), kChat).status;
  };
  EXPECT_EQ(chat(good), 200);
  EXPECT_EQ(server.request("GET", "/v1/models", bearer(good)).status, 403);  // its scopes only
  EXPECT_EQ(chat(rs256_token(issuer.private_pem, "ext-2", claims("https://issuer.example"))), 401);
  EXPECT_EQ(chat(rs256_token(stranger.private_pem, "ext-1", claims("https://issuer.example"))), 401);
  EXPECT_EQ(chat(rs256_token(issuer.private_pem, "ext-1", claims("https://evil.example"))), 401);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace woolly::e2e
