// A small MCP server over stdio for the end-to-end tests: the conformance fixtures plus tools
// that misbehave on purpose (a crash mid-call, a call that never ends).
#include <unistd.h>

#include <cstdio>

#include "mcp/service.h"

using namespace woolly;
using namespace woolly::mcp;

int main() {
  ServiceOptions options;
  options.enable_test_fixtures = true;
  options.server.name = "stdio-test-server";
  auto service = Service::create(options);
  if (!service.ok()) {
    std::fprintf(stderr, "setup failed: %s\n", service.error().message.c_str());
    return 2;
  }
  Service& s = **service;
  Status st = s.tools().add({.name = "crash",
                             .description = "Exits the process in the middle of the call",
                             .handler = [](std::shared_ptr<ToolContext>) { ::_exit(3); }});
  if (st.ok()) {
    st = s.tools().add({.name = "hang",
                        .description = "Never answers until cancelled",
                        .handler = [](std::shared_ptr<ToolContext> ctx) {
                          while (!ctx->cancelled()) ::usleep(1000);
                          std::fprintf(stderr, "hang cancelled\n");
                          ctx->fail("cancelled");
                        }});
  }
  if (!st.ok()) return 2;
  std::fprintf(stderr, "stdio test server ready\n");
  std::fflush(stderr);
  return serve_stdio(s);
}
