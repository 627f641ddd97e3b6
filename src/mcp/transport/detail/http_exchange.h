// Pieces of the Streamable HTTP client transport (http_client_transport.cpp): what an outgoing
// message is, and one HTTP exchange's answer as it arrives (a JSON body or an SSE stream).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "net/client/line_parsers.h"
#include "net/http_types.h"

namespace woolly::mcp::transport::detail {

// What the transport needs to know about an outgoing JSON-RPC message.
struct Outgoing {
  std::optional<int64_t> id;          // requests only (the Client numbers them)
  std::string method;                 // requests and notifications
  std::optional<std::string> modern;  // the 2026-07-28 revision declared in params._meta
  std::optional<std::string> name;    // what Mcp-Name carries (tool/prompt name, resource uri)
};
Outgoing describe(std::string_view text);

// protocolVersion of an initialize result message, if `message` is one.
std::optional<std::string> initialize_version(std::string_view message);
// The request `text` with its id replaced ("" when `text` is not a JSON object).
std::string with_id(const std::string& text, std::string id);
// The Errc a failed HTTP exchange maps to for the caller.
Errc errc_for_status(int status);
// ": <message>" from an error body (a JSON-RPC error's message, or the start of the text).
std::string error_excerpt(const std::string& body);

// A one-shot event another thread waits for, with a bound.
class Signal {
 public:
  void set();
  bool wait_for(std::chrono::milliseconds timeout);

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool set_ = false;
};

// One outgoing message and the answer stream(s) carrying its reply. Touched only by the HTTP
// client's thread once sent (its handlers run there one after another).
struct Exchange {
  Outgoing out;
  std::string text;
  bool retried = false;       // already sent again after renewing the session
  bool sent_session = false;  // carried an Mcp-Session-Id
  std::shared_ptr<Signal> acked;

  int status = 0;
  std::string body;  // a non-SSE answer
  bool too_big = false;
  size_t received = 0;        // bytes of the current answer
  std::string last_event_id;  // where a resumed stream picks up
  std::optional<std::chrono::milliseconds> retry;
  int resumptions = 0;

  // A new answer (a POST's, or a resumed GET's) starts: SSE when 2xx with text/event-stream.
  void begin(int http_status, const net::Headers& headers, size_t max_bytes,
             std::function<void(std::string_view)> on_message);
  void feed(std::string_view bytes);
  // The answer ended: flushes the SSE parser and keeps its resume point.
  void finish();
  bool sse() const { return parser_ != nullptr; }

 private:
  std::unique_ptr<net::client::SseParser> parser_;
  size_t max_bytes_ = 0;
};

}  // namespace woolly::mcp::transport::detail
