// Credits end to end against the real woolly-server (demo model, priced per completion token):
// 50 concurrent requests against a balance for 10 give exactly 10 answers and 40 402s with the
// ledger exact, on SQLite, on PostgreSQL, and on two instances sharing PostgreSQL and Redis;
// streamed answers are charged; a key's budget caps what it spends; GET /api/v1/usage shows a
// key its own records and an admin the tenant's.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <future>

#include "app/child_process.h"
#include "net/test_client.h"
#include "store/store.h"
#include "store/test_services.h"

namespace woolly::app {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using testing::ChildProcess;

const std::string kServer = [] {
  std::string real = std::string(WOOLLY_BINARY_DIR) + "/woolly-server";
  return fs::exists(real) ? real : std::string(WOOLLY_BINARY_DIR) + "/serve_harness";
}();
constexpr const char* kAdminKey = "credits-test-admin-key-0123456789abcdef";
// The demo model at 1 credit per 1000 completion tokens, prompts free: a request of max_tokens 2
// that runs to its limit costs exactly what it reserved (2000 micro-credits), so no finished
// request can make room for an eleventh.
constexpr int64_t kMaxTokens = 2;
constexpr int64_t kCostEach = 2000;

enum class Setup { kSqlite, kPostgres, kTwoInstances };

std::string setup_name(const ::testing::TestParamInfo<Setup>& info) {
  switch (info.param) {
    case Setup::kSqlite:
      return "Sqlite";
    case Setup::kPostgres:
      return "Postgres";
    case Setup::kTwoInstances:
      return "TwoInstancesPostgresRedis";
  }
  return "?";
}

// Readable parameter values in test output.
[[maybe_unused]] void PrintTo(Setup s, std::ostream* os) { *os << setup_name({s, 0}); }

class CreditsE2eTest : public ::testing::TestWithParam<Setup> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kServer)) << kServer;
    dir_ = fs::temp_directory_path() /
           ("woolly-credits-e2e-" + std::to_string(getpid()) + "-" + setup_name({GetParam(), 0}));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::string store_toml = "[store]\nbackend = \"sqlite\"\n";
    if (GetParam() != Setup::kSqlite) {
      auto db = store::testing::fresh_db(store::Backend::kPostgres);
      if (!db.error.empty()) WOOLLY_REQUIRE_SERVICE(db.error);
      // Migrate a schema of our own, then point the servers at it through libpq's options.
      auto created = store::open_store(db.options);
      ASSERT_TRUE(created.ok()) << created.error().message;
      created->reset();
      std::string url =
          db.options.postgres_url + "?options=-csearch_path%3D" + db.options.postgres_schema;
      store_toml = "[store]\nbackend = \"postgres\"\npostgres_url = \"" + url + "\"\n";
      if (GetParam() == Setup::kTwoInstances) {
        // Its own namespace in the Redis that other tests share (their key ids are ours too).
        store_toml += "redis_url = \"" + store::testing::services()->redis_url +
                      "\"\nredis_prefix = \"" + db.options.postgres_schema + ":\"\n";
      }
    }
    std::ofstream(dir_ / "config.toml")
        << "[server]\ndata_dir = \"" << (dir_ / "data").string() << "\"\n"
        << "[auth]\napi_keys = [\"" << kAdminKey << "\"]\nallow_anonymous = false\n"
        << "[rate_limit]\nauthenticated_rpm = 1000000\nburst_capacity = 100000\n"
        << "[pricing.demo]\nprompt_per_1k = 0.0\ncompletion_per_1k = 1.0\n"
        << store_toml;
    int instances = GetParam() == Setup::kTwoInstances ? 2 : 1;
    std::string failed =
        testing::start_servers(kServer, dir_, dir_ / "config.toml", instances, children_, ports_);
    ASSERT_TRUE(failed.empty()) << failed;
  }
  void TearDown() override {
    children_.clear();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  net::testing::HttpReply call(const std::string& method, const std::string& target,
                               const std::string& key, const std::string& body = {},
                               size_t instance = 0) {
    return net::testing::http_request(
        ports_[instance % ports_.size()], method, target,
        "Authorization: Bearer " + key + "\r\nContent-Type: application/json\r\n", body);
  }
  // A new store key of the default tenant: {id, secret}.
  std::pair<int64_t, std::string> create_key(const std::string& name,
                                             const std::string& scopes = R"(["inference"])") {
    auto r = call("POST", "/api/v1/admin/keys", kAdminKey,
                  R"({"name":")" + name + R"(","scopes":)" + scopes + "}");
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return {};
    auto o = json::parse(r.body).as_object();
    return {o.at("id").as_int64(), std::string(o.at("key").as_string())};
  }
  void grant(const std::string& principal, double credits) {
    auto r =
        call("POST", "/api/v1/admin/credits/grant", kAdminKey,
             R"({"principal":")" + principal + R"(","amount":)" + std::to_string(credits) + "}");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  json::object balance(const std::string& principal) {
    auto r = call("GET", "/api/v1/admin/credits/" + principal, kAdminKey);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body).as_object() : json::object{};
  }
  json::array usage(const std::string& key) {
    auto r = call("GET", "/api/v1/usage?limit=1000", key);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body).at("usage").as_array() : json::array{};
  }
  static std::string chat_body(bool stream) {
    return R"({"model":"demo","temperature":0,"seed":1,"max_tokens":)" +
           std::to_string(kMaxTokens) + R"(,"stream":)" + (stream ? "true" : "false") +
           R"(,"messages":[{"role":"user","content":"Tell me a story"}]})";
  }

  // n chat completions with `key` at once, spread over the instances.
  std::vector<net::testing::HttpReply> concurrent_chats(const std::string& key, int n) {
    std::vector<std::future<net::testing::HttpReply>> replies;
    for (int i = 0; i < n; ++i) {
      replies.push_back(std::async(std::launch::async, [this, i, key] {
        return call("POST", "/v1/chat/completions", key, chat_body(false), i);
      }));
    }
    std::vector<net::testing::HttpReply> out;
    for (auto& f : replies) out.push_back(f.get());
    return out;
  }

  fs::path dir_;
  std::vector<uint16_t> ports_;
  std::vector<std::unique_ptr<ChildProcess>> children_;
};

