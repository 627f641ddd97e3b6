#include "mcp/fd_io.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace woolly::mcp {

namespace {

// Writes everything with SIGPIPE blocked on this thread; a SIGPIPE raised meanwhile is consumed
// so it is never delivered after the mask is restored.
bool write_all(int fd, const char* data, size_t size) {
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  bool ok = true;
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  if (!ok) {
    timespec zero{0, 0};
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE) == 1) sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  return ok;
}

}  // namespace

void FdLineWriter::send(std::string text, const boost::json::value&) {
  if (broken_) return;
  text.push_back('\n');
  std::lock_guard lock(mutex_);
  if (!write_all(fd_, text.data(), text.size())) broken_ = true;
}

ReadEnd read_lines(int fd, int stop_fd, size_t max_line,
                   const std::function<void(std::string_view)>& on_line,
                   const std::function<void()>& on_overflow) {
  std::string buffer;
  bool skipping = false;  // inside an over-long line, dropping bytes until its newline
  char chunk[65536];
  for (;;) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    int n = ::poll(fds, stop_fd >= 0 ? 2 : 1, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ReadEnd::kError;
    if (stop_fd >= 0 && fds[1].revents) return ReadEnd::kStopped;
    ssize_t got = ::read(fd, chunk, sizeof(chunk));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return ReadEnd::kError;
    if (got == 0) {
      // A final line without its newline still counts.
      if (!buffer.empty() && !skipping) on_line(buffer);
      return ReadEnd::kEof;
    }
    size_t start = 0;
    for (size_t i = 0; i < static_cast<size_t>(got); ++i) {
      if (chunk[i] != '\n') continue;
      if (!skipping) {
        buffer.append(chunk + start, i - start);
        if (!buffer.empty() && buffer.back() == '\r') buffer.pop_back();
        if (buffer.size() > max_line) {
          if (on_overflow) on_overflow();
        } else if (!buffer.empty()) {
          on_line(buffer);
        }
      }
      buffer.clear();
      skipping = false;
      start = i + 1;
    }
    if (!skipping) buffer.append(chunk + start, static_cast<size_t>(got) - start);
    if (!skipping && buffer.size() > max_line) {
      buffer.clear();
      skipping = true;
      if (on_overflow) on_overflow();
    }
  }
}

}  // namespace woolly::mcp
