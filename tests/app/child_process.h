// Starts woolly-server as a child process for lifecycle tests; output goes to a log file.
#pragma once

#include <sys/types.h>

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
  // Waits up to timeout_ms; returns the exit code (128+N for a signal), or -1 on timeout.
  int wait(int timeout_ms);
  std::string log() const;

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  bool reaped_ = false;
};

// A port that was free a moment ago (bind to 0, read it, close).
uint16_t free_port();
// Polls until GET /api/v1/health answers 200 or the timeout passes.
bool wait_healthy(uint16_t port, int timeout_ms);

}  // namespace woolly::app::testing
