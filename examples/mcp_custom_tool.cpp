// Embedding Woolly's MCP server: register your own tool at run time (name, description, input
// schema, handler) and serve it over stdio. Try it with any MCP client, e.g.
/*
  printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}' \
    '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
    '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"word_count","arguments":{"text":"a b c"}}}' \
    | ./mcp_custom_tool
*/
#include <cstdio>
#include <sstream>
#include <string>

#include "mcp/service.h"

using namespace woolly;

int main() {
  mcp::ServiceOptions options;
  options.server.name = "word-tools";
  options.server.version = "1.0.0";
  auto service = mcp::Service::create(options);
  if (!service.ok()) {
    std::fprintf(stderr, "%s\n", service.error().message.c_str());
    return 1;
  }
  mcp::json::object schema{
      {"type", "object"},
      {"properties", {{"text", {{"type", "string"}, {"description", "the text to count"}}}}},
      {"required", {"text"}}};
  Status added = (*service)->tools().add({
      .name = "word_count",
      .description = "Counts the whitespace-separated words of a text",
      .input_schema = schema,
      // Arguments arrive already checked against the schema.
      .handler = mcp::sync_tool([](mcp::ToolContext& ctx) -> Result<mcp::ToolResult> {
        std::istringstream in(std::string(ctx.arguments().at("text").as_string()));
        size_t words = 0;
        for (std::string w; in >> w;) ++words;
        return mcp::ToolResult::text(std::to_string(words));
      }),
  });
  if (!added.ok()) {
    std::fprintf(stderr, "%s\n", added.error().message.c_str());
    return 1;
  }
  // stdout carries the protocol; anything for humans goes to stderr.
  std::fprintf(stderr, "word-tools: serving MCP on stdin/stdout\n");
  return mcp::serve_stdio(**service);
}
