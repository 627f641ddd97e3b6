// The command line in-process: flags, precedence, config and validate, with a recording serve.
#include "app/cli.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "common/version.h"
#include "config/loader.h"
#include "config/temp_dir.h"

namespace woolly::app {
namespace {

namespace fs = std::filesystem;
using config::testing::TempDir;
using ::testing::HasSubstr;

// Runs the CLI inside a fresh working directory, capturing stdout and stderr and the
// configuration serve() was given.
class CliTest : public ::testing::Test {
 protected:
  CliTest() : old_cwd_(fs::current_path()) { fs::current_path(dir_.path()); }
  ~CliTest() override {
    fs::current_path(old_cwd_);
    unsetenv("WOOLLY_BIND");
    unsetenv("WOOLLY_ENGINE_THREADS");
  }

  int run(std::vector<std::string> args) {
    args.insert(args.begin(), "woolly-server");
    std::vector<const char*> argv;
    for (const std::string& a : args) argv.push_back(a.c_str());
    std::stringstream out, err;
    auto* old_out = std::cout.rdbuf(out.rdbuf());
    auto* old_err = std::cerr.rdbuf(err.rdbuf());
    served_.reset();
    int rc = run_cli(static_cast<int>(argv.size()), argv.data(), [this](const config::Config& c) {
      served_ = c;
      return 0;
    });
    std::cout.rdbuf(old_out);
    std::cerr.rdbuf(old_err);
    out_ = out.str();
    err_ = err.str();
    return rc;
  }

  TempDir dir_;
  fs::path old_cwd_;
  std::optional<config::Config> served_;
  std::string out_, err_;
};

constexpr char kShortForm[] = R"({"model": "m", "port": 8123, "servers": {}, "system_prompt": "",
  "temperature": 0.7, "top_p": 1, "min_p": 0, "min_tokens_to_keep": 1, "log_level": "error",
  "log_file": "w.log"})";

TEST_F(CliTest, NoSubcommandServesTheDefaults) {
  EXPECT_EQ(run({"--log-level", "error"}), 0) << err_;
  ASSERT_TRUE(served_);
  config::Config expected;
  expected.log.level = "error";
  EXPECT_EQ(*served_, expected);
}

TEST_F(CliTest, ServeSubcommandTakesGlobalFlagsAfterIt) {
  EXPECT_EQ(run({"serve", "--bind", "127.0.0.1:9999", "--log-level", "error"}), 0) << err_;
  ASSERT_TRUE(served_);
  EXPECT_EQ(served_->server.bind, "127.0.0.1:9999");
}

TEST_F(CliTest, FindsConfigJsonInTheWorkingDirectory) {
  dir_.write("config.json", kShortForm);
  EXPECT_EQ(run({}), 0) << err_;
  ASSERT_TRUE(served_);
  EXPECT_EQ(served_->server.bind, "127.0.0.1:8123");
  EXPECT_EQ(served_->models.default_model, "m");
}

TEST_F(CliTest, FlagsBeatEnvironmentBeatsFile) {
  dir_.write("config.toml",
             "[server]\nbind = \"127.0.0.1:1\"\nthreads = 2\n[log]\nlevel = \"error\"\n");
  setenv("WOOLLY_BIND", "127.0.0.1:2", 1);
  setenv("WOOLLY_ENGINE_THREADS", "5", 1);
  EXPECT_EQ(run({"--bind", "127.0.0.1:3", "--set", "server.threads=7"}), 0) << err_;
  ASSERT_TRUE(served_);
  EXPECT_EQ(served_->server.bind, "127.0.0.1:3");
  EXPECT_EQ(served_->server.threads, 7);
  EXPECT_EQ(served_->engine.threads, 5);
}

TEST_F(CliTest, ShortFormWithoutPortFailsBeforeServing) {
  std::string text = kShortForm;
  text.erase(text.find("\"port\": 8123, "), 14);
  std::string path = dir_.write("short.json", text);
  EXPECT_EQ(run({"--config", path}), 1);
  EXPECT_FALSE(served_);
  EXPECT_THAT(err_, HasSubstr("invalid configuration"));
  EXPECT_THAT(err_, HasSubstr("port: required key is missing"));
}

TEST_F(CliTest, BadFlagsAndValuesExitWithOne) {
  EXPECT_EQ(run({"--no-such-flag"}), 1);
  EXPECT_THAT(err_, HasSubstr("--no-such-flag"));
  EXPECT_EQ(run({"--bind", "nonsense"}), 1);
  EXPECT_THAT(err_, HasSubstr("server.bind: expected ADDR:PORT"));
  EXPECT_EQ(run({"--config", "missing.toml"}), 1);
  EXPECT_EQ(run({"--set", "server.bnd=1"}), 1);
  EXPECT_THAT(err_, HasSubstr("did you mean \"server.bind\""));
  EXPECT_FALSE(served_);
}

TEST_F(CliTest, VersionAndHelp) {
  EXPECT_EQ(run({"--version"}), 0);
  EXPECT_THAT(out_, HasSubstr(std::string(version())));
  EXPECT_EQ(run({"--help"}), 0);
  EXPECT_THAT(out_, HasSubstr("validate"));
  EXPECT_THAT(out_, HasSubstr("--config"));
  EXPECT_FALSE(served_);
}

TEST_F(CliTest, ConfigOutputWritesDefaultsThatLoadBack) {
  EXPECT_EQ(run({"config", "--output", "defaults.toml"}), 0) << err_;
  auto loaded = config::load_file("defaults.toml", config::env_from_map({}));
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  loaded->source_path.clear();
  EXPECT_EQ(*loaded, config::Config{});
  EXPECT_FALSE(served_);
}

TEST_F(CliTest, ConfigEffectiveRedactsSecrets) {
  dir_.write("config.toml", "[auth]\njwt_secret = \"hunter2\"\n");
  EXPECT_EQ(run({"config", "--effective", "--bind", "0.0.0.0:7"}), 0) << err_;
  EXPECT_THAT(out_, HasSubstr("bind = \"0.0.0.0:7\""));
  EXPECT_THAT(out_, HasSubstr("jwt_secret = \"***\""));
  EXPECT_THAT(out_, ::testing::Not(HasSubstr("hunter2")));
  EXPECT_EQ(run({"config", "--effective", "--json"}), 0) << err_;
  EXPECT_THAT(out_, HasSubstr(R"("jwt_secret":"***")"));
  EXPECT_THAT(out_, ::testing::Not(HasSubstr("hunter2")));
}

TEST_F(CliTest, ValidateCommand) {
  std::string good = dir_.write("good.toml", "[server]\nbind = \"127.0.0.1:1\"\n");
  EXPECT_EQ(run({"validate", good}), 0);
  EXPECT_EQ(out_, "valid\n");
  std::string bad = dir_.write("bad.toml", "[tls]\nenabled = true\n[limits]\nmax_tokens = -1\n");
  EXPECT_EQ(run({"validate", bad}), 1);
  EXPECT_THAT(err_, HasSubstr("tls.cert_file: required when tls.enabled"));
  EXPECT_THAT(err_, HasSubstr("tls.key_file: required when tls.enabled"));
  EXPECT_THAT(err_, HasSubstr("limits.max_tokens: must be at least 1"));
  std::string broken = dir_.write("broken.toml", "[server\n");
  EXPECT_EQ(run({"validate", broken}), 1);
  EXPECT_THAT(err_, HasSubstr("broken.toml:1:"));
  EXPECT_FALSE(served_);
}

}  // namespace
}  // namespace woolly::app
