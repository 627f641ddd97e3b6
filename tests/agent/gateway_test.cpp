// The gateway mirrors the host's tools into an MCP ToolRegistry: calls go through to the real
// child; a crash removes the server's tools and its restart brings them back.
#include "agent/gateway.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace woolly::agent {
namespace {

using namespace std::chrono_literals;

bool has(const mcp::ToolRegistry& r, const std::string& name) { return r.find(name) != nullptr; }

mcp::ToolResult invoke(const mcp::ToolRegistry& r, const std::string& name) {
  auto entry = r.find(name);
  std::promise<mcp::ToolResult> done;
  mcp::ToolContext::Hooks hooks;
  hooks.finish = [&](mcp::ToolResult res) { done.set_value(std::move(res)); };
  auto ctx = std::make_shared<mcp::ToolContext>(name, boost::json::object{}, nullptr, std::nullopt,
                                                std::make_shared<std::atomic<bool>>(false), hooks);
  entry->spec.handler(ctx);
  return done.get_future().get();
}

TEST(Gateway, ReexportsCallsAndFollowsCrashAndRestart) {
  config::McpConfig cfg;
  cfg.servers["good"].command = MCP_STDIO_TEST_SERVER;
  HostOptions o;
  o.restart_initial = 100ms;
  McpHost host(cfg, o);
  host.start();
  mcp::ToolRegistry registry;
  {
    Gateway gateway(host, registry);
    ASSERT_TRUE(has(registry, "good__test_simple_text"));
    auto r = invoke(registry, "good__test_simple_text");
    EXPECT_FALSE(r.is_error);
    ASSERT_EQ(r.content.size(), 1u);
    EXPECT_EQ(r.content[0].at("text"), "This is a simple text response for testing.");
    EXPECT_TRUE(invoke(registry, "good__crash").is_error);
    EXPECT_FALSE(has(registry, "good__test_simple_text"));
    for (int i = 0; i < 500 && !has(registry, "good__test_simple_text"); ++i)
      std::this_thread::sleep_for(20ms);
    EXPECT_TRUE(has(registry, "good__test_simple_text"));
  }
  EXPECT_TRUE(registry.list().empty());
}

}  // namespace
}  // namespace woolly::agent