TEST_P(CreditsE2eTest, FiftyConcurrentRequestsAgainstABalanceForTen) {
  // The demo model answers this prompt greedily up to max_tokens (finish "length"): the
  // precondition for an exact cost per request.
  grant("tenant", 1.0);
  auto probe = call("POST", "/v1/chat/completions", kAdminKey, chat_body(false));
  ASSERT_EQ(probe.status, 200) << probe.body;
  auto p = json::parse(probe.body).as_object();
  ASSERT_EQ(p.at("choices").at(0).at("finish_reason"), "length") << probe.body;
  ASSERT_EQ(p.at("usage").at("completion_tokens").as_int64(), kMaxTokens);

  auto [id, secret] = create_key("buyer");
  const std::string principal = "key:" + std::to_string(id);
  grant(principal, 10 * kCostEach / 1e6);
  int ok = 0, refused = 0;
  for (const auto& r : concurrent_chats(secret, 50)) {
    if (r.status == 200) ++ok;
    if (r.status == 402) {
      ++refused;
      auto e = json::parse(r.body).at("error").as_object();
      EXPECT_EQ(e.at("code"), "insufficient_credits");
      EXPECT_NE(std::string(e.at("message").as_string()).find("INSUFFICIENT_CREDITS"),
                std::string::npos);
    }
    if (r.status != 200 && r.status != 402) ADD_FAILURE() << r.status << " " << r.body;
  }
  EXPECT_EQ(ok, 10);
  EXPECT_EQ(refused, 40);
  auto b = balance(principal);
  EXPECT_EQ(b.at("balance").as_int64(), 10 * kCostEach - ok * kCostEach);  // exactly 0
  EXPECT_EQ(b.at("reserved").as_int64(), 0);

  // Every request left a usage record, refusals included, each priced as charged.
  auto rows = usage(secret);
  ASSERT_EQ(rows.size(), 50u);
  int ok_rows = 0;
  for (const auto& row : rows) {
    const auto& o = row.as_object();
    EXPECT_EQ(o.at("api_key_id").as_int64(), id);
    EXPECT_EQ(o.at("model"), "demo");
    if (o.at("status") == "ok") {
      ++ok_rows;
      EXPECT_EQ(o.at("cost").as_int64(), kCostEach);
      EXPECT_EQ(o.at("completion_tokens").as_int64(), kMaxTokens);
    } else {
      EXPECT_EQ(o.at("status"), "insufficient_credits");
      EXPECT_EQ(o.at("cost").as_int64(), 0);
    }
  }
  EXPECT_EQ(ok_rows, 10);
}

