// MCP over WebSocket, in one process on loopback: tools/call per second over 1 and over 64
// connections, and the memory each idle connection costs (RSS growth / connections; client
// sockets live in the same process, so this is an upper bound for the server side).
// Usage: mcp_ws_bench [idle_connections=2000] [calls_per_connection=2000]
#include <sys/resource.h>

#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "mcp/transport/websocket.h"
#include "net/server.h"
#include "net/test_client.h"

using namespace woolly;
using Clock = std::chrono::steady_clock;

namespace {

long rss_kib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

// Connects and completes the MCP handshake (initialize + notifications/initialized).
bool open_ws(net::testing::Connection& c) {
  if (!c.connected() ||
      c.ws_handshake("/api/v1/mcp/ws", "Sec-WebSocket-Protocol: mcp\r\n").status != 101)
    return false;
  if (!c.ws_send(0x1, R"({"jsonrpc":"2.0","id":"i","method":"initialize","params":{)"
                      R"("protocolVersion":"2025-11-25","capabilities":{},)"
                      R"("clientInfo":{"name":"bench","version":"1"}}})"))
    return false;
  if (!c.ws_read().ok) return false;
  return c.ws_send(0x1, R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
}

// Sends `n` tools/call requests one after the other; false on any failed round trip.
bool call_loop(net::testing::Connection& c, int n) {
  for (int i = 0; i < n; ++i) {
    std::string req = R"({"jsonrpc":"2.0","id":)" + std::to_string(i) +
                      R"(,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}})";
    if (!c.ws_send(0x1, req)) return false;
    auto f = c.ws_read();
    if (!f.ok || f.payload.find("\"result\"") == std::string::npos) {
      std::fprintf(stderr, "call %d failed: %s\n", i, f.payload.c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const int idle = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int calls = argc > 2 ? std::atoi(argv[2]) : 2000;
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);

  auto tools = std::make_shared<mcp::ToolRegistry>();
  if (!tools->add({.name = "echo",
                   .description = "echo",
                   .handler = mcp::sync_tool([](mcp::ToolContext& ctx) -> Result<mcp::ToolResult> {
                     return mcp::ToolResult::text(mcp::json::serialize(ctx.arguments()));
                   })})
           .ok())
    return 2;
  mcp::Server server({}, tools, std::make_shared<mcp::ResourceRegistry>(),
                     std::make_shared<mcp::PromptRegistry>());
  // Destroyed before the net server: its sessions hold WebSocket handles of that server.
  auto ws = std::make_unique<mcp::transport::WebSocketTransport>(
      server, mcp::transport::WebSocketOptions{.max_connections = idle + 128});
  net::Router router;
  if (!ws->mount(router).ok()) return 2;
  net::ServerOptions opts;
  opts.bind = "127.0.0.1:0";
  opts.threads = 2;
  opts.access_log = false;
  opts.max_ws_connections = idle + 128;
  opts.ws_idle_timeout = std::chrono::milliseconds(60'000);  // heartbeat pings every 30 s
  opts.ws_deflate = false;
  auto created = net::Server::create(opts, std::move(router));
  if (!created.ok()) {
    std::fprintf(stderr, "%s\n", created.error().message.c_str());
    return 2;
  }
  auto& http = *created;
  http->start();
  const uint16_t port = http->port();

  {  // one connection
    net::testing::Connection c(port, 10'000);
    if (!open_ws(c)) return 3;
    auto t0 = Clock::now();
    if (!call_loop(c, calls)) return 4;
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("1 connection: %d tools/call in %.2f s = %.0f calls/s\n", calls, s, calls / s);
  }
  {  // 64 connections, one thread each
    const int conns = 64, per = std::max(1, calls / 8);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    auto t0 = Clock::now();
    for (int i = 0; i < conns; ++i) {
      threads.emplace_back([&] {
        net::testing::Connection c(port, 30'000);
        if (!open_ws(c) || !call_loop(c, per)) failures++;
      });
    }
    for (auto& t : threads) t.join();
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("64 connections: %d tools/call in %.2f s = %.0f calls/s (%d failed connections)\n",
                conns * per, s, conns * per / s, failures.load());
  }
  {  // idle connections
    const long before = rss_kib();
    std::vector<std::unique_ptr<net::testing::Connection>> held;
    held.reserve(idle);
    for (int i = 0; i < idle; ++i) {
      auto c = std::make_unique<net::testing::Connection>(port, 10'000);
      if (!open_ws(*c)) {
        std::printf("idle: connection %d failed\n", i);
        break;
      }
      held.push_back(std::move(c));
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const long after = rss_kib();
    std::printf("idle: %zu WebSocket connections open (server sees %lld), RSS +%ld KiB = %.1f KiB per "
                "connection (client and server in one process)\n",
                held.size(), static_cast<long long>(ws->stats().open_connections), after - before,
                held.empty() ? 0.0 : static_cast<double>(after - before) / held.size());
  }
  ws.reset();
  http->shutdown();
  http->wait();
  return 0;
}
