#include "obs/log/log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace woolly::obs {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

config::LogConfig quiet() {
  config::LogConfig c;
  c.console = false;
  return c;
}

TEST(LogLevels, ParsesTheDocumentedNames) {
  EXPECT_EQ(*parse_log_level("warning"), spdlog::level::warn);
  EXPECT_EQ(*parse_log_level("trace"), spdlog::level::trace);
  auto bad = parse_log_level("loud");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, HasSubstr("loud"));
  config::LogConfig c = quiet();
  c.level = "chatty";
  EXPECT_FALSE(init_logging(c).ok());
}

TEST(Logging, WritesTheFileAtTheConfiguredLevel) {
  std::random_device rd;
  fs::path dir = fs::temp_directory_path() / ("woolly-log-init-" + std::to_string(rd()));
  config::LogConfig c = quiet();
  c.level = "warning";
  c.file = (dir / "sub" / "w.log").string();  // missing directories are created
  ASSERT_TRUE(init_logging(c).ok());
  spdlog::info("not at warning level");
  spdlog::warn("disk almost full");
  logger()->error("through obs::logger()");
  logger()->flush();
  std::ifstream in(c.file);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("[warning] disk almost full"));
  EXPECT_THAT(text.str(), HasSubstr("[error] through obs::logger()"));
  EXPECT_THAT(text.str(), Not(HasSubstr("not at warning level")));
  shutdown_logging();
  spdlog::error("after shut-down");  // still safe, e.g. from a thread finishing late
  logger()->flush();
  std::ifstream again(c.file);
  std::stringstream all;
  all << again.rdbuf();
  EXPECT_THAT(all.str(), HasSubstr("after shut-down"));
  fs::remove_all(dir);
}

TEST(Privacy, PromptsAreRedactedUnlessAskedFor) {
  config::LogConfig c = quiet();
  ASSERT_TRUE(init_logging(c).ok());
  EXPECT_EQ(loggable_text("tell me a secret"), "<redacted 16 chars>");
  c.log_prompts = true;
  ASSERT_TRUE(init_logging(c).ok());
  EXPECT_EQ(loggable_text("tell me a secret"), "tell me a secret");
}

TEST(Privacy, UserIdsAreAnonymizedStablyWithTheSalt) {
  config::LogConfig c = quiet();
  ASSERT_TRUE(init_logging(c).ok());
  EXPECT_EQ(anonymize_user_id("alice"), "alice");  // off by default

  c.anonymize_user_ids = true;
  c.user_id_salt = "pepper";
  ASSERT_TRUE(init_logging(c).ok());
  std::string a = anonymize_user_id("alice");
  EXPECT_THAT(a, MatchesRegex("u_[0-9a-f]{16}"));
  EXPECT_EQ(anonymize_user_id("alice"), a);
  EXPECT_NE(anonymize_user_id("bob"), a);

  ASSERT_TRUE(init_logging(c).ok());  // same salt after a restart: same pseudonym
  EXPECT_EQ(anonymize_user_id("alice"), a);

  c.user_id_salt = "salt";
  ASSERT_TRUE(init_logging(c).ok());
  EXPECT_NE(anonymize_user_id("alice"), a);
}

}  // namespace
}  // namespace woolly::obs