TEST_P(CreditsE2eTest, StreamingIsChargedAndUsageIsOwnOrTenantWide) {
  auto [a_id, a] = create_key("a");
  auto [b_id, b] = create_key("b");
  grant("key:" + std::to_string(a_id), 1.0);
  grant("key:" + std::to_string(b_id), 1.0);
  auto streamed = call("POST", "/v1/chat/completions", a, chat_body(true));
  ASSERT_EQ(streamed.status, 200) << streamed.body;
  EXPECT_NE(streamed.body.find("data: [DONE]"), std::string::npos);
  auto rest = call("POST", "/api/v1/inference/stream", b,
                   R"({"model":"demo","prompt":"Once","max_tokens":3})", 1);
  ASSERT_EQ(rest.status, 200) << rest.body;

  auto mine = usage(a);
  ASSERT_EQ(mine.size(), 1u);  // a sees its own record, not b's
  EXPECT_EQ(mine[0].at("api_key_id").as_int64(), a_id);
  EXPECT_EQ(mine[0].at("status"), "ok");
  int64_t cost = mine[0].at("cost").as_int64();
  EXPECT_EQ(cost, mine[0].at("completion_tokens").as_int64() * 1000);
  EXPECT_GT(cost, 0);
  EXPECT_EQ(balance("key:" + std::to_string(a_id)).at("balance").as_int64(), 1'000'000 - cost);
  ASSERT_EQ(usage(b).size(), 1u);

  // The admin sees the tenant's records: both keys'.
  int both = 0;
  for (const auto& row : usage(kAdminKey)) {
    auto k = row.as_object().if_contains("api_key_id");
    if (k && (k->as_int64() == a_id || k->as_int64() == b_id)) ++both;
  }
  EXPECT_EQ(both, 2);

  // /metrics sums what was metered.
  auto metrics = net::testing::http_request(
      ports_[0], "GET", "/metrics", std::string("Authorization: Bearer ") + kAdminKey + "\r\n");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("woolly_usage_tokens_total{model=\"demo\",kind=\"completion\"}"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("woolly_credits_spent_total{model=\"demo\"}"), std::string::npos);
  EXPECT_NE(metrics.body.find("woolly_metered_requests_total{model=\"demo\",status=\"ok\"}"),
            std::string::npos);
}

TEST_P(CreditsE2eTest, McpGenerationIsChargedToTheCaller) {
  auto [id, key] = create_key("mcp", R"(["mcp","inference"])");
  const std::string principal = "key:" + std::to_string(id);
  const std::string args = R"({"prompt":"Once","max_tokens":2,"temperature":0})";
  auto refused = call("POST", "/api/v1/mcp/tools/generate_text", key, args);
  EXPECT_NE(refused.body.find("INSUFFICIENT_CREDITS"), std::string::npos) << refused.body;
  grant(principal, 1.0);
  auto r = call("POST", "/api/v1/mcp/tools/generate_text", key, args);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find("\"isError\":true"), std::string::npos) << r.body;
  auto rows = usage(key);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("status"), "insufficient_credits");
  EXPECT_EQ(rows[1].at("status"), "ok");
  EXPECT_EQ(rows[1].at("model"), "demo");
  int64_t cost = rows[1].at("cost").as_int64();
  EXPECT_EQ(cost, rows[1].at("completion_tokens").as_int64() * 1000);
  EXPECT_GT(cost, 0);
  EXPECT_EQ(balance(principal).at("balance").as_int64(), 1'000'000 - cost);
}

TEST_P(CreditsE2eTest, AKeysBudgetCapsItsSpendingThoughTheBalanceCouldPay) {
  auto made = call("POST", "/api/v1/admin/keys", kAdminKey,
                   R"({"name":"capped","scopes":["inference"],"budget":)" +
                       std::to_string(2 * kCostEach) + "}");
  ASSERT_EQ(made.status, 201) << made.body;
  auto o = json::parse(made.body).as_object();
  const int64_t id = o.at("id").as_int64();
  const std::string key(o.at("key").as_string());
  EXPECT_EQ(o.at("budget").as_int64(), 2 * kCostEach);
  grant("key:" + std::to_string(id), 1.0);  // enough for 500 requests

  int ok = 0, refused = 0;
  for (const auto& r : concurrent_chats(key, 10)) {
    if (r.status == 200) ++ok;
    if (r.status == 402) {
      ++refused;
      EXPECT_NE(r.body.find("budget"), std::string::npos) << r.body;
    }
    if (r.status != 200 && r.status != 402) ADD_FAILURE() << r.status << " " << r.body;
  }
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(refused, 8);

  auto shown = call("GET", "/api/v1/admin/keys/" + std::to_string(id), kAdminKey);
  ASSERT_EQ(shown.status, 200) << shown.body;
  auto k = json::parse(shown.body).as_object();
  EXPECT_EQ(k.at("spent").as_int64(), 2 * kCostEach);
  EXPECT_EQ(k.at("held").as_int64(), 0);
  EXPECT_EQ(balance("key:" + std::to_string(id)).at("balance").as_int64(),
            1'000'000 - 2 * kCostEach);
  EXPECT_EQ(call("GET", "/api/v1/admin/keys/9999999", kAdminKey).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/admin/keys/x", kAdminKey).status, 404);
}

INSTANTIATE_TEST_SUITE_P(Stores, CreditsE2eTest,
                         ::testing::Values(Setup::kSqlite, Setup::kPostgres, Setup::kTwoInstances),
                         setup_name);

}  // namespace
}  // namespace woolly::app
