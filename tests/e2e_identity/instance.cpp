#include "e2e_identity/instance.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

namespace woolly::e2e {

std::string server_binary() { return std::string(WOOLLY_BINARY_DIR) + "/woolly-server"; }

std::string scratch_dir(const std::string& stem) {
  static std::atomic<int> n{0};
  std::string dir = std::string(WOOLLY_BINARY_DIR) + "/e2e-identity-tmp/" + stem + "-" +
                    std::to_string(::getpid()) + "-" + std::to_string(n++);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string bearer(const std::string& token) { return "Authorization: Bearer " + token + "\r\n"; }

Instance::Instance(const std::string& dir, const std::string& toml) : dir_(dir) {
  std::filesystem::create_directories(dir_);
  config_path_ = dir_ + "/config.toml";
  {
    std::ofstream out(config_path_);
    out << "[server]\nbind = \"127.0.0.1:0\"\ndata_dir = \"" << dir_
        << "/data\"\nthreads = 2\n[models]\nmodels_dir = \"" << dir_ << "/none\"\n"
        << toml << "\n";
  }
  // Port 0: the kernel picks a port the server keeps (a port found free beforehand could be
  // taken by another process before the server binds it); the server's log names it.
  child_ = std::make_unique<app::testing::ChildProcess>(
      server_binary(), std::vector<std::string>{"serve", "--config", config_path_},
      dir_ + "/server.log");
  port_ = app::testing::listening_port(*child_, 30000);
  if (port_ == 0) {
    exit_code_ = child_->wait(0);
    return;
  }
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < until) {
    exit_code_ = child_->wait(0);
    if (exit_code_ != -1) return;
    if (net::testing::http_request(port_, "GET", "/api/v1/health").status == 200) {
      healthy_ = true;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Instance::~Instance() {
  if (child_ && exit_code_ == -1) {
    child_->signal(SIGTERM);
    if (child_->wait(10000) == -1) child_->signal(SIGKILL);
  }
  child_.reset();  // reaps the child before its files go
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

int Instance::wait_exit(int timeout_ms) {
  if (exit_code_ == -1 && child_) exit_code_ = child_->wait(timeout_ms);
  return exit_code_;
}

std::string Instance::log() const { return child_ ? child_->log() : std::string(); }

CliResult Instance::cli(const std::string& args) const {
  CliResult r;
  std::string cmd = "'" + server_binary() + "' " + args + " --config '" + config_path_ + "' 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::optional<Instance::CreatedKey> Instance::create_key(const std::string& args,
                                                         std::string* why) const {
  CliResult r = cli("keys create " + args);
  auto field = [&](const std::string& name) -> std::string {
    size_t at = r.output.find("\n" + name + ":");
    if (r.output.rfind(name + ":", 0) == 0) at = 0;
    else if (at == std::string::npos) return {};
    else ++at;
    size_t start = r.output.find_first_not_of(' ', at + name.size() + 1);
    size_t end = r.output.find_first_of(" \n", start);
    return r.output.substr(start, end - start);
  };
  CreatedKey k{field("key"), field("id")};
  if (r.exit_code != 0 || k.secret.empty() || k.id.empty()) {
    if (why) *why = r.output;
    return std::nullopt;
  }
  return k;
}

net::testing::HttpReply Instance::request(const std::string& method, const std::string& target,
                                          const std::string& headers,
                                          const std::string& body) const {
  std::string h = headers;
  if (!body.empty()) h += "Content-Type: application/json\r\n";
  return net::testing::http_request(port_, method, target, h, body);
}

}  // namespace woolly::e2e
