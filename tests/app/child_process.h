// Starts woolly-server as a child process for lifecycle tests; output goes to a log file.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace woolly::app::testing {

class ChildProcess {
 public:
  ChildProcess(const std::string& program, const std::vector<std::string>& args,
               const std::string& log_path);
  ~ChildProcess();  // kills the child if it still runs

  bool started() const { return pid_ > 0; }
  void signal(int sig);
  // Waits up to timeout_ms; returns the exit code (128+N for a signal), or -1 on timeout. Once
  // the child is reaped, every later call returns the same code.
  int wait(int timeout_ms);
  std::string log() const;

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  bool reaped_ = false;
  int exit_code_ = -1;
};

// A port that was free a moment ago (bind to 0, read it, close). Another process may take it
// before the caller binds it: servers under test bind port 0 and report theirs instead
// (listening_port); this is for the few tests that need a port nobody listens on.
uint16_t free_port();
// The port of a server started with `--bind 127.0.0.1:0`: waits until its log says "listening on
// SCHEME://ADDR:PORT" and returns PORT; 0 if the child exits or timeout_ms passes first.
uint16_t listening_port(ChildProcess& child, int timeout_ms);
// Polls until GET /api/v1/health answers 200 or the timeout passes.
bool wait_healthy(uint16_t port, int timeout_ms);

// Starts `count` servers, `program serve --config CONFIG --bind 127.0.0.1:0`, together, each
// logging to dir/out<i>.log and running in `dir` (so that no developer config is picked up);
// appends them and their ports. Returns "" once all are healthy, else what failed, with its log.
std::string start_servers(const std::string& program, const std::filesystem::path& dir,
                          const std::filesystem::path& config, int count,
                          std::vector<std::unique_ptr<ChildProcess>>& children,
                          std::vector<uint16_t>& ports);

}  // namespace woolly::app::testing
