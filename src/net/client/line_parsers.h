// Incremental parsers for streamed response bodies: Server-Sent Events (OpenAI, Anthropic) and
// newline-delimited JSON (Ollama). Bytes go in as they arrive, in chunks of any size; complete
// events / lines come out. Plain C++ so the parsers are testable without sockets. Not thread-safe:
// one parser per response.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace woolly::net::client {

struct SseEvent {
  std::string event;  // "" when the event had no "event:" field (the default "message")
  std::string data;   // "data:" lines joined with '\n'
  std::string id;
};

class SseParser {
 public:
  explicit SseParser(std::function<void(const SseEvent&)> on_event, size_t max_line = 4 << 20)
      : on_event_(std::move(on_event)), max_line_(max_line) {}
  // Returns false when a line exceeds max_line (the stream should be abandoned).
  bool feed(std::string_view bytes);
  // Dispatches an event left without its closing blank line (a server that just closed).
  void finish();
  // The stream's state a client needs to resume it (Last-Event-ID) and when (the `retry:` field).
  // Both persist across events, as the SSE spec says; an event without data still sets them.
  const std::string& last_event_id() const { return last_event_id_; }
  std::optional<std::chrono::milliseconds> retry() const { return retry_; }

 private:
  void line(std::string_view l);
  void dispatch();

  std::function<void(const SseEvent&)> on_event_;
  size_t max_line_;
  std::string buffer_;
  SseEvent current_;
  bool has_data_ = false;
  std::string last_event_id_;
  std::optional<std::chrono::milliseconds> retry_;
};

class LineParser {
 public:
  explicit LineParser(std::function<void(std::string_view)> on_line, size_t max_line = 4 << 20)
      : on_line_(std::move(on_line)), max_line_(max_line) {}
  // Calls on_line for every complete non-empty line ('\r' stripped). False: a line too long.
  bool feed(std::string_view bytes);
  void finish();  // the last line when the body did not end with '\n'

 private:
  std::function<void(std::string_view)> on_line_;
  size_t max_line_;
  std::string buffer_;
};

}  // namespace woolly::net::client
