// Private to src/net: one HTTP/1.1 connection (plain or TLS), read -> middleware -> handler ->
// write. A reader parses pipelined requests ahead into a queue bounded by max_pipelined_requests;
// they are handled and answered one at a time, in order.
#pragma once

#include "net/detail/exchange.h"
#include "net/detail/server_impl.h"

namespace woolly::net::detail {

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Takes over a connection whose request asked for a WebSocket upgrade; `extra_headers` (from the
// before hooks) go on the 101 answer. Defined in ws_session.cpp.
template <class Stream>
void start_ws_session(Server::Impl& srv, Stream stream, http::request<http::string_body> upgrade,
                      std::shared_ptr<Request> request, const WsRoute& route, Headers extra_headers);

}  // namespace woolly::net::detail
