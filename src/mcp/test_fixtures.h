// The fixture pack the `@modelcontextprotocol/conformance` server scenarios call by name
// (test_simple_text, test://static-text, test_simple_prompt, ...). Registered through the normal
// registry API, and only when config `mcp.enable_test_fixtures` is set.
#pragma once

#include <memory>

#include "common/result.h"
#include "mcp/prompt_registry.h"
#include "mcp/resource_registry.h"
#include "mcp/tool_registry.h"

namespace woolly::mcp {

Status register_conformance_fixtures(ToolRegistry& tools, ResourceRegistry& resources,
                                     PromptRegistry& prompts);

}  // namespace woolly::mcp
