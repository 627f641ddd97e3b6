// The conformance fixtures served over Streamable HTTP at /mcp, WebSocket at /api/v1/mcp/ws and
// the REST mirror, for running the official conformance suite and SDK clients against the
// transports before the full server mounts them. Usage:
//   mcp_http_test_server [ADDR:PORT]   (prints "listening on ADDR:PORT" once ready)
#include <cstdio>

#include "mcp/service.h"
#include "mcp/transport/rest_mirror.h"
#include "mcp/transport/streamable_http.h"
#include "mcp/transport/websocket.h"
#include "net/server.h"

using namespace woolly;

int main(int argc, char** argv) {
  mcp::ServiceOptions options;
  options.enable_test_fixtures = true;
  options.server.name = "http-test-server";
  auto service = mcp::Service::create(options);
  if (!service.ok()) {
    std::fprintf(stderr, "setup failed: %s\n", service.error().message.c_str());
    return 2;
  }
  mcp::Service& svc = **service;
  mcp::transport::StreamableHttp http(svc.server(), {});
  mcp::transport::WebSocketTransport ws(svc.server(), {});
  net::Router router;
  if (!http.mount(router).ok() || !ws.mount(router).ok() ||
      !mcp::transport::mount_rest_mirror(router, svc.tools(), svc.resources(), svc.prompts()).ok())
    return 2;
  net::ServerOptions net_options;
  net_options.bind = argc > 1 ? argv[1] : "127.0.0.1:0";
  net_options.threads = 2;
  net_options.access_log = false;
  auto server = net::Server::create(net_options, std::move(router));
  if (!server.ok()) {
    std::fprintf(stderr, "listen failed: %s\n", server.error().message.c_str());
    return 2;
  }
  (*server)->on_signals([&](int, int) { (*server)->shutdown(); });
  (*server)->start();
  std::printf("listening on %s\n", (*server)->local_address().c_str());
  std::fflush(stdout);
  (*server)->wait();
  return 0;
}
