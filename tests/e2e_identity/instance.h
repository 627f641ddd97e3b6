// The real woolly-server as a child process with a config file written for the test, for
// end-to-end tests of identity, limits, credits and sessions. Reusable: a test folder adds
// instance.cpp, tests/app/child_process.cpp and tests/net/test_client.cpp to its sources, and
// (for PostgreSQL + Redis) tests/store/test_services.cpp with the woolly_test_services fixture.
//
//   Instance a(scratch_dir("limits") + "/a", "[auth]\nallow_anonymous = false\n" + toml);
//   ASSERT_TRUE(a.healthy()) << a.log();
//   auto key = a.cli("keys create --scope inference");  // the same config, so the same store
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "app/child_process.h"
#include "net/test_client.h"

namespace woolly::e2e {

// WOOLLY_BINARY_DIR/woolly-server.
std::string server_binary();
// A fresh directory under the build tree, unique per process and call.
std::string scratch_dir(const std::string& stem);

struct CliResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

class Instance {
 public:
  // Writes `<dir>/config.toml`: [server] with a free loopback port and data_dir under `dir`,
  // [models] with an empty models_dir (the demo model), then `toml` as it is (its own tables:
  // [auth], [rate_limit], [store], [pricing]...; it must not repeat [server] or [models]).
  // Starts `woolly-server serve --config` and waits (bounded) until /api/v1/health answers.
  Instance(const std::string& dir, const std::string& toml);
  ~Instance();  // SIGTERM, then SIGKILL if it does not stop; removes `dir`

  bool healthy() const { return healthy_; }
  uint16_t port() const { return port_; }
  const std::string& config_path() const { return config_path_; }
  std::string log() const;
  // Waits (bounded) for the server to exit by itself: its exit code, or -1 on timeout.
  int wait_exit(int timeout_ms);

  // Runs `woolly-server <args> --config <config.toml>` to completion.
  CliResult cli(const std::string& args) const;
  // `keys create <args>`: the new key's secret and id, or nullopt (the output is in `why`).
  struct CreatedKey {
    std::string secret;
    std::string id;
  };
  std::optional<CreatedKey> create_key(const std::string& args, std::string* why = nullptr) const;

  // One request on a fresh connection; `headers` are full lines ("Name: value\r\n").
  net::testing::HttpReply request(const std::string& method, const std::string& target,
                                  const std::string& headers = {},
                                  const std::string& body = {}) const;

 private:
  std::string dir_;
  std::string config_path_;
  uint16_t port_ = 0;
  bool healthy_ = false;
  int exit_code_ = -1;  // once it has exited
  std::unique_ptr<app::testing::ChildProcess> child_;
};

std::string bearer(const std::string& token);  // "Authorization: Bearer <token>\r\n"

}  // namespace woolly::e2e
