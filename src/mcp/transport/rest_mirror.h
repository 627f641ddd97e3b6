// Plain REST over the MCP registries, for clients that do not speak MCP:
//   GET  /api/v1/mcp/tools              {"tools": [tools/list elements]}
//   POST /api/v1/mcp/tools/:name        body = arguments object -> the CallToolResult
//   GET  /api/v1/mcp/resources          {"resources": [...], "resourceTemplates": [...]}
//   GET  /api/v1/mcp/resources/*path    contents of the resource whose URI is `path` (query ?uri=
//                                       also accepted, for URIs with "//")
//   GET  /api/v1/mcp/prompts            {"prompts": [...]}
//   POST /api/v1/mcp/prompts/:name      body = {"arg": "value"} -> {"description", "messages"}
// Errors use the net error format: 400 bad arguments, 404 unknown names.
#pragma once

#include "common/result.h"
#include "mcp/prompt_registry.h"
#include "mcp/resource_registry.h"
#include "mcp/tool_registry.h"
#include "net/router.h"

namespace woolly::mcp::transport {

struct RestMirrorOptions {
  std::string prefix = "/api/v1/mcp";
  net::RouteMeta meta;  // e.g. scope "mcp"
};

// The registries must outlive the router's routes.
Status mount_rest_mirror(net::Router& router, ToolRegistry& tools, ResourceRegistry& resources,
                         PromptRegistry& prompts, RestMirrorOptions options = {});

}  // namespace woolly::mcp::transport
