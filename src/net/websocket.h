// WebSocket surface for handlers: a `WsConnection` handle and the `WsHandlers` callbacks. Like
// Request/Response, no Beast here. Sends are thread-safe and queued (one write in flight per
// connection), so any thread may push messages.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_types.h"

namespace woolly::net {

// RFC 6455 close codes Woolly uses.
enum class WsCloseCode : uint16_t {
  kNormal = 1000,
  kGoingAway = 1001,  // server shutting down
  kProtocolError = 1002,
  kUnsupportedData = 1003,
  kPolicyViolation = 1008,
  kTooBig = 1009,
  kInternalError = 1011,
  kTryAgainLater = 1013,
};

namespace detail {
class WsChannel {
 public:
  virtual ~WsChannel() = default;
  virtual void send(std::string message, bool binary) = 0;
  virtual void close(WsCloseCode code, std::string reason) = 0;
  virtual bool is_open() const = 0;
};
}  // namespace detail

// Copyable handle to one WebSocket connection. Valid after the connection has gone: sends are
// then dropped and is_open() is false.
class WsConnection {
 public:
  WsConnection() = default;
  WsConnection(std::shared_ptr<detail::WsChannel> ch, std::shared_ptr<const Request> upgrade,
               std::string subprotocol, uint64_t id)
      : ch_(std::move(ch)), upgrade_(std::move(upgrade)), subprotocol_(std::move(subprotocol)),
        id_(id) {}

  void send_text(std::string message) const { if (ch_) ch_->send(std::move(message), false); }
  void send_binary(std::string message) const { if (ch_) ch_->send(std::move(message), true); }
  void close(WsCloseCode code = WsCloseCode::kNormal, std::string reason = {}) const {
    if (ch_) ch_->close(code, std::move(reason));
  }
  bool is_open() const { return ch_ && ch_->is_open(); }

  // The HTTP upgrade request: path params, headers, principal set by the auth hook, remote info.
  const Request& request() const { return *upgrade_; }
  const std::string& subprotocol() const { return subprotocol_; }
  uint64_t id() const { return id_; }  // unique per server run

 private:
  std::shared_ptr<detail::WsChannel> ch_;
  std::shared_ptr<const Request> upgrade_;
  std::string subprotocol_;
  uint64_t id_ = 0;
};

struct WsHandlers {
  // Picks one of the client's offered subprotocols (Sec-WebSocket-Protocol); returning "" accepts
  // without one. Unset: accept without one.
  std::function<std::string(const std::vector<std::string>& offered)> select_subprotocol;
  std::function<void(const WsConnection&)> on_open;
  // Called on the connection's I/O thread, one message at a time.
  std::function<void(const WsConnection&, std::string message, bool binary)> on_message;
  std::function<void(const WsConnection&, uint16_t close_code)> on_close;
};

}  // namespace woolly::net
