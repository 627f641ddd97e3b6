// Newline-delimited JSON-RPC over file descriptors: a line reader with a size limit and a
// wake-up so another thread can stop it, and a MessageSink that writes one line per message.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>

#include "mcp/message_sink.h"

namespace woolly::mcp {

// Writes each message followed by '\n'. A broken pipe (the peer is gone) is remembered and later
// messages are dropped; SIGPIPE is never raised (it would kill the whole server).
class FdLineWriter : public MessageSink {
 public:
  explicit FdLineWriter(int fd) : fd_(fd) {}
  void send(std::string text, const boost::json::value& related_request) override;
  bool broken() const { return broken_.load(); }

 private:
  int fd_;
  std::mutex mutex_;  // one message at a time, so lines never interleave
  std::atomic<bool> broken_{false};
};

enum class ReadEnd { kEof, kError, kStopped };

// Reads `fd` line by line until EOF, an error, or `stop_fd` becoming readable (-1 = none).
// A line longer than `max_line` is skipped and reported with on_overflow instead.
ReadEnd read_lines(int fd, int stop_fd, size_t max_line,
                   const std::function<void(std::string_view line)>& on_line,
                   const std::function<void()>& on_overflow = {});

}  // namespace woolly::mcp
