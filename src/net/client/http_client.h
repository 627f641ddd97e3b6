// An HTTP/1.1 client for talking to upstream model providers: keep-alive connection pool per
// host, http and https (certificates verified by default), the response body delivered as it
// arrives, connect and read timeouts, retries with backoff on connection errors, cancellation.
// Beast and Asio stay in http_client.cpp; callers see only Woolly's own types.
//
// Threads: the client runs its own io_context on one thread of its own (`ClientOptions::threads`
// is not offered on purpose: the work is moving bytes, and one thread keeps the pool lock-free).
// It never runs on or blocks a server I/O thread. stream() may be called from any thread and
// returns at once; its handlers run on the client's thread and must not block. fetch() blocks
// the calling thread until the answer is complete: never call it from the client's own
// handlers or from a server I/O thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "net/http_types.h"

namespace woolly::net::client {

struct Url {
  bool tls = false;
  std::string host;
  uint16_t port = 0;
  std::string target;  // path + query, at least "/"
};
// "http://host:port/path" or "https://..."; kInvalidArgument for anything else.
Result<Url> parse_url(std::string_view url);

struct ClientOptions {
  bool verify_peer = true;  // https: check the certificate chain and the host name
  std::string ca_file;      // PEM file of trusted CAs; empty = the system's store
  int max_idle_per_host = 8;
  std::chrono::milliseconds idle_keep{30'000};  // a pooled connection older than this is closed
};

struct HttpRequest {
  Method method = Method::kGet;
  std::string url;
  Headers headers;  // Host, Content-Length and User-Agent are set by the client
  std::string body;
  std::chrono::milliseconds connect_timeout{10'000};  // resolve + connect + TLS handshake
  std::chrono::milliseconds read_timeout{300'000};    // longest silence while reading the answer
  int max_retries = 2;  // extra attempts after a connection error (never after response bytes)
  std::chrono::milliseconds retry_backoff{100};  // doubled each attempt
  std::function<bool()> cancelled;               // polled every ~20 ms; true ends the request
  // Waits this long before the first attempt (an SSE client reconnecting after `retry:`).
  std::chrono::milliseconds delay{0};
};

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

// Handlers of a streamed response, all on the client's thread. on_done runs exactly once:
// ok after the whole body arrived; otherwise kUnavailable (could not connect, or the connection
// failed before any response byte), kTimeout, kCancelled or kUpstream (broken answer).
struct StreamHandlers {
  std::function<void(int status, const Headers& headers)> on_head;
  std::function<void(std::string_view bytes)> on_body;
  std::function<void(Status)> on_done;
};

class HttpClient {
 public:
  explicit HttpClient(ClientOptions options = {});
  ~HttpClient();  // cancels what is in flight (on_done with kCancelled) and joins the thread
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  void stream(HttpRequest request, StreamHandlers handlers);
  // Blocking: the whole answer, whatever its status.
  Result<HttpResponse> fetch(HttpRequest request);

  // Connections opened since start (tests check keep-alive reuse with it).
  uint64_t connections_opened() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace woolly::net::client
