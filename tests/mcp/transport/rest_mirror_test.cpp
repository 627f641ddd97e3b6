// The REST mirror over real loopback HTTP: listing, calling with schema-checked arguments,
// resources by path and prompts.
#include "mcp/transport/rest_mirror.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "mcp/tool_context.h"
#include "net/test_client.h"
#include "net/test_server.h"

namespace woolly::mcp::transport {
namespace {

using net::testing::http_request;

TEST(RestMirror, ToolsResourcesPrompts) {
  ToolRegistry tools;
  ResourceRegistry resources;
  PromptRegistry prompts;
  json::object schema{{"type", "object"},
                      {"properties", {{"n", {{"type", "integer"}}}}},
                      {"required", {"n"}}};
  ASSERT_TRUE(tools.add({.name = "double",
                         .description = "doubles n",
                         .input_schema = schema,
                         .handler = sync_tool([](ToolContext& c) -> Result<ToolResult> {
                           return ToolResult::text(std::to_string(2 * c.arguments().at("n").as_int64()));
                         })})
                  .ok());
  auto statics = std::make_shared<StaticResources>();
  statics->add_text({.uri = "test://a", .name = "a", .mime_type = "text/plain"}, "alpha");
  resources.add_provider(statics);
  ASSERT_TRUE(prompts
                  .add({.name = "greet",
                        .description = "says hello",
                        .arguments = {{.name = "who", .required = true}},
                        .render = [](const PromptArgs& a) -> Result<std::vector<PromptMessage>> {
                          return std::vector<PromptMessage>{
                              {"user", json::object{{"type", "text"}, {"text", "hello " + a.at("who")}}}};
                        }})
                  .ok());
  net::Router router;
  ASSERT_TRUE(mount_rest_mirror(router, tools, resources, prompts).ok());
  net::testing::RunningServer server(net::ServerOptions{}, std::move(router));
  const uint16_t port = server.port();
  const std::string json_ct = "Content-Type: application/json\r\n";

  auto list = http_request(port, "GET", "/api/v1/mcp/tools");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(json::parse(list.body).at("tools").at(0).at("name").as_string(), "double");
  auto call = http_request(port, "POST", "/api/v1/mcp/tools/double", json_ct, R"({"n":21})");
  ASSERT_EQ(call.status, 200) << call.body;
  EXPECT_EQ(json::parse(call.body).at("content").at(0).at("text").as_string(), "42");
  EXPECT_EQ(http_request(port, "POST", "/api/v1/mcp/tools/double", json_ct, R"({"n":"x"})").status, 400);
  EXPECT_EQ(http_request(port, "POST", "/api/v1/mcp/tools/double", json_ct, "[").status, 400);
  EXPECT_EQ(http_request(port, "POST", "/api/v1/mcp/tools/nope", json_ct, "{}").status, 404);

  auto res = http_request(port, "GET", "/api/v1/mcp/resources");
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(json::parse(res.body).at("resources").at(0).at("uri").as_string(), "test://a");
  auto read = http_request(port, "GET", "/api/v1/mcp/resources/x?uri=test://a");
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(json::parse(read.body).at("contents").at(0).at("text").as_string(), "alpha");
  EXPECT_EQ(http_request(port, "GET", "/api/v1/mcp/resources/x?uri=test://zzz").status, 404);

  auto pl = http_request(port, "GET", "/api/v1/mcp/prompts");
  EXPECT_EQ(json::parse(pl.body).at("prompts").at(0).at("name").as_string(), "greet");
  auto pg = http_request(port, "POST", "/api/v1/mcp/prompts/greet", json_ct, R"({"who":"bob"})");
  ASSERT_EQ(pg.status, 200) << pg.body;
  EXPECT_EQ(json::parse(pg.body).at("messages").at(0).at("content").at("text").as_string(), "hello bob");
  EXPECT_EQ(http_request(port, "POST", "/api/v1/mcp/prompts/greet", json_ct, "{}").status, 400);
}

}  // namespace
}  // namespace woolly::mcp::transport
