#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.h"

namespace woolly::config {
namespace {

using ::testing::HasSubstr;

Variables no_vars() {
  Variables v;
  v.env = env_from_map({});
  return v;
}

Result<Config> parse(std::string_view text) { return parse_toml(text, "test.toml", no_vars()); }

TEST(TomlConfig, ReadsTheIssueKeys) {
  auto c = parse(R"(
bind = "0.0.0.0:9000"
[auth]
jwt_secret = "s3cret"
jwt_expiration = 7200
api_keys = ["k1", "k2"]
allow_anonymous = false
[rate_limit]
authenticated_rpm = 120
anonymous_rpm = 5
burst_capacity = 20
[mcp]
enabled = false
protocol_version = "2025-06-18"
[mcp.server_info]
name = "mine"
version = "9.9"
[models]
models_dir = "/srv/models"
max_sessions = 7
default_model = "qwen"
[limits]
max_body_size = 2048
request_timeout = 12
max_tokens = 99
max_concurrent_requests = 3
)");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->server.bind, "0.0.0.0:9000");
  EXPECT_EQ(c->auth.jwt_secret, "s3cret");
  EXPECT_EQ(c->auth.jwt_expiration, 7200);
  EXPECT_EQ(c->auth.api_keys, (std::vector<std::string>{"k1", "k2"}));
  EXPECT_FALSE(c->auth.allow_anonymous);
  EXPECT_EQ(c->rate_limit.authenticated_rpm, 120);
  EXPECT_EQ(c->rate_limit.anonymous_rpm, 5);
  EXPECT_EQ(c->rate_limit.burst_capacity, 20);
  EXPECT_FALSE(c->mcp.enabled);
  EXPECT_EQ(c->mcp.protocol_version, "2025-06-18");
  EXPECT_EQ(c->mcp.server_info.name, "mine");
  EXPECT_EQ(c->mcp.server_info.version, "9.9");
  EXPECT_EQ(c->models.models_dir, "/srv/models");
  EXPECT_EQ(c->models.max_sessions, 7);
  EXPECT_EQ(c->models.default_model, "qwen");
  EXPECT_EQ(c->limits.max_body_size, 2048);
  EXPECT_DOUBLE_EQ(c->limits.request_timeout, 12.0);  // an integer is accepted for a float key
  EXPECT_EQ(c->limits.max_tokens, 99);
  EXPECT_EQ(c->limits.max_concurrent_requests, 3);
  // Untouched tables keep their defaults.
  EXPECT_EQ(c->engine, EngineConfig{});
}

TEST(TomlConfig, ServerTableBindAndRepeatedTables) {
  auto c = parse(R"(
[server]
bind = "[::1]:8443"
[mcp.servers.files]
command = "npx"
args = ["-y", "fs"]
env = { TOKEN = "abc" }
[mcp.servers.remote]
type = "http"
url = "https://mcp.example/mcp"
headers = { Authorization = "Bearer x" }
[[backends]]
name = "oai"
type = "openai"
base_url = "https://api.example/v1"
max_retries = 4
[[backends]]
name = "local"
type = "local"
path = "m.gguf"
[pricing."*"]
prompt_per_1k = 0.5
completion_per_1k = 2
)");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->server.bind, "[::1]:8443");
  ASSERT_EQ(c->mcp.servers.size(), 2u);
  EXPECT_EQ(c->mcp.servers["files"].args, (std::vector<std::string>{"-y", "fs"}));
  EXPECT_EQ(c->mcp.servers["files"].env.at("TOKEN"), "abc");
  EXPECT_EQ(c->mcp.servers["remote"].headers.at("Authorization"), "Bearer x");
  ASSERT_EQ(c->backends.size(), 2u);
  EXPECT_EQ(c->backends[0].max_retries, 4);
  EXPECT_EQ(c->backends[1].path, "m.gguf");
  EXPECT_DOUBLE_EQ(c->pricing["*"].completion_per_1k, 2.0);
}

TEST(TomlConfig, UnknownKeySuggestsTheClosestKnownKey) {
  auto c = parse("[server]\nbnid = \"x\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error().message, HasSubstr("server.bnid: unknown key; did you mean \"bind\"?"));
  EXPECT_THAT(c.error().message, HasSubstr("line 2"));

  auto table = parse("[modles]\nmax_sessions = 3\n");
  ASSERT_FALSE(table.ok());
  EXPECT_THAT(table.error().message, HasSubstr("modles: unknown key; did you mean \"models\"?"));

  auto entry = parse("[[backends]]\nname = \"a\"\ntyep = \"openai\"\n");
  ASSERT_FALSE(entry.ok());
  EXPECT_THAT(entry.error().message,
              HasSubstr("backends[0].tyep: unknown key; did you mean \"type\"?"));

  auto far = parse("[log]\nzzzzzzzzzz = 1\n");
  ASSERT_FALSE(far.ok());
  EXPECT_THAT(far.error().message, HasSubstr("log.zzzzzzzzzz: unknown key"));
  EXPECT_THAT(far.error().message, ::testing::Not(HasSubstr("did you mean")));
}

TEST(TomlConfig, WrongTypesNameTheKey) {
  auto c = parse("[server]\nthreads = \"four\"\n[auth]\nallow_anonymous = 1\napi_keys = [1]\n");
  ASSERT_FALSE(c.ok());
  const std::string& m = c.error().message;
  EXPECT_THAT(m, HasSubstr("server.threads: expected an integer, got a string (line 2"));
  EXPECT_THAT(m, HasSubstr("auth.allow_anonymous: expected a boolean, got an integer"));
  EXPECT_THAT(m, HasSubstr("auth.api_keys[0]: expected a string, got an integer"));
}

TEST(TomlConfig, IntegerBeyondItsKeyIsOutOfRange) {
  auto c = parse("[engine]\nbatch_size = 99999999999\n");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error().message, HasSubstr("engine.batch_size: 99999999999 is out of range"));
}

TEST(TomlConfig, ParseErrorGivesLineAndColumn) {
  auto c = parse("[server]\nbind = \"a\"\nthreads = = 3\n");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error().message, HasSubstr("test.toml:3:"));
  EXPECT_THAT(c.error().message, HasSubstr("parse error"));
}

TEST(TomlConfig, ReportsEveryProblemNotJustTheFirst) {
  auto c = parse("[server]\nbnd = 1\n[log]\nlevel = 3\n[nope]\n");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error().message, HasSubstr("server.bnd"));
  EXPECT_THAT(c.error().message, HasSubstr("log.level"));
  EXPECT_THAT(c.error().message, HasSubstr("nope"));
}

}  // namespace
}  // namespace woolly::config
