#include "net/detail/exchange.h"

namespace woolly::net::detail {

void ExchangeImpl::deliver(Response r) {
  // dispatch, not post: a handler that answers inline (on the I/O thread) costs no extra hop.
  asio::dispatch(ex_, [self = shared_from_this(), r = std::move(r)]() mutable {
    if (self->response || self->streaming || self->done) return;
    self->response = std::move(r);
    self->wake();
  });
}

void ExchangeImpl::deliver_error(const Error& e) { deliver(format_error(e)); }

Response ExchangeImpl::format_error(const Error& e) const {
  if (formatter_ && *formatter_) return (*formatter_)(e);
  return json_error_response(e);
}

void ExchangeImpl::begin_stream(int status, Headers headers) {
  asio::dispatch(ex_, [self = shared_from_this(), status, h = std::move(headers)]() mutable {
    if (self->response || self->streaming || self->done) return;
    self->streaming = true;
    self->stream_status = status;
    self->stream_headers = std::move(h);
    self->wake();
  });
}

void ExchangeImpl::push(std::string bytes) {
  if (bytes.empty()) return;  // an empty chunk would end a chunked body
  asio::post(ex_, [self = shared_from_this(), b = std::move(bytes)]() mutable {
    if (!self->streaming || self->finished || self->done) return;
    self->chunks.push_back(std::move(b));
    self->wake();
  });
}

void ExchangeImpl::finish() {
  asio::post(ex_, [self = shared_from_this()] {
    if (self->finished) return;
    self->finished = true;
    self->wake();
  });
}

void ExchangeImpl::on_cancel(std::function<void()> fn) {
  asio::dispatch(ex_, [self = shared_from_this(), fn = std::move(fn)]() mutable {
    if (self->cancelled()) {
      fn();
      return;
    }
    self->on_cancel_.push_back(std::move(fn));
  });
}

void ExchangeImpl::cancel() {
  if (cancelled_.exchange(true, std::memory_order_acq_rel)) return;
  auto fns = std::move(on_cancel_);
  on_cancel_.clear();
  for (auto& fn : fns) fn();
  wake();
}

asio::awaitable<bool> ExchangeImpl::wait_until(std::chrono::steady_clock::time_point deadline) {
  signal_.expires_at(deadline);
  auto [ec] = co_await signal_.async_wait(asio::as_tuple(asio::use_awaitable));
  // Success means the timer ran out; operation_aborted means wake() was called.
  co_return ec == asio::error::operation_aborted;
}

}  // namespace woolly::net::detail
