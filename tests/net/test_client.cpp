#include "test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace woolly::net::testing {

Connection::Connection(uint16_t port, int timeout_ms, bool v6) : timeout_ms_(timeout_ms) {
  int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return;
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int rc;
  if (v6) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(port);
    a.sin6_addr = in6addr_loopback;
    rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  if (rc != 0) {
    ::close(fd);
    return;
  }
  fd_ = fd;
}

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
}

bool Connection::send_all(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool Connection::fill(int timeout_ms) {
  if (fd_ < 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return false;
  char tmp[16384];
  ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
  if (n <= 0) return false;
  buf_.append(tmp, static_cast<size_t>(n));
  return true;
}

std::optional<std::string> Connection::take_line(int timeout_ms) {
  while (true) {
    size_t pos = buf_.find("\r\n");
    if (pos != std::string::npos) {
      std::string line = buf_.substr(0, pos);
      buf_.erase(0, pos + 2);
      return line;
    }
    if (!fill(timeout_ms)) return std::nullopt;
  }
}

std::optional<std::string> Connection::take(size_t n, int timeout_ms) {
  while (buf_.size() < n) {
    if (!fill(timeout_ms)) return std::nullopt;
  }
  std::string out = buf_.substr(0, n);
  buf_.erase(0, n);
  return out;
}

HttpReply Connection::read_response(bool head_request) {
  HttpReply r;
  auto status_line = take_line(timeout_ms_);
  if (!status_line || status_line->size() < 12) return r;
  r.status = std::atoi(status_line->c_str() + 9);
  while (true) {
    auto line = take_line(timeout_ms_);
    if (!line) return r;
    if (line->empty()) break;
    size_t colon = line->find(':');
    if (colon == std::string::npos) continue;
    std::string name = line->substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t v = colon + 1;
    while (v < line->size() && (*line)[v] == ' ') ++v;
    std::string value = line->substr(v);
    auto& slot = r.headers[name];
    slot = slot.empty() ? value : slot + ", " + value;
  }
  if (head_request || r.status == 204 || r.status == 304 || r.status == 101) {
    r.ok = true;
    return r;
  }
  if (r.header("transfer-encoding") == "chunked") {
    while (true) {
      auto size_line = take_line(timeout_ms_);
      if (!size_line) return r;
      size_t n = std::stoul(*size_line, nullptr, 16);
      if (n == 0) {
        take_line(timeout_ms_);
        break;
      }
      auto data = take(n + 2, timeout_ms_);
      if (!data) return r;
      r.body += data->substr(0, n);
    }
  } else if (auto cl = r.headers.find("content-length"); cl != r.headers.end()) {
    auto data = take(std::stoul(cl->second), timeout_ms_);
    if (!data) return r;
    r.body = *data;
  } else {
    while (fill(timeout_ms_)) {
    }
    r.body = std::move(buf_);
    buf_.clear();
  }
  r.ok = true;
  return r;
}

bool Connection::wait_closed(int timeout_ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < until) {
    pollfd p{fd_, POLLIN, 0};
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    until - std::chrono::steady_clock::now())
                                    .count());
    if (::poll(&p, 1, std::max(left, 1)) <= 0) continue;
    char tmp[4096];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return true;
    buf_.append(tmp, static_cast<size_t>(n));
  }
  return false;
}

std::string Connection::read_until(std::string_view needle, int timeout_ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (buf_.find(needle) == std::string::npos && std::chrono::steady_clock::now() < until) {
    if (!fill(50) && fd_ < 0) break;
  }
  return buf_;
}

HttpReply Connection::ws_handshake(const std::string& path, const std::string& extra_headers) {
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    "Sec-WebSocket-Version: 13\r\n" + extra_headers + "\r\n";
  send_all(req);
  return read_response();
}

bool Connection::ws_send(uint8_t opcode, std::string_view payload) {
  std::string f;
  f += static_cast<char>(0x80 | opcode);
  size_t n = payload.size();
  if (n < 126) {
    f += static_cast<char>(0x80 | n);
  } else if (n < 65536) {
    f += static_cast<char>(0x80 | 126);
    f += static_cast<char>(n >> 8);
    f += static_cast<char>(n & 0xff);
  } else {
    f += static_cast<char>(0x80 | 127);
    for (int i = 7; i >= 0; --i) f += static_cast<char>((n >> (8 * i)) & 0xff);
  }
  const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
  f.append(reinterpret_cast<const char*>(mask), 4);
  for (size_t i = 0; i < n; ++i) f += static_cast<char>(payload[i] ^ mask[i % 4]);
  return send_all(f);
}

Connection::Frame Connection::ws_read() {
  Frame fr;
  auto h = take(2, timeout_ms_);
  if (!h) return fr;
  fr.opcode = static_cast<uint8_t>((*h)[0]) & 0x0f;
  uint64_t len = static_cast<uint8_t>((*h)[1]) & 0x7f;
  if (len == 126) {
    auto e = take(2, timeout_ms_);
    if (!e) return fr;
    len = (static_cast<uint8_t>((*e)[0]) << 8) | static_cast<uint8_t>((*e)[1]);
  } else if (len == 127) {
    auto e = take(8, timeout_ms_);
    if (!e) return fr;
    len = 0;
    for (int i = 0; i < 8; ++i) len = (len << 8) | static_cast<uint8_t>((*e)[i]);
  }
  auto p = take(len, timeout_ms_);
  if (!p) return fr;
  fr.payload = std::move(*p);
  fr.ok = true;
  return fr;
}

HttpReply http_request(uint16_t port, const std::string& method, const std::string& target,
                       const std::string& extra_headers, const std::string& body) {
  Connection c(port);
  if (!c.connected()) return {};
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                    extra_headers;
  if (!body.empty() || method == "POST" || method == "PUT") {
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  c.send_all(req);
  return c.read_response(method == "HEAD");
}

bool connection_refused(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  int err = errno;
  ::close(fd);
  return rc != 0 && err == ECONNREFUSED;
}

}  // namespace woolly::net::testing
