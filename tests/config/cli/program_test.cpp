// The real woolly-server binary, run as a subprocess (only when it is built).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include "config/temp_dir.h"

namespace {

using ::testing::HasSubstr;
using woolly::config::testing::TempDir;

#ifdef WOOLLY_SERVER_BINARY

struct Outcome {
  int exit_code = -1;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Outcome run_program(const TempDir& dir, const std::string& args) {
  std::string out = dir.path() + "/stdout", err = dir.path() + "/stderr";
  std::string command = "cd '" + dir.path() + "' && timeout 20 '" WOOLLY_SERVER_BINARY "' " + args +
                        " >'" + out + "' 2>'" + err + "' </dev/null";
  int status = std::system(command.c_str());
  Outcome o;
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  o.out = slurp(out);
  o.err = slurp(err);
  return o;
}

TEST(Program, ValidateAcceptsAGoodFile) {
  TempDir dir;
  dir.write("config.toml", "bind = \"127.0.0.1:8089\"\n[log]\nlevel = \"debug\"\n");
  Outcome o = run_program(dir, "validate config.toml");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "valid\n");
}

TEST(Program, ValidateListsEveryProblem) {
  TempDir dir;
  dir.write("config.toml", "[server]\nbnd = \"x\"\n[log]\nlevel = 5\n");
  Outcome o = run_program(dir, "validate config.toml");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("server.bnd: unknown key; did you mean \"bind\"?"));
  EXPECT_THAT(o.err, HasSubstr("log.level: expected a string, got an integer"));
}

TEST(Program, ShortFormWithoutPortExitsOneBeforeStarting) {
  TempDir dir;
  dir.write("config.json", R"({"model": "m", "servers": {}, "system_prompt": "",
    "temperature": 0.7, "top_p": 1, "min_p": 0, "min_tokens_to_keep": 1, "log_level": "info",
    "log_file": "w.log"})");
  Outcome o = run_program(dir, "");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("port: required key is missing"));
  EXPECT_THAT(o.out, ::testing::Not(HasSubstr("starting")));
  EXPECT_FALSE(std::ifstream(dir.path() + "/w.log").good());  // logging never began
}

TEST(Program, ShortFormWithoutLogFileExitsOne) {
  TempDir dir;
  dir.write("c.json", R"({"model": "m", "port": 8089, "servers": {}, "system_prompt": "",
    "temperature": 0.7, "top_p": 1, "min_p": 0, "min_tokens_to_keep": 1, "log_level": "info"})");
  Outcome o = run_program(dir, "--config c.json");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("log_file: required key is missing"));
}

TEST(Program, VersionAndConfigOutput) {
  TempDir dir;
  Outcome v = run_program(dir, "--version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_FALSE(v.out.empty());
  Outcome c = run_program(dir, "config --output defaults.toml");
  EXPECT_EQ(c.exit_code, 0) << c.err;
  Outcome check = run_program(dir, "validate defaults.toml");
  EXPECT_EQ(check.exit_code, 0) << check.err;
}

#else
TEST(Program, NotBuiltYet) {
  GTEST_SKIP() << "woolly-server does not link yet (no src/app/serve.cpp)";
}
#endif

}  // namespace
