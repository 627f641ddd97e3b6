// Finds tool calls in a local model's generated text, in the formats open-weight chat models
// are trained to write:
//   Hermes / Qwen:  <tool_call>{"name": "f", "arguments": {...}}</tool_call>  (one or more)
//   Mistral:        [TOOL_CALLS] [{"name": "f", "arguments": {...}}, ...]
//   Llama 3.x:      {"name": "f", "parameters": {...}}  as the whole answer (maybe after
//                   <|python_tag|>)
// Text that is none of these stays content. Runs once per finished generation.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.h"

namespace woolly::backends::detail {

struct ParsedToolCalls {
  std::string content;          // the text around the calls, trimmed
  std::vector<ToolCall> calls;  // ids "call_0", "call_1", ... in order
};

ParsedToolCalls parse_tool_calls(std::string_view text);

}  // namespace woolly::backends::detail
