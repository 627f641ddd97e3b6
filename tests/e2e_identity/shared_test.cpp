// Two woolly-server instances sharing PostgreSQL and Redis (started by scripts/test-services):
// one request limit across both, and keys made through one valid on the other.
//
// Both use the database's default schema, as two real instances would; every test makes keys of
// its own (ids come from one sequence), so rate-limit buckets in Redis never collide between
// tests or runs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include "e2e_identity/instance.h"
#include "store/test_services.h"

namespace woolly::e2e {
namespace {

const std::string kOperator = "e2e-shared-operator-key";
const std::string kSecret = "e2e-shared-jwt-secret-0123456789abcdef-x";

class TwoInstances : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::testing::services();
    if (!s) WOOLLY_REQUIRE_SERVICE("no env file at " + store::testing::services_env_path());
    // Store keys without --rpm are unlimited; the limit test gives its key 60 a minute.
    std::string toml = "[store]\nbackend = \"postgres\"\npostgres_url = \"" + s->postgres_url +
                       "\"\nredis_url = \"" + s->redis_url +
                       // Other tests share this Redis, and their keys' ids ours.
                       "\"\nredis_prefix = \"e2e-shared-" + std::to_string(::getpid()) + ":" +
                       "\"\n[auth]\nallow_anonymous = false\napi_keys = [\"" + kOperator +
                       "\"]\njwt_secret = \"" + kSecret +
                       "\"\n[rate_limit]\nauthenticated_rpm = 0\nburst_capacity = 60\n";
    dir_ = scratch_dir("shared");
    const std::string& dir = dir_;
    // Started together: their first starts race on migrations and the default tenant.
    std::thread start_b([&] { b_ = std::make_unique<Instance>(dir + "/b", toml); });
    a_ = std::make_unique<Instance>(dir + "/a", toml);
    start_b.join();
    ASSERT_TRUE(a_->healthy()) << a_->log();
    ASSERT_TRUE(b_->healthy()) << b_->log();
  }

  void TearDown() override {
    a_.reset();
    b_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string dir_;
  std::unique_ptr<Instance> a_, b_;
};

TEST_F(TwoInstances, SixtyPerMinuteLetsAtMostSixtyThroughAcrossBoth) {
  std::string why;
  auto key = a_->create_key("--scope models:read --rpm 60", &why);
  ASSERT_TRUE(key) << why;
  constexpr int kPerInstance = 60;
  std::atomic<int> ok{0}, limited{0}, other{0}, ok_a{0}, ok_b{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> clients;
  for (int i = 0; i < 2 * kPerInstance; ++i) {
    Instance* target = i % 2 ? b_.get() : a_.get();
    clients.emplace_back([&, target, i] {
      while (!go.load()) std::this_thread::yield();
      auto r = target->request("GET", "/v1/models", bearer(key->secret));
      if (r.status == 200) {
        ++ok;
        ++(i % 2 ? ok_b : ok_a);
      } else if (r.status == 429) {
        ++limited;
        EXPECT_FALSE(r.header("retry-after").empty());
      } else {
        ++other;
      }
    });
  }
  auto start = std::chrono::steady_clock::now();
  go = true;
  for (auto& t : clients) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "let through " << ok << " of " << 2 * kPerInstance << " (A " << ok_a << ", B "
            << ok_b << ") in " << seconds << " s\n";
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(ok.load() + limited.load(), 2 * kPerInstance);
  // A full bucket holds 60 and refills one a second while the burst runs: never more than that,
  // however the admissions fall between the instances. Each got 60 requests, so two separate
  // limits would have let all 120 through.
  const int refilled = static_cast<int>(seconds) + 1;
  EXPECT_LE(ok.load(), 60 + refilled) << "burst took " << seconds << " s";
  EXPECT_GE(ok.load(), 60);
}

TEST_F(TwoInstances, KeysAndTokensMadeOnOneWorkOnTheOther) {
  std::string why;
  auto key = a_->create_key("--scope inference", &why);
  ASSERT_TRUE(key) << why;
  const std::string chat =
      R"({"model":"demo","messages":[{"role":"user","content":"hi"}],"max_tokens":2})";
  EXPECT_EQ(b_->request("POST", "/v1/chat/completions", bearer(key->secret), chat).status, 200);

  // Through A's admin API, used on B.
  auto made = a_->request("POST", "/api/v1/admin/keys", bearer(kOperator),
                          R"({"name":"from-a","scopes":["models:read"]})");
  ASSERT_EQ(made.status, 201) << made.body;
  size_t at = made.body.find("\"key\":\"");
  ASSERT_NE(at, std::string::npos);
  std::string secret = made.body.substr(at + 7, made.body.find('"', at + 7) - at - 7);
  EXPECT_EQ(b_->request("GET", "/v1/models", bearer(secret)).status, 200);

  // A JWT issued by A is accepted by B (same secret).
  auto tok = a_->request("POST", "/api/v1/auth/token", "", R"({"api_key":")" + key->secret + "\"}");
  ASSERT_EQ(tok.status, 200) << tok.body;
  at = tok.body.find("\"access_token\":\"");
  std::string jwt = tok.body.substr(at + 16, tok.body.find('"', at + 16) - at - 16);
  EXPECT_EQ(b_->request("POST", "/v1/chat/completions", bearer(jwt), chat).status, 200);

  // Revoked through A before B ever saw it: B refuses it.
  auto doomed = a_->create_key("--scope inference", &why);
  ASSERT_TRUE(doomed) << why;
  ASSERT_EQ(a_->request("DELETE", "/api/v1/admin/keys/" + doomed->id, bearer(kOperator)).status,
            204);
  EXPECT_EQ(b_->request("POST", "/v1/chat/completions", bearer(doomed->secret), chat).status, 401);
}

}  // namespace
}  // namespace woolly::e2e
