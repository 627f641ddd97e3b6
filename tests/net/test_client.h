// A tiny blocking HTTP/1.1 and WebSocket client on raw POSIX sockets, for tests on loopback. Kept
// free of Beast on purpose: it checks the server from the outside, byte for byte.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace woolly::net::testing {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; repeated ones joined by ", "
  std::string body;                            // de-chunked
  bool ok = false;                             // a full response was read

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class Connection {
 public:
  // Connects to 127.0.0.1:port (or ::1 when v6); reads give up after timeout_ms.
  explicit Connection(uint16_t port, int timeout_ms = 5000, bool v6 = false);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send_all(std::string_view bytes);
  // Reads one response (Content-Length, chunked, or until close).
  HttpReply read_response(bool head_request = false);
  // True when the peer closed the connection (read returns 0 or reset) within timeout_ms.
  bool wait_closed(int timeout_ms);
  // Reads whatever arrives until `needle` appears or the timeout passes.
  std::string read_until(std::string_view needle, int timeout_ms);

  // --- WebSocket ---
  // Sends the upgrade request and reads the 101 response (returned).
  HttpReply ws_handshake(const std::string& path, const std::string& extra_headers = {});
  bool ws_send(uint8_t opcode, std::string_view payload);  // masked, FIN set
  struct Frame {
    uint8_t opcode = 0;
    std::string payload;
    bool ok = false;
  };
  Frame ws_read();
  int fd() const { return fd_; }

 private:
  bool fill(int timeout_ms);  // reads more into buf_; false on close/timeout
  std::optional<std::string> take_line(int timeout_ms);
  std::optional<std::string> take(size_t n, int timeout_ms);

  int fd_ = -1;
  int timeout_ms_;
  std::string buf_;
};

// One request on a fresh connection ("Connection: close" added).
HttpReply http_request(uint16_t port, const std::string& method, const std::string& target,
                       const std::string& extra_headers = {}, const std::string& body = {});

// True when a TCP connection to 127.0.0.1:port is refused.
bool connection_refused(uint16_t port);

}  // namespace woolly::net::testing
