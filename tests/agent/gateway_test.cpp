// The gateway mirrors the host's tools, prompts and resources into an MCP server's registries:
// calls, prompt renders and reads go through to the real child; a crash removes what the server
// offered and its restart brings it back; a caller filter limits which tools a caller may call.
#include "agent/gateway.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <thread>

namespace woolly::agent {
namespace {

using namespace std::chrono_literals;

bool has(const mcp::ToolRegistry& r, const std::string& name) { return r.find(name) != nullptr; }

mcp::ToolResult invoke(const mcp::ToolRegistry& r, const std::string& name,
                       std::shared_ptr<const void> caller = nullptr) {
  auto entry = r.find(name);
  std::promise<mcp::ToolResult> done;
  mcp::ToolContext::Hooks hooks;
  hooks.finish = [&](mcp::ToolResult res) { done.set_value(std::move(res)); };
  auto ctx = std::make_shared<mcp::ToolContext>(name, boost::json::object{}, nullptr, std::nullopt,
                                                std::make_shared<std::atomic<bool>>(false), hooks);
  ctx->set_caller(std::move(caller));
  entry->spec.handler(ctx);
  return done.get_future().get();
}

std::string text_of(const mcp::ToolResult& r) {
  return r.content.empty() ? "" : std::string(r.content[0].at("text").as_string());
}

bool has_resource(const mcp::ResourceRegistry& r, const std::string& uri) {
  for (const auto& info : r.list())
    if (info.uri == uri) return true;
  return false;
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

TEST(Gateway, ReexportsPromptsAndResourcesAndFollowsARestart) {
  config::McpConfig cfg;
  cfg.servers["good"].command = MCP_STDIO_TEST_SERVER;
  HostOptions o;
  o.restart_initial = 100ms;
  McpHost host(cfg, o);
  host.start();
  mcp::ToolRegistry tools;
  mcp::ResourceRegistry resources;
  mcp::PromptRegistry prompts;
  {
    Gateway gateway(host, tools, &resources, &prompts);
    ASSERT_TRUE(prompts.find("good__test_prompt_with_arguments"));
    EXPECT_EQ(prompts.find("good__test_prompt_with_arguments")->arguments.size(), 2u);
    auto rendered = prompts.get("good__test_prompt_with_arguments", {{"arg1", "a"}, {"arg2", "b"}});
    ASSERT_TRUE(rendered.ok()) << rendered.error().message;
    ASSERT_EQ(rendered->messages.size(), 1u);
    EXPECT_EQ(rendered->messages[0].content.at("text"), "Prompt with arguments: arg1='a', arg2='b'");

    ASSERT_TRUE(has_resource(resources, "test://static-text"));
    for (const auto& info : resources.list())
      if (info.uri == "test://static-text") {
        EXPECT_EQ(info.name, "good__static-text");
      }
    auto text = resources.read("test://static-text");
    ASSERT_TRUE(text.ok()) << text.error().message;
    EXPECT_EQ(text->at(0).text, "This is the content of the static text resource.");
    auto binary = resources.read("test://static-binary");  // a blob comes back as bytes
    ASSERT_TRUE(binary.ok()) << binary.error().message;
    EXPECT_TRUE(binary->at(0).blob && !binary->at(0).blob->empty());
    auto templated = resources.read("test://template/42/data");  // routed by the template
    ASSERT_TRUE(templated.ok()) << templated.error().message;
    EXPECT_NE(templated->at(0).text.value_or("").find("42"), std::string::npos);
    EXPECT_EQ(resources.read("test://nowhere").error().code, Errc::kNotFound);

    EXPECT_TRUE(invoke(tools, "good__crash").is_error);
    EXPECT_FALSE(prompts.find("good__test_prompt_with_arguments"));
    EXPECT_FALSE(has_resource(resources, "test://static-text"));
    for (int i = 0; i < 500 && !prompts.find("good__test_prompt_with_arguments"); ++i)
      std::this_thread::sleep_for(20ms);
    EXPECT_TRUE(prompts.find("good__test_prompt_with_arguments"));
    EXPECT_TRUE(has_resource(resources, "test://static-text"));
  }
  EXPECT_TRUE(prompts.list().empty());
  EXPECT_TRUE(resources.list().empty());
}

TEST(Gateway, CallerFilterLimitsWhatACallerMayCall) {
  config::McpConfig cfg;
  cfg.servers["good"].command = MCP_STDIO_TEST_SERVER;
  McpHost host(cfg);
  host.start();
  mcp::ToolRegistry registry;
  Gateway gateway(host, registry);
  // The caller is opaque to the gateway; here it is the list of tools the caller may use.
  gateway.set_caller_filter([](const std::shared_ptr<const void>& caller) -> ToolFilter {
    if (!caller) return std::nullopt;
    return *std::static_pointer_cast<const std::vector<std::string>>(caller);
  });
  auto limited = std::make_shared<const std::vector<std::string>>(
      std::vector<std::string>{"good__test_simple_text"});
  EXPECT_FALSE(invoke(registry, "good__test_simple_text", limited).is_error);
  auto denied = invoke(registry, "good__test_tool_with_progress", limited);
  EXPECT_TRUE(denied.is_error);
  EXPECT_EQ(text_of(denied), "the tool good__test_tool_with_progress is not allowed for this API key");
  EXPECT_FALSE(invoke(registry, "good__test_tool_with_progress").is_error);  // no caller known

  // tools/list shows a caller only what it may call (visible_to); everyone else sees them all.
  auto shown = [&](const std::shared_ptr<const void>& caller) {
    std::vector<std::string> names;
    for (const auto& e : registry.list()) {
      if (!e->spec.visible_to || e->spec.visible_to(caller)) names.push_back(e->spec.name);
    }
    return names;
  };
  EXPECT_EQ(shown(limited), std::vector<std::string>{"good__test_simple_text"});
  auto all = shown(nullptr);
  EXPECT_GT(all.size(), 1u);
  EXPECT_NE(std::find(all.begin(), all.end(), "good__test_tool_with_progress"), all.end());
}

}  // namespace
}  // namespace woolly::agent
