// Private to src/net: the per-request state shared by the HTTP session (on its I/O thread) and the
// Responder/StreamWriter handles (any thread).
#pragma once

#include <deque>
#include <memory>
#include <shared_mutex>

#include "net/detail/server_impl.h"
#include "net/responder.h"

namespace woolly::net::detail {

class ExchangeImpl final : public Exchange, public std::enable_shared_from_this<ExchangeImpl> {
 public:
  using Executor = asio::any_io_executor;  // the connection's io_context, type-erased

  ExchangeImpl(Executor ex, const ErrorFormatter* formatter)
      : ex_(ex), signal_(ex), formatter_(formatter) {}

  void deliver(Response response) override;
  void deliver_error(const Error& error) override;
  void begin_stream(int status, Headers headers) override;
  void push(std::string bytes) override;
  void finish() override;
  bool cancelled() const override { return cancelled_.load(std::memory_order_acquire); }
  void on_cancel(std::function<void()> fn) override;

  // --- used by the session, on its I/O thread ---
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
  std::vector<std::function<void()>> on_cancel_;  // session thread only
};

// What Responder and StreamWriter hold. The exchange belongs to its session, which drops it when
// it stops listening (answered, client gone, timed out); a handle kept by another thread (a store
// or engine thread answering late) then finds it gone and does nothing. Every call holds the
// server's handle gate, so no handle reaches an exchange, nor destroys the last reference to one
// (its timer belongs to the io_context), once ~Server has begun to tear the io_context down.
class WeakExchange final : public Exchange {
 public:
  WeakExchange(const std::shared_ptr<ExchangeImpl>& ex,
               std::shared_ptr<Server::Impl::HandleGate> gate)
      : ex_(ex), gate_(std::move(gate)) {}

  void deliver(Response response) override {
    with([&](ExchangeImpl& e) { e.deliver(std::move(response)); });
  }
  void deliver_error(const Error& error) override {
    with([&](ExchangeImpl& e) { e.deliver_error(error); });
  }
  void begin_stream(int status, Headers headers) override {
    with([&](ExchangeImpl& e) { e.begin_stream(status, std::move(headers)); });
  }
  void push(std::string bytes) override {
    with([&](ExchangeImpl& e) { e.push(std::move(bytes)); });
  }
  void finish() override {
    with([&](ExchangeImpl& e) { e.finish(); });
  }
  // An exchange its session has let go of is over for the handler: the client is not listening.
  bool cancelled() const override {
    bool cancelled = true;
    with([&](ExchangeImpl& e) { cancelled = e.cancelled(); });
    return cancelled;
  }
  void on_cancel(std::function<void()> fn) override {
    if (!with([&](ExchangeImpl& e) { e.on_cancel(std::move(fn)); })) fn();
  }

 private:
  // Runs f on the exchange if it is still there; false if it is not.
  template <class F>
  bool with(F&& f) const {
    std::shared_lock gate(gate_->mutex);
    if (!gate_->open) return false;
    std::shared_ptr<ExchangeImpl> ex = ex_.lock();
    if (!ex) return false;
    f(*ex);
    // Dropped while the gate is held: if this was the last reference, the exchange and its timer
    // go now, with the io_context still alive (a timer is safe to destroy from any thread when
    // nothing else uses it, and nothing else can: nobody else holds it).
    ex.reset();
    return true;
  }

  std::weak_ptr<ExchangeImpl> ex_;
  std::shared_ptr<Server::Impl::HandleGate> gate_;
};

}  // namespace woolly::net::detail
