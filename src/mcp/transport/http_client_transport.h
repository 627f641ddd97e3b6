// The client side of MCP Streamable HTTP: a Connection whose Client talks to a server at a URL.
// Every outgoing JSON-RPC message is one POST (Accept: application/json, text/event-stream); the
// answer comes back as JSON or as an SSE stream that may also carry the server's requests,
// notifications and progress for that call. Both protocol eras:
//   - session revisions (2025-03-26 .. 2025-11-25): the Mcp-Session-Id from initialize and the
//     negotiated MCP-Protocol-Version go on every later request; a 404 for the session means the
//     server forgot it, so the transport re-initializes on its own and sends the message again;
//     a GET stream carries server-initiated messages; DELETE ends the session on close.
//   - 2026-07-28 (stateless): no session; Mcp-Method / Mcp-Name mirror the body in headers.
// An SSE answer that ends before its response is resumed with GET + Last-Event-ID after the
// server's `retry:` delay (SEP-1699).
//
// Threads: the Client's calls block their caller as usual; incoming messages reach the Client on
// the HTTP client's own thread (net::client::HttpClient), so a ClientOptions::request_handler must
// be quick there.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "mcp/client.h"
#include "mcp/connection.h"

namespace woolly::net::client {
class HttpClient;
}

namespace woolly::mcp::transport {

struct HttpClientOptions {
  std::string url;                             // http(s)://host[:port]/path of the MCP endpoint
  std::map<std::string, std::string> headers;  // added to every request (Authorization, ...)
  std::chrono::milliseconds connect_timeout{10'000};
  bool session_stream = true;  // open the GET stream for server-initiated messages (sessions)
  int max_resumptions = 5;     // reconnects of one broken SSE answer before its call fails
  std::chrono::milliseconds default_retry{1000};  // reconnect delay when the server sets none
  std::chrono::milliseconds max_retry{30'000};    // a server's `retry:` is capped at this
  size_t max_message_bytes = 16 << 20;            // one JSON body or SSE line
  bool verify_peer = true;                        // https: check the certificate
  std::string ca_file;                            // PEM; empty = the system's store
};

class HttpClientConnection : public Connection {
 public:
  // Checks the URL and sets up the HTTP client; nothing is sent before client().connect().
  static Result<std::unique_ptr<HttpClientConnection>> open(HttpClientOptions http,
                                                            ClientOptions client);
  ~HttpClientConnection() override;  // DELETE of the session; waiting calls fail

  Client& client() override { return *client_; }
  // Set when the server cannot be reached any more (a refused connection, a session that could
  // not be renewed); a host then reconnects from scratch.
  std::optional<std::string> lost() const override;
  // "" before initialize and for stateless servers.
  std::string session_id() const;

  struct State;

 private:
  HttpClientConnection() = default;
  // Destroyed in reverse: the HTTP client first (its thread joined, so no handler runs later),
  // then the transport state, then the Client.
  std::unique_ptr<Client> client_;
  std::shared_ptr<State> state_;
  std::unique_ptr<net::client::HttpClient> http_;
};

}  // namespace woolly::mcp::transport
