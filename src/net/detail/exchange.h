// Private to src/net: the per-request state shared by the HTTP session (on its strand) and the
// Responder/StreamWriter handles (any thread).
#pragma once

#include <deque>

#include "net/detail/server_impl.h"
#include "net/responder.h"

namespace woolly::net::detail {

class ExchangeImpl final : public Exchange, public std::enable_shared_from_this<ExchangeImpl> {
 public:
  using Executor = asio::any_io_executor;  // the connection's strand, type-erased

  ExchangeImpl(Executor ex, const ErrorFormatter* formatter)
      : ex_(ex), signal_(ex), formatter_(formatter) {}

  void deliver(Response response) override;
  void deliver_error(const Error& error) override;
  void begin_stream(int status, Headers headers) override;
  void push(std::string bytes) override;
  void finish() override;
  bool cancelled() const override { return cancelled_.load(std::memory_order_acquire); }
  void on_cancel(std::function<void()> fn) override;

  // --- used by the session, on the strand ---
  // Marks the exchange cancelled (client gone, timeout) and runs the callbacks once.
  void cancel();
  // Wakes the session up when the deadline passes or something arrives. Returns false on timeout.
  asio::awaitable<bool> wait_until(std::chrono::steady_clock::time_point deadline);
  Response format_error(const Error& e) const;

  std::optional<Response> response;  // a whole answer
  bool streaming = false;            // begin_stream was called
  int stream_status = 200;
  Headers stream_headers;
  std::deque<std::string> chunks;  // pending stream bytes
  bool finished = false;           // the producer closed the stream
  bool done = false;               // the session is no longer listening

 private:
  void wake() { signal_.cancel(); }

  Executor ex_;
  asio::steady_timer signal_;
  const ErrorFormatter* formatter_;  // the route's, outlives the exchange (router is immutable)
  std::atomic<bool> cancelled_{false};
  std::vector<std::function<void()>> on_cancel_;  // strand only
};

}  // namespace woolly::net::detail
