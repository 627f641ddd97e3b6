// How a handler answers: `Responder` (send one response, or start a stream) and `StreamWriter`
// (Server-Sent Events or raw chunks). Both may be used from any thread: they post to the
// connection's I/O thread, so an engine thread can stream tokens straight to the client.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"
#include "net/http_types.h"

namespace woolly::net {

namespace detail {
// Implemented by the HTTP session; one per request. All members are thread-safe.
class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual void deliver(Response response) = 0;
  virtual void deliver_error(const Error& error) = 0;  // through the route's ErrorFormatter
  virtual void begin_stream(int status, Headers headers) = 0;
  virtual void push(std::string bytes) = 0;  // already framed (SSE event text)
  virtual void finish() = 0;
  virtual bool cancelled() const = 0;
  // Runs `fn` (once, on an I/O thread) when the client goes away or the request times out.
  virtual void on_cancel(std::function<void()> fn) = 0;
};
}  // namespace detail

// A stream opened by Responder::start_stream. Copyable handle; the stream ends at close() or
// when the last handle goes away.
class StreamWriter {
 public:
  StreamWriter() = default;
  explicit StreamWriter(std::shared_ptr<detail::Exchange> ex);
  StreamWriter(const StreamWriter&) = default;
  StreamWriter& operator=(const StreamWriter&) = default;
  StreamWriter(StreamWriter&&) = default;
  StreamWriter& operator=(StreamWriter&&) = default;

  // Sends one SSE event; `data` may hold newlines (each line becomes a data: line). Returns false
  // once the client has gone away, so producers can stop early.
  bool write_event(std::string_view event, std::string_view data, std::string_view id = {});
  // Sends bytes as they are (for non-SSE chunked streams, e.g. NDJSON).
  bool write_raw(std::string bytes);
  // Sends an SSE comment line (": ping"), which keeps proxies from timing the stream out.
  bool write_comment(std::string_view text);
  void close();
  bool cancelled() const;
  void on_cancel(std::function<void()> fn);

 private:
  struct Closer;
  std::shared_ptr<Closer> closer_;  // closes the stream when the last copy goes away
  std::shared_ptr<detail::Exchange> ex_;
};

class Responder {
 public:
  explicit Responder(std::shared_ptr<detail::Exchange> ex) : ex_(std::move(ex)) {}
  Responder(Responder&&) noexcept = default;
  Responder& operator=(Responder&&) noexcept = default;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  // A responder dropped without an answer sends 500, so a forgotten path never hangs a client.
  ~Responder();

  void send(Response response);
  void send_error(const Error& error);  // formatted by the route's ErrorFormatter
  // Starts a chunked response (by default text/event-stream). The responder is spent afterwards.
  StreamWriter start_stream(int status = 200, Headers headers = {});
  bool cancelled() const;
  void on_cancel(std::function<void()> fn);
  explicit operator bool() const { return ex_ != nullptr; }

 private:
  std::shared_ptr<detail::Exchange> ex_;
};

// Formats one SSE event (event:, id:, data: lines, blank line).
std::string format_sse_event(std::string_view event, std::string_view data, std::string_view id);

}  // namespace woolly::net
