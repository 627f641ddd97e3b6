// The shipped examples and docs/CONFIGURATION.md stay true to the code.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/detail/schema.h"
#include "config/loader.h"
#include "config/render.h"
#include "config/validate.h"

namespace woolly::config {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ShippedFiles, ExampleTomlIsTheCurrentDefaultFile) {
  // Regenerate with: woolly-server config --output config/woolly.example.toml
  EXPECT_EQ(slurp(WOOLLY_SOURCE_DIR "/config/woolly.example.toml"), default_toml());
}

TEST(ShippedFiles, ExampleJsonIsValid) {
  auto c = load_file(WOOLLY_SOURCE_DIR "/config/config.example.json",
                     env_from_map({{"SEARCH_TOKEN", "t"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_THAT(validate(*c), ::testing::IsEmpty());
  EXPECT_EQ(c->mcp.servers.size(), 2u);
}

TEST(ShippedFiles, ConfigurationDocNamesEveryKeyAndVariable) {
  std::string doc = slurp(WOOLLY_SOURCE_DIR "/docs/CONFIGURATION.md");
  ASSERT_FALSE(doc.empty());
  for (const EnvMapping& m : env_mappings()) {
    EXPECT_NE(doc.find("`" + m.variable + "`"), std::string::npos) << m.variable;
  }
  for (const auto& f : detail::backend_fields()) {
    EXPECT_NE(doc.find("`" + std::string(f.key) + "`"), std::string::npos) << f.key;
  }
  for (const auto& f : detail::mcp_server_fields()) {
    EXPECT_NE(doc.find("`" + std::string(f.key) + "`"), std::string::npos) << f.key;
  }
}

}  // namespace
}  // namespace woolly::config
