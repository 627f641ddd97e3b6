// ChatTemplate: a model's Jinja2 chat template (tokenizer.chat_template), parsed once and
// rendered per request into the prompt text, byte for byte as Hugging Face transformers renders
// it with Python's jinja2.
//
//   auto tmpl = ChatTemplate::parse(gguf_template);          // once per model
//   if (!tmpl.ok()) { log(tmpl.error().message); ... builtin_template("chatml") ... }
//   auto prompt = tmpl->render(input);                        // per request
//
// Supported: if/elif/else, for (loop.*, else, inline if filter, break/continue), set (also
// namespace attributes, tuple unpacking, block set with filters), macros with defaults, filter
// blocks, {% generation %}, whitespace control with trim_blocks and lstrip_blocks, the filters
// and tests real templates use, str/dict/list methods, raise_exception and strftime_now.
// Refused with Errc::kUnsupported and the line: include/import/extends/blocks, call blocks,
// recursive loops, *args/**kwargs, printing a generator, str.format specs, %s with precision.
// Known gaps: case mapping covers Latin (incl. Vietnamese), Greek, Cyrillic, Armenian and
// fullwidth letters, not e.g. Latin Extended-B digraphs; integers are 64-bit.
#pragma once

#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "engine/template/value.h"

namespace woolly::engine {

namespace tmpl::detail {
struct TemplateAst;
}  // namespace tmpl::detail

struct ToolCall {
  std::string id;
  std::string name;
  std::string arguments;  // JSON text; given to the template as an object when it parses
};

struct ChatMessage {
  std::string role;                    // system, user, assistant, tool
  std::optional<std::string> content;  // nullopt: content is None (an assistant's tool call)
  tmpl::Value content_parts;           // when an array: multimodal parts, replaces `content`
  std::optional<std::string> reasoning_content;
  std::vector<ToolCall> tool_calls;
  std::string tool_call_id;  // tool messages: the call answered
  std::string name;          // tool messages: the tool's name
};

struct ChatInput {
  std::vector<ChatMessage> messages;
  tmpl::Value tools;  // an array of tool definitions (OpenAI shape); Undefined or None: no tools
  bool add_generation_prompt = true;
  std::string bos_token;
  std::string eos_token;
  tmpl::Object extra;  // further context variables, e.g. enable_thinking
  // The date strftime_now() sees; the current UTC time when unset.
  std::optional<std::tm> now;

  // Parses `json` (an array of tools) into `tools`.
  Status set_tools_json(std::string_view json);
};

class ChatTemplate {
 public:
  // Fails with kInvalidArgument on a syntax error and kUnsupported for Jinja2 this engine does
  // not implement; the message names the line.
  static Result<ChatTemplate> parse(std::string_view source);

  Result<std::string> render(const ChatInput& input) const;
  // Renders with a ready-made context (an object of template variables).
  Result<std::string> render_context(const tmpl::Value& context, const std::tm& now) const;

  // The variables a template sees for `input`, as Hugging Face passes them: messages, tools
  // (None when absent), documents (None), add_generation_prompt, bos_token, eos_token, extras.
  static Result<tmpl::Value> make_context(const ChatInput& input);

 private:
  explicit ChatTemplate(std::shared_ptr<const tmpl::detail::TemplateAst> ast) : ast_(std::move(ast)) {}
  // Shared so that a template is cheap to copy; the tree itself never changes after parse.
  std::shared_ptr<const tmpl::detail::TemplateAst> ast_;
};

}  // namespace woolly::engine
