#include "config/validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace woolly::config {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::vector<std::string> problems_of(const Config& c) { return validate(c); }

TEST(Validate, DefaultsAreValid) { EXPECT_THAT(validate(Config{}), IsEmpty()); }

TEST(Validate, BindShapeAndPortRange) {
  Config c;
  c.server.bind = "localhost";
  EXPECT_THAT(problems_of(c), Contains(HasSubstr("server.bind: expected ADDR:PORT")));
  c.server.bind = "127.0.0.1:70000";
  EXPECT_THAT(problems_of(c), Contains(HasSubstr("server.bind: port out of range")));
  c.server.bind = "::1:80";
  EXPECT_THAT(problems_of(c), Contains(HasSubstr("server.bind: expected ADDR:PORT")));
  c.server.bind = "[::1]:0";
  EXPECT_THAT(problems_of(c), IsEmpty());
}

TEST(Validate, SplitBind) {
  std::string host;
  int port = 0;
  ASSERT_TRUE(split_bind("[::1]:8080", &host, &port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 8080);
  ASSERT_TRUE(split_bind("0.0.0.0:1", &host, &port));
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_FALSE(split_bind("host:", &host, &port));
  EXPECT_FALSE(split_bind("host:-1", &host, &port));
}

TEST(Validate, TlsNeedsItsFiles) {
  Config c;
  c.tls.enabled = true;
  auto p = problems_of(c);
  EXPECT_THAT(p, Contains("tls.cert_file: required when tls.enabled"));
  EXPECT_THAT(p, Contains("tls.key_file: required when tls.enabled"));
}

TEST(Validate, NegativeLimitsAndBadSampling) {
  Config c;
  c.limits.max_body_size = -1;
  c.limits.max_tokens = 0;
  c.limits.request_timeout = -5;
  c.generation.top_p = 1.5;
  c.generation.min_p = -0.1;
  auto p = problems_of(c);
  EXPECT_THAT(p, Contains(HasSubstr("limits.max_body_size: must be at least 1, got -1")));
  EXPECT_THAT(p, Contains(HasSubstr("limits.max_tokens: must be at least 1")));
  EXPECT_THAT(p, Contains(HasSubstr("limits.request_timeout: must be greater than 0")));
  EXPECT_THAT(p, Contains(HasSubstr("generation.top_p")));
  EXPECT_THAT(p, Contains(HasSubstr("generation.min_p")));
}

TEST(Validate, UnknownNamesInClosedSets) {
  Config c;
  c.log.level = "verbose";
  c.store.backend = "mysql";
  c.engine.chat_template = "alpaca";
  c.mcp.protocol_version = "2023-01-01";
  BackendEntry b;
  b.name = "x";
  b.type = "grpc";
  c.backends.push_back(b);
  auto p = problems_of(c);
  EXPECT_THAT(p, Contains(HasSubstr("log.level: unknown log level \"verbose\"")));
  EXPECT_THAT(p, Contains(HasSubstr("store.backend: unknown store \"mysql\"")));
  EXPECT_THAT(p, Contains(HasSubstr("engine.chat_template: unknown template")));
  EXPECT_THAT(p, Contains(HasSubstr("mcp.protocol_version: unknown revision")));
  EXPECT_THAT(p, Contains(HasSubstr("backends[0].type: unknown backend type \"grpc\"")));
}

TEST(Validate, BackendsAndMcpServers) {
  Config c;
  BackendEntry a;
  a.name = "a";
  a.type = "openai";
  a.fallback = "missing";
  BackendEntry dup = a;
  dup.type = "local";
  dup.fallback = "";
  c.backends = {a, dup};
  McpServerEntry s;
  s.type = "stdio";
  c.mcp.servers["bare"] = s;
  McpServerEntry h;
  h.type = "http";
  h.url = "ftp://x";
  c.mcp.servers["web"] = h;
  auto p = problems_of(c);
  EXPECT_THAT(p, Contains("backends[0].base_url: required when type = \"openai\""));
  EXPECT_THAT(p, Contains(HasSubstr("backends[0].fallback: \"missing\" is not another backend")));
  EXPECT_THAT(p, Contains(HasSubstr("backends[1].name: duplicate backend name \"a\"")));
  EXPECT_THAT(p, Contains("backends[1].path: required when type = \"local\""));
  EXPECT_THAT(p, Contains("mcp.servers.bare.command: required when type = \"stdio\""));
  EXPECT_THAT(p, Contains(HasSubstr("mcp.servers.web.url: expected an http")));
}

TEST(Validate, StoreUrls) {
  Config c;
  c.store.backend = "postgres";
  c.store.redis_url = "http://x";
  auto p = problems_of(c);
  EXPECT_THAT(p, Contains("store.postgres_url: required when store.backend = \"postgres\""));
  EXPECT_THAT(p, Contains(HasSubstr("store.redis_url")));
  c.store.redis_prefix = "two words:";
  EXPECT_THAT(problems_of(c),
              Contains("store.redis_prefix: at most 64 characters, no whitespace"));
  c.store.redis_prefix = "team-a:";
  EXPECT_THAT(problems_of(c), Not(Contains(HasSubstr("store.redis_prefix"))));
}

TEST(Validate, ListsEveryProblem) {
  Config c;
  c.server.threads = -1;
  c.engine.batch_size = 0;
  c.cors.allowed_origins = {"*"};
  c.cors.allow_credentials = true;
  EXPECT_EQ(problems_of(c).size(), 3u);
}

}  // namespace
}  // namespace woolly::config
