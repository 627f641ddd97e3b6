#include "mcp/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace woolly::mcp {

namespace {

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Forwards to a sink that exists only once the child has been spawned.
class ForwardingSink : public MessageSink {
 public:
  void set(std::shared_ptr<MessageSink> target) {
    std::lock_guard lock(mutex_);
    target_ = std::move(target);
  }
  void send(std::string text, const boost::json::value& related) override {
    std::shared_ptr<MessageSink> t;
    {
      std::lock_guard lock(mutex_);
      t = target_;
    }
    if (t) t->send(std::move(text), related);
  }

 private:
  std::mutex mutex_;  // guards target_
  std::shared_ptr<MessageSink> target_;
};

}  // namespace

Result<std::unique_ptr<ChildProcess>> ChildProcess::spawn(
    ChildOptions options, std::function<void(std::string_view)> on_line,
    std::function<void()> on_exit) {
  if (options.command.empty()) return make_error(Errc::kInvalidArgument, "no command to run");
  // Everything the child needs is built before fork: after it only async-signal-safe calls.
  std::vector<std::string> argv_store{options.command};
  argv_store.insert(argv_store.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::map<std::string, std::string> env_map;
  for (char** e = environ; *e; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos) env_map[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  for (const auto& [k, v] : options.env) env_map[k] = v;
  std::vector<std::string> env_store;
  for (const auto& [k, v] : env_map) env_store.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);

  int in[2], out[2], err[2], status_pipe[2], wake[2];
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC) ||
      ::pipe2(status_pipe, O_CLOEXEC) || ::pipe2(wake, O_CLOEXEC)) {
    return make_error(Errc::kIo, std::string("pipe failed: ") + std::strerror(errno));
  }
  pid_t pid = ::fork();
  if (pid < 0) return make_error(Errc::kIo, std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);  // its own group, so stop() can signal it and its children together
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    // Restore what exec'd programs expect even if our thread blocked or ignored signals.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    if (!options.working_dir.empty() && ::chdir(options.working_dir.c_str()) != 0) {
      int e = errno;
      (void)!::write(status_pipe[1], &e, sizeof(e));
      ::_exit(127);
    }
    ::execvpe(argv[0], argv.data(), envp.data());
    int e = errno;
    (void)!::write(status_pipe[1], &e, sizeof(e));
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from the parent: no race with a stop() right after spawn
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  ::close(status_pipe[1]);
  int exec_errno = 0;
  ssize_t got;
  do {
    got = ::read(status_pipe[0], &exec_errno, sizeof(exec_errno));
  } while (got < 0 && errno == EINTR);
  ::close(status_pipe[0]);

  std::unique_ptr<ChildProcess> child(new ChildProcess());
  child->pid_ = pid;
  child->stdin_fd_ = in[1];
  child->stdout_fd_ = out[0];
  child->stderr_fd_ = err[0];
  child->wake_read_ = wake[0];
  child->wake_write_ = wake[1];
  if (got > 0) {
    child->try_reap(true);
    return make_error(Errc::kUnavailable, "cannot start MCP server '" + options.command +
                                              "': " + std::strerror(exec_errno));
  }
  child->writer_ = std::make_shared<FdLineWriter>(child->stdin_fd_);
  ChildProcess* self = child.get();
  size_t max_line = options.max_line_bytes;
  child->stdout_thread_ = std::thread([self, max_line, on_line = std::move(on_line),
                                       on_exit = std::move(on_exit)] {
    ReadEnd end = read_lines(self->stdout_fd_, self->wake_read_, max_line, on_line);
    if (end == ReadEnd::kStopped) return;
    if (on_exit) on_exit();
    // The child closed stdout: reap it as soon as it is gone, unless stop() takes over.
    while (!self->stopped_ && !self->try_reap(false)) {
      pollfd p{self->wake_read_, POLLIN, 0};
      ::poll(&p, 1, 10);
    }
  });
  child->stderr_thread_ = std::thread([self, max_line, cb = std::move(options.on_stderr_line)] {
    read_lines(self->stderr_fd_, self->wake_read_, max_line, [&](std::string_view line) {
      if (cb) cb(line);
    });
  });
  return child;
}

bool ChildProcess::try_reap(bool block) {
  std::lock_guard lock(reap_mutex_);
  if (status_) return true;
  // Look without reaping first: while the leader is an unreaped zombie its pid (and so the group
  // id) cannot be reused, which makes killing what is left of its group safe.
  siginfo_t info{};
  int r;
  do {
    r = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT | (block ? 0 : WNOHANG));
  } while (r < 0 && errno == EINTR);
  if (r < 0) {
    if (errno != ECHILD) return false;
    status_ = -1;
    return true;
  }
  if (info.si_pid == 0) return false;  // still running
  ::kill(-pid_, SIGKILL);  // grandchildren must not outlive the server they belonged to
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  status_ = status;
  return true;
}

std::optional<int> ChildProcess::exit_status() const {
  std::lock_guard lock(reap_mutex_);
  return status_;
}

void ChildProcess::stop(std::chrono::milliseconds grace) {
  if (stopped_.exchange(true)) return;
  close_fd(stdin_fd_);  // EOF on stdin is the polite way to ask an MCP server to exit
  auto wait_exit = [this](std::chrono::milliseconds d) {
    auto deadline = std::chrono::steady_clock::now() + d;
    while (!try_reap(false)) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  };
  if (!wait_exit(grace)) {
    ::kill(-pid_, SIGTERM);
    if (!wait_exit(std::chrono::milliseconds(1000))) {
      ::kill(-pid_, SIGKILL);
      try_reap(true);
    }
  }
  if (wake_write_ >= 0) (void)!::write(wake_write_, "x", 1);
  if (stdout_thread_.joinable()) stdout_thread_.join();
  if (stderr_thread_.joinable()) stderr_thread_.join();
  close_fd(stdout_fd_);
  close_fd(stderr_fd_);
  close_fd(wake_read_);
  close_fd(wake_write_);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) stop(std::chrono::milliseconds(500));
}

Result<std::unique_ptr<StdioClient>> StdioClient::launch(ChildOptions child, ClientOptions client) {
  std::unique_ptr<StdioClient> c(new StdioClient());
  auto forward = std::make_shared<ForwardingSink>();
  c->client_ = std::make_unique<Client>(std::move(client), forward);
  Client* raw = c->client_.get();
  std::string command = child.command;
  WOOLLY_ASSIGN_OR_RETURN(
      c->child_, ChildProcess::spawn(
                     std::move(child), [raw](std::string_view line) { raw->handle(line); },
                     [raw, command] {
                       raw->close(Error(Errc::kUnavailable,
                                        "MCP server '" + command + "' exited"));
                     }));
  forward->set(c->child_->input());
  return c;
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "stopped (status " + std::to_string(status) + ")";
}

std::optional<std::string> StdioClient::lost() const {
  if (auto st = child_->exit_status()) return describe_exit(*st);
  return std::nullopt;
}

StdioClient::~StdioClient() {
  if (child_) child_->stop();  // joins the reader threads: no callback reaches client_ after
  client_.reset();
}

}  // namespace woolly::mcp
