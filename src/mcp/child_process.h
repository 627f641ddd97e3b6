// An MCP server Woolly launched: a child process in its own process group, speaking
// newline-delimited JSON-RPC on its stdin/stdout, its stderr passed line by line to a callback.
// Stopping it closes stdin, then signals the whole group (TERM, then KILL after a grace period)
// and reaps it; a child that dies on its own is reaped too. No Asio: plain threads and poll().
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "mcp/client.h"
#include "mcp/connection.h"
#include "mcp/fd_io.h"

namespace woolly::mcp {

struct ChildOptions {
  std::string command;  // looked up in PATH when it has no '/'
  std::vector<std::string> args;
  std::map<std::string, std::string> env;  // added to (or replacing in) the inherited environment
  std::string working_dir;                 // empty = Woolly's own
  std::function<void(std::string_view line)> on_stderr_line;  // default: dropped
  size_t max_line_bytes = 16 << 20;
};

class ChildProcess {
 public:
  // `on_line` gets each stdout line; `on_exit` runs once when stdout closes (the child exited or
  // closed it), from the reader thread.
  static Result<std::unique_ptr<ChildProcess>> spawn(
      ChildOptions options, std::function<void(std::string_view line)> on_line,
      std::function<void()> on_exit);
  ~ChildProcess();  // stop()
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Writes to the child's stdin (one message per line).
  std::shared_ptr<MessageSink> input() const { return writer_; }
  pid_t pid() const { return pid_; }
  // The exit status once reaped (as from waitpid), nullopt while it runs.
  std::optional<int> exit_status() const;
  // Closes stdin, waits `grace` for a clean exit, then TERM and finally KILL to the group.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

 private:
  ChildProcess() = default;
  bool try_reap(bool block);

  pid_t pid_ = -1;
  int stdin_fd_ = -1, stdout_fd_ = -1, stderr_fd_ = -1;
  int wake_read_ = -1, wake_write_ = -1;  // written by stop() to end the reader threads
  std::shared_ptr<FdLineWriter> writer_;
  std::thread stdout_thread_, stderr_thread_;
  mutable std::mutex reap_mutex_;  // guards status_ and serializes waitpid
  std::optional<int> status_;
  std::atomic<bool> stopped_{false};
};

// How a child ended, for logs: "exited with code 1", "was killed by signal 9".
std::string describe_exit(int status);

// A Client talking to a launched child: the usual way the host connects to a stdio MCP server.
class StdioClient : public Connection {
 public:
  static Result<std::unique_ptr<StdioClient>> launch(ChildOptions child, ClientOptions client);
  ~StdioClient() override;

  Client& client() override { return *client_; }
  // "exited with code N" / "was killed by signal N" once the child is gone.
  std::optional<std::string> lost() const override;
  ChildProcess& process() { return *child_; }

 private:
  StdioClient() = default;
  std::unique_ptr<Client> client_;
  std::unique_ptr<ChildProcess> child_;
};

}  // namespace woolly::mcp
