// The Redis client against the real redis-server started by scripts/test-services.
#include "store/redis_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/test_services.h"

namespace woolly::store::testing {
namespace {

class RedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = services();
    if (!s) WOOLLY_REQUIRE_SERVICE("no env file at " + services_env_path());
    RedisOptions o;
    o.url = s->redis_url;
    o.connections = 3;
    auto c = RedisClient::connect(o);
    ASSERT_TRUE(c.ok()) << c.error().message;
    client_ = std::move(*c);
    ns_ = unique_name("woolly") + ":";
  }
  std::unique_ptr<RedisClient> client_;
  std::string ns_;  // key prefix private to this test
};

// A token bucket, the kind of script the limits part runs: take `cost` tokens if present.
constexpr const char* kTakeScript = R"lua(
local tokens = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
local cost = tonumber(ARGV[2])
if tokens < cost then return {0, tokens} end
redis.call('SET', KEYS[1], tokens - cost, 'EX', 60)
return {1, tokens - cost}
)lua";

TEST(RedisUrl, ParsesHostPortPasswordAndDb) {
  auto ep = RedisClient::parse_url("redis://:s3cret@10.0.0.5:6380/2");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->host, "10.0.0.5");
  EXPECT_EQ(ep->port, 6380);
  EXPECT_EQ(ep->password, "s3cret");
  EXPECT_EQ(ep->db, 2);
  auto plain = RedisClient::parse_url("redis://localhost");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port, 6379);
  EXPECT_EQ(plain->db, 0);
  EXPECT_FALSE(RedisClient::parse_url("http://x").ok());
  EXPECT_FALSE(RedisClient::parse_url("redis://x:99999").ok());
}

TEST(RedisConnect, ClosedPortIsUnavailable) {
  RedisOptions o;
  o.url = "redis://127.0.0.1:1";
  o.connect_timeout_ms = 500;
  auto c = RedisClient::connect(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Errc::kUnavailable);
}

TEST_F(RedisTest, CommandsReturnTypedReplies) {
  auto set = client_->command({"SET", ns_ + "k", std::string("bin\0ary", 7)});
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->type, RedisReply::Type::kStatus);
  EXPECT_EQ(set->str, "OK");
  auto get = client_->command({"GET", ns_ + "k"});
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->type, RedisReply::Type::kString);
  EXPECT_EQ(get->str, std::string("bin\0ary", 7));
  auto incr = client_->command({"INCRBY", ns_ + "n", "5"});
  ASSERT_TRUE(incr.ok());
  EXPECT_EQ(incr->type, RedisReply::Type::kInteger);
  EXPECT_EQ(incr->integer, 5);
  auto missing = client_->command({"GET", ns_ + "missing"});
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->is_nil());
  auto wrong = client_->command({"INCR", ns_ + "k"});
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("not an integer"), std::string::npos);
}

TEST_F(RedisTest, ScriptsRunAtomicallyUnderConcurrency) {
  RedisScript take(kTakeScript);
  const std::string key = ns_ + "bucket";
  std::atomic<int> granted{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto r = client_->eval(take, {key}, {"25", "1"});
        if (!r.ok() || r->type != RedisReply::Type::kArray) {
          ++errors;
          continue;
        }
        if (r->elements.at(0).integer == 1) ++granted;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(granted.load(), 25);  // 80 attempts, 25 tokens
  auto left = client_->command({"GET", key});
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->str, "0");
}

TEST_F(RedisTest, ScriptIsReloadedAfterTheServerForgetsIt) {
  RedisScript take(kTakeScript);
  ASSERT_TRUE(client_->eval(take, {ns_ + "b"}, {"3", "1"}).ok());
  ASSERT_TRUE(client_->command({"SCRIPT", "FLUSH"}).ok());
  auto r = client_->eval(take, {ns_ + "b"}, {"3", "1"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->elements.at(1).integer, 1);
}

TEST_F(RedisTest, ReconnectsAfterTheServerDropsTheConnection) {
  ASSERT_TRUE(client_->command({"SET", ns_ + "x", "1"}).ok());
  // One caller at a time uses one pooled connection: drop it on the server side, as a Redis
  // restart or an idle timeout would (and only it: other tests may share this server).
  auto id = client_->command({"CLIENT", "ID"});
  ASSERT_TRUE(id.ok());
  auto killed = RedisClient::connect(RedisOptions{services()->redis_url, 1, 2000, 2000});
  ASSERT_TRUE(killed.ok());
  auto n = (*killed)->command({"CLIENT", "KILL", "ID", std::to_string(id->integer)});
  ASSERT_TRUE(n.ok()) << n.error().message;
  ASSERT_EQ(n->integer, 1);
  auto again = client_->command({"GET", ns_ + "x"});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->str, "1");
}

}  // namespace
}  // namespace woolly::store::testing
