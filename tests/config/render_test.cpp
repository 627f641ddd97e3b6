#include "config/render.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.h"

namespace woolly::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Variables no_vars() {
  Variables v;
  v.env = env_from_map({});
  return v;
}

TEST(DefaultToml, LoadsBackToExactlyTheDefaults) {
  std::string text = default_toml();
  auto c = parse_toml(text, "default.toml", no_vars());
  ASSERT_TRUE(c.ok()) << c.error().message << "\n" << text;
  Config loaded = *c;
  loaded.source_path.clear();
  EXPECT_EQ(loaded, Config{});
}

TEST(DefaultToml, EveryKeyHasAComment) {
  std::string text = default_toml();
  size_t keys = 0, commented = 0;
  std::string previous;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line[0] != '#' && line[0] != '[') {
      ++keys;
      if (previous.starts_with("# ")) ++commented;
    }
    previous = line;
    start = end + 1;
  }
  EXPECT_GT(keys, 60u);
  EXPECT_EQ(keys, commented);
  EXPECT_THAT(text, HasSubstr("max_body_size = 10485760"));
  EXPECT_THAT(text, HasSubstr("request_timeout = 300.0"));
  EXPECT_THAT(text, HasSubstr("# [[backends]]"));
}

TEST(ToToml, RoundTripsANonDefaultConfig) {
  Config c;
  c.server.bind = "0.0.0.0:1";
  c.generation.system_prompt = "quote \" backslash \\ newline \n tab \t";
  c.generation.temperature = 0.1;
  c.limits.request_timeout = 1e-3;
  c.auth.api_keys = {"a", "b"};
  c.mcp.servers["x y"].command = "run";
  c.mcp.servers["x y"].env = {{"A", "1"}, {"B C", "2"}};
  BackendEntry b;
  b.name = "n";
  b.type = "ollama";
  b.base_url = "http://127.0.0.1:11434";
  c.backends.push_back(b);
  c.pricing["gpt-4o"].prompt_per_1k = 3;
  auto loaded = parse_toml(to_toml(c), "x.toml", no_vars());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message << "\n" << to_toml(c);
  loaded->source_path.clear();
  EXPECT_EQ(*loaded, c);
}

TEST(Redaction, SecretsNeverAppear) {
  Config c;
  c.auth.jwt_secret = "jwt-SECRET-1";
  c.auth.api_keys = {"key-SECRET-2"};
  c.store.postgres_url = "postgres://woolly:pw-SECRET-3@db.local:5432/woolly";
  c.store.redis_url = "redis://:pw-SECRET-4@cache:6379";
  c.log.user_id_salt = "salt-SECRET-5";
  c.mcp.servers["s"].env = {{"TOKEN", "env-SECRET-6"}};
  c.mcp.servers["s"].headers = {{"Authorization", "Bearer hdr-SECRET-7"}};
  BackendEntry b;
  b.api_key = "sk-SECRET-8";
  c.backends.push_back(b);
  std::string text = redacted_toml(c);
  EXPECT_THAT(text, Not(HasSubstr("SECRET")));
  EXPECT_THAT(text, HasSubstr("jwt_secret = \"***\""));
  EXPECT_THAT(text, HasSubstr("postgres://woolly:***@db.local:5432/woolly"));
  EXPECT_THAT(text, HasSubstr("TOKEN = \"***\""));
  EXPECT_THAT(text, HasSubstr("bind = \"127.0.0.1:8080\""));  // the rest stays readable
}

TEST(Redaction, Helpers) {
  EXPECT_EQ(redact(""), "");
  EXPECT_EQ(redact("x"), "***");
  EXPECT_EQ(redact_url_password("postgresql://u:p@h/db"), "postgresql://u:***@h/db");
  EXPECT_EQ(redact_url_password("postgres://u@h/db"), "postgres://u@h/db");
  EXPECT_EQ(redact_url_password("redis://secret@h:6379"), "redis://***@h:6379");
  EXPECT_EQ(redact_url_password("https://h/p@x"), "https://h/p@x");
}

}  // namespace
}  // namespace woolly::config

namespace woolly::config {
namespace {

TEST(Redaction, JsonFormHidesSecretsAndKeepsTheShape) {
  Config c;
  c.auth.jwt_secret = "jwt-SECRET";
  c.store.postgres_url = "postgres://u:pw-SECRET@db/w";
  c.mcp.servers["gh"].env = {{"TOKEN", "env-SECRET"}};
  BackendEntry b;
  b.name = "up";
  b.api_key = "sk-SECRET";
  c.backends.push_back(b);
  c.pricing["*"].prompt_per_1k = 1.5;
  std::string text = redacted_json(c);
  EXPECT_THAT(text, Not(HasSubstr("SECRET")));
  EXPECT_THAT(text, HasSubstr(R"("jwt_secret":"***")"));
  EXPECT_THAT(text, HasSubstr(R"("bind":"127.0.0.1:8080")"));
  EXPECT_THAT(text, HasSubstr(R"("server_info":{"name":"woolly")"));
  EXPECT_THAT(text, HasSubstr(R"("servers":{"gh":{)"));
  EXPECT_THAT(text, HasSubstr(R"("TOKEN":"***")"));
  EXPECT_THAT(text, HasSubstr(R"("postgres_url":"postgres://u:***@db/w")"));
  EXPECT_THAT(text, HasSubstr(R"("name":"up")"));
  EXPECT_THAT(text, HasSubstr(R"("prompt_per_1k":1.5)"));
}

}  // namespace
}  // namespace woolly::config
