#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.h"

namespace woolly::config {
namespace {

using ::testing::HasSubstr;

Result<Config> parse(std::string_view text) {
  Variables v;
  v.env = env_from_map({{"GH_TOKEN", "ghp_123"}});
  return parse_json(text, "config.json", v);
}

constexpr std::string_view kComplete = R"({
  "model": "qwen2.5-0.5b",
  "port": 9090,
  "servers": {
    "files": {"type": "stdio", "command": "npx", "args": ["-y", "fs"], "env": {"T": "${GH_TOKEN}"}},
    "web": {"url": "https://mcp.example/mcp", "headers": {"Authorization": "Bearer x"}}
  },
  "system_prompt": "Be brief.",
  "temperature": 0.2,
  "top_p": 0.9,
  "min_p": 0.1,
  "min_tokens_to_keep": 2,
  "log_level": "debug",
  "log_file": "logs/woolly.log"
})";

TEST(JsonConfig, MapsEveryShortFormKey) {
  auto c = parse(kComplete);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->models.default_model, "qwen2.5-0.5b");
  EXPECT_EQ(c->server.bind, "127.0.0.1:9090");
  EXPECT_EQ(c->mcp.servers["files"].command, "npx");
  EXPECT_EQ(c->mcp.servers["files"].env.at("T"), "ghp_123");
  EXPECT_EQ(c->mcp.servers["web"].type, "http");  // inferred from `url`
  EXPECT_EQ(c->mcp.servers["web"].headers.at("Authorization"), "Bearer x");
  EXPECT_EQ(c->generation.system_prompt, "Be brief.");
  EXPECT_DOUBLE_EQ(c->generation.temperature, 0.2);
  EXPECT_DOUBLE_EQ(c->generation.top_p, 0.9);
  EXPECT_DOUBLE_EQ(c->generation.min_p, 0.1);
  EXPECT_EQ(c->generation.min_tokens_to_keep, 2);
  EXPECT_EQ(c->log.level, "debug");
  EXPECT_EQ(c->log.file, "logs/woolly.log");
}

TEST(JsonConfig, AcceptsMcpServersSpelling) {
  std::string text(kComplete);
  text.replace(text.find("\"servers\""), 9, "\"mcpServers\"");
  auto c = parse(text);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->mcp.servers.size(), 2u);
}

// A complete short-form file with one key left out.
std::string without(std::string_view key) {
  const std::pair<std::string_view, std::string_view> kValues[] = {{"model", "\"m\""},
                                                                   {"port", "8081"},
                                                                   {"servers", "{}"},
                                                                   {"system_prompt", "\"\""},
                                                                   {"temperature", "0.7"},
                                                                   {"top_p", "1"},
                                                                   {"min_p", "0"},
                                                                   {"min_tokens_to_keep", "1"},
                                                                   {"log_level", "\"info\""},
                                                                   {"log_file", "\"w.log\""}};
  std::string text = "{";
  for (const auto& [k, v] : kValues) {
    if (k == key) continue;
    if (text.size() > 1) text += ", ";
    text += "\"" + std::string(k) + "\": " + std::string(v);
  }
  return text + "}";
}

TEST(JsonConfig, EveryKeyIsRequired) {
  for (std::string_view key : {"model", "port", "servers", "system_prompt", "temperature", "top_p",
                               "min_p", "min_tokens_to_keep", "log_level", "log_file"}) {
    auto c = parse(without(key));
    ASSERT_FALSE(c.ok()) << key << " accepted as missing: " << without(key);
    EXPECT_THAT(c.error().message, HasSubstr(std::string(key) + ": required key is missing"));
  }
}

TEST(JsonConfig, EmptyServersIsFine) {
  auto c = parse(
      R"({"model": "m", "port": 8081, "servers": {}, "system_prompt": "", "temperature": 0.7, "top_p": 1, "min_p": 0,
    "min_tokens_to_keep": 1, "log_level": "info", "log_file": "w.log"})");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->mcp.servers.empty());
}

TEST(JsonConfig, WrongTypesAndRangesNameTheKey) {
  std::string text(kComplete);
  text.replace(text.find("9090"), 4, "\"9090\"");
  auto c = parse(text);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error().message, HasSubstr("port: expected an integer, got a string"));

  std::string big(kComplete);
  big.replace(big.find("9090"), 4, "70000");
  auto r = parse(big);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("port: 70000 is out of range"));
}

TEST(JsonConfig, UnknownKeysGetAHint) {
  std::string text(kComplete);
  text.replace(text.find("\"top_p\""), 7, "\"topp\"");
  auto c = parse(text);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error().message, HasSubstr("topp: unknown key; did you mean \"top_p\"?"));
}

TEST(JsonConfig, ParseErrorGivesLineAndColumn) {
  auto c = parse("{\n  \"model\": \"m\",\n  \"port\": ,\n}");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error().message, HasSubstr("config.json:3:"));
  EXPECT_THAT(c.error().message, HasSubstr("parse error"));
}

}  // namespace
}  // namespace woolly::config
