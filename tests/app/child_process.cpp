#include "child_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "net/test_client.h"

namespace woolly::app::testing {

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& args,
                           const std::string& log_path)
    : log_path_(log_path) {
  // Emptied here, before the child runs: a reader of the log (listening_port) must never see
  // what an earlier child wrote to the same file.
  ::close(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644));
  std::vector<std::string> argv_s = {program};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  pid_ = pid;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

void ChildProcess::signal(int sig) {
  if (pid_ > 0 && !reaped_) ::kill(pid_, sig);
}

int ChildProcess::wait(int timeout_ms) {
  if (reaped_) return exit_code_;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {  // looks at least once: wait(0) asks whether it has exited
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      if (WIFEXITED(status)) exit_code_ = WEXITSTATUS(status);
      if (WIFSIGNALED(status)) exit_code_ = 128 + WTERMSIG(status);
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= until) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string ChildProcess::log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

uint16_t listening_port(ChildProcess& child, int timeout_ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < until) {
    std::string log = child.log();
    size_t at = log.find("listening on ");
    if (at != std::string::npos) {
      size_t scheme = log.find("://", at);
      size_t end = log.find_first_of(" \"\n", scheme);
      size_t colon = log.rfind(':', end);
      if (scheme != std::string::npos && colon != std::string::npos && colon > scheme) {
        int port = std::atoi(log.c_str() + colon + 1);
        if (port > 0 && port < 65536) return static_cast<uint16_t>(port);
      }
      return 0;
    }
    if (child.wait(0) != -1) return 0;  // exited before listening
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

bool wait_healthy(uint16_t port, int timeout_ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < until) {
    if (net::testing::http_request(port, "GET", "/api/v1/health").status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string start_servers(const std::string& program, const std::filesystem::path& dir,
                          const std::filesystem::path& config, int count,
                          std::vector<std::unique_ptr<ChildProcess>>& children,
                          std::vector<uint16_t>& ports) {
  std::filesystem::current_path(dir);
  const size_t first = children.size();
  for (int i = 0; i < count; ++i) {
    children.push_back(std::make_unique<ChildProcess>(
        program, std::vector<std::string>{"serve", "--config", config.string(), "--bind", "127.0.0.1:0"},
        (dir / ("out" + std::to_string(first + i) + ".log")).string()));
  }
  for (size_t i = first; i < children.size(); ++i) {
    uint16_t port = listening_port(*children[i], 30000);
    if (port == 0) return "server " + std::to_string(i) + " did not listen:\n" + children[i]->log();
    ports.push_back(port);
    if (!wait_healthy(port, 30000)) {
      return "server " + std::to_string(i) + " is not healthy:\n" + children[i]->log();
    }
  }
  return {};
}

}  // namespace woolly::app::testing
