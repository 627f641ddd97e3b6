// ${NAME} substitution, .env files, WOOLLY_* variables and the precedence of the layers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.h"
#include "config/temp_dir.h"

namespace woolly::config {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

TEST(ConfigVariables, FromTheEnvironment) {
  TempDir dir;
  std::string path =
      dir.write("config.toml", "[auth]\njwt_secret = \"${JWT}\"\napi_keys = [\"a-${K}\"]\n");
  auto c = load_file(path, env_from_map({{"JWT", "from-env"}, {"K", "1"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->auth.jwt_secret, "from-env");
  EXPECT_EQ(c->auth.api_keys, std::vector<std::string>{"a-1"});
}

TEST(ConfigVariables, FromDotEnvBesideTheFileWhenNotInTheEnvironment) {
  TempDir dir;
  dir.write(".env", "# secrets\nexport JWT=\"from-dotenv\"\nOTHER=x\n");
  std::string path =
      dir.write("config.toml", "[auth]\njwt_secret = \"${JWT}\"\n[log]\nfile = \"${OTHER}.log\"\n");
  auto c = load_file(path, env_from_map({{"OTHER", "env-wins"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->auth.jwt_secret, "from-dotenv");
  EXPECT_EQ(c->log.file, "env-wins.log");
}

TEST(ConfigVariables, MissingVariableNamesVariableAndKey) {
  TempDir dir;
  std::string path = dir.write("config.toml", "[store]\npostgres_url = \"${PG_URL}\"\n");
  auto c = load_file(path, env_from_map({}));
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error().message, HasSubstr("store.postgres_url"));
  EXPECT_THAT(c.error().message, HasSubstr("PG_URL"));
}

TEST(ConfigVariables, DollarDollarIsALiteral) {
  TempDir dir;
  std::string path = dir.write("config.toml", "[generation]\nsystem_prompt = \"cost $${X}\"\n");
  auto c = load_file(path, env_from_map({}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->generation.system_prompt, "cost ${X}");
}

TEST(ConfigVariables, WorksInTheJsonForm) {
  TempDir dir;
  dir.write(".env", "LOGF=w.log\n");
  std::string path = dir.write("config.json", R"({"model": "m", "port": 8081, "servers": {},
    "system_prompt": "", "temperature": 0.7, "top_p": 1, "min_p": 0, "min_tokens_to_keep": 1,
    "log_level": "info", "log_file": "${LOGF}"})");
  auto c = load_file(path, env_from_map({}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->log.file, "w.log");
}

TEST(ConfigEnvironment, MappingCoversEveryKeyAndTheAliases) {
  std::vector<EnvMapping> all = env_mappings();
  auto has = [&](std::string_view var, std::string_view key) {
    for (const EnvMapping& m : all) {
      if (m.variable == var && m.key == key) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("WOOLLY_BIND", "server.bind"));
  EXPECT_TRUE(has("WOOLLY_MODELS_DIR", "models.models_dir"));
  EXPECT_TRUE(has("WOOLLY_LOG_LEVEL", "log.level"));
  EXPECT_TRUE(has("WOOLLY_AUTH_JWT_SECRET", "auth.jwt_secret"));
  EXPECT_TRUE(has("WOOLLY_MCP_SERVER_INFO_NAME", "mcp.server_info.name"));
}

TEST(ConfigEnvironment, BadValueNamesTheVariable) {
  Config c;
  Status s = apply_env_overrides(c, env_from_map({{"WOOLLY_ENGINE_THREADS", "many"}}));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("WOOLLY_ENGINE_THREADS"));
  EXPECT_THAT(s.error().message, HasSubstr("engine.threads"));
}

TEST(ConfigPrecedence, DefaultsThenFileThenEnvironmentThenFlags) {
  TempDir dir;
  dir.write("config.toml", R"(
[server]
bind = "127.0.0.1:1001"
threads = 3
[log]
level = "debug"
[models]
max_sessions = 5
)");
  LoadOptions options;
  options.search_dir = dir.path();
  options.env =
      env_from_map({{"WOOLLY_BIND", "127.0.0.1:2002"},
                    {"WOOLLY_SERVER_THREADS", "4"},
                    {"WOOLLY_CORS_ALLOWED_ORIGINS", "https://a.example, https://b.example"}});
  options.overrides = {{"bind", "127.0.0.1:3003"}};
  auto c = load_effective(options);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->server.bind, "127.0.0.1:3003");  // flag beats env beats file
  EXPECT_EQ(c->server.threads, 4);              // env beats file
  EXPECT_EQ(c->log.level, "debug");             // file beats default
  EXPECT_EQ(c->models.max_sessions, 5);
  EXPECT_EQ(c->limits.max_tokens, 4096);  // default
  EXPECT_EQ(c->cors.allowed_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example"}));
}

TEST(ConfigPrecedence, FullVariableNameBeatsTheAlias) {
  Config c;
  ASSERT_TRUE(apply_env_overrides(c, env_from_map({{"WOOLLY_BIND", "127.0.0.1:1"},
                                                   {"WOOLLY_SERVER_BIND", "127.0.0.1:2"}}))
                  .ok());
  EXPECT_EQ(c.server.bind, "127.0.0.1:2");
}

TEST(ConfigPrecedence, NoFileMeansDefaults) {
  TempDir dir;
  LoadOptions options;
  options.search_dir = dir.path();
  options.env = env_from_map({});
  auto c = load_effective(options);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(*c, Config{});
}

TEST(ConfigPrecedence, JsonFoundWhenNoToml) {
  TempDir dir;
  dir.write("config.json", R"({"model": "m", "port": 8181, "servers": {}, "system_prompt": "",
    "temperature": 0.7, "top_p": 1, "min_p": 0, "min_tokens_to_keep": 1, "log_level": "info",
    "log_file": "w.log"})");
  EXPECT_EQ(find_default_config(dir.path()), dir.path() + "/config.json");
  dir.write("config.toml", "");
  EXPECT_EQ(find_default_config(dir.path()), dir.path() + "/config.toml");
}

TEST(ConfigPrecedence, InvalidResultIsAnError) {
  TempDir dir;
  LoadOptions options;
  options.search_dir = dir.path();
  options.env = env_from_map({{"WOOLLY_LOG_LEVEL", "loud"}});
  auto c = load_effective(options);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error().message, HasSubstr("log.level: unknown log level \"loud\""));
}

TEST(ConfigOverride, UnknownKeyGetsAHint) {
  Config c;
  Status s = apply_override(c, "log.levle", "debug");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("did you mean \"log.level\""));
}

}  // namespace
}  // namespace woolly::config
