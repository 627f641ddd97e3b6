// Finds the tool calls a local model wrote into its answer text: the one parser of Woolly, used
// by the local backend (tool_calls in answers and streams) and by the agent's tool loop. Local models have no native
// tool_calls field: each family writes calls in the format its chat template taught it.
//
//   Hermes / Qwen2.5 / Qwen3:  <tool_call>{"name": "f", "arguments": {...}}</tool_call>
//   Llama 3.1 / 3.2 / 3.3:     {"name": "f", "parameters": {...}}   (the whole answer)
//                              <|python_tag|>{"name": ...}  or  <|python_tag|>f.call(k="v")
//   Mistral:                   [TOOL_CALLS][{"name": "f", "arguments": {...}}, ...]
//                              [TOOL_CALLS]f[ARGS]{...}   (Mistral Small 3.2 / Devstral)
//
// A call that is recognisably a call but cannot be read (broken JSON, no name) is returned as a
// ParsedCall with `error` set, so the loop can tell the model instead of failing the request.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.h"

namespace woolly::backends {

enum class ToolCallFormat { kAuto, kHermes, kLlama3, kMistral };

struct ParsedCall {
  ToolCall call;  // id assigned by the parser ("call_<n>"), arguments as JSON text
  std::string error;        // non-empty: malformed; `call.name` may be empty
  std::string raw;          // the text of the call as the model wrote it
};

struct ParsedAnswer {
  std::string content;  // the answer text with the calls removed (trimmed)
  std::vector<ParsedCall> calls;
};

// kAuto tries every format; `known_tools` (optional) lets the bare-JSON Llama form be accepted
// only when the name is one of the offered tools, so a model answering with JSON data is not
// mistaken for a call.
ParsedAnswer parse_tool_calls(std::string_view text, ToolCallFormat format = ToolCallFormat::kAuto,
                              const std::vector<std::string>& known_tools = {});

// A finished answer's calls as a backend reports them to its client: the calls that could be
// read (ids call_0, call_1, ... in order) and the text around them, with any call that could not
// be read kept in that text as the model wrote it. No readable call: the text unchanged.
struct AnswerCalls {
  std::string content;
  std::vector<ToolCall> calls;
};
AnswerCalls answer_tool_calls(std::string_view text,
                              const std::vector<std::string>& known_tools = {});

// Picks the format from a chat template's source (the markers it teaches the model).
ToolCallFormat detect_tool_call_format(std::string_view template_source);

}  // namespace woolly::backends
