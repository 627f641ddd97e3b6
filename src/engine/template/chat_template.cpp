#include "engine/template/chat_template.h"

#include <chrono>
#include <exception>
#include <new>

#include "engine/template/detail/interpreter.h"
#include "engine/template/detail/parser.h"

namespace woolly::engine {

namespace tmpl::detail {
struct TemplateAst {
  Body body;
};
}  // namespace tmpl::detail

using tmpl::Array;
using tmpl::Object;
using tmpl::Value;

Status ChatInput::set_tools_json(std::string_view json) {
  WOOLLY_ASSIGN_OR_RETURN(Value parsed, Value::parse_json(json));
  if (!parsed.is_array()) return make_error(Errc::kInvalidArgument, "tools must be a JSON array");
  tools = std::move(parsed);
  return {};
}

Result<ChatTemplate> ChatTemplate::parse(std::string_view source) {
  try {
    auto ast = std::make_shared<tmpl::detail::TemplateAst>();
    ast->body = tmpl::detail::parse_template(source);
    return ChatTemplate(std::move(ast));
  } catch (const tmpl::detail::TemplateError& e) {
    return make_error(e.code, "chat template: " + e.message);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    // A value of the wrong type reached an operation (e.g. round(precision='x')); Python
    // raises TypeError there, so this is the template's failure, not ours.
    return make_error(Errc::kInvalidArgument, std::string("chat template: bad value: ") + e.what());
  }
}

Result<Value> ChatTemplate::make_context(const ChatInput& input) {
  Array messages;
  messages.reserve(input.messages.size());
  for (const ChatMessage& m : input.messages) {
    Object msg;
    msg.set("role", Value(m.role));
    if (m.content_parts.is_array()) msg.set("content", m.content_parts);
    else msg.set("content", m.content ? Value(*m.content) : Value::none());
    if (m.reasoning_content) msg.set("reasoning_content", Value(*m.reasoning_content));
    if (!m.tool_calls.empty()) {
      Array calls;
      for (const ToolCall& c : m.tool_calls) {
        // Hugging Face templates expect arguments as a mapping; text that is not JSON stays text.
        auto args = Value::parse_json(c.arguments);
        Object fn{{"name", Value(c.name)},
                  {"arguments", args.ok() ? std::move(args).value() : Value(c.arguments)}};
        Object call;
        if (!c.id.empty()) call.set("id", Value(c.id));
        call.set("type", Value("function"));
        call.set("function", Value(std::move(fn)));
        calls.emplace_back(std::move(call));
      }
      msg.set("tool_calls", Value(std::move(calls)));
    }
    if (!m.tool_call_id.empty()) msg.set("tool_call_id", Value(m.tool_call_id));
    if (!m.name.empty()) msg.set("name", Value(m.name));
    messages.emplace_back(std::move(msg));
  }
  Object ctx;
  ctx.set("messages", Value(std::move(messages)));
  ctx.set("tools", input.tools.is_undefined() ? Value::none() : input.tools);
  ctx.set("documents", Value::none());
  ctx.set("add_generation_prompt", Value(input.add_generation_prompt));
  ctx.set("bos_token", Value(input.bos_token));
  ctx.set("eos_token", Value(input.eos_token));
  for (const auto& [k, v] : input.extra) ctx.set(k, v);
  return Value(std::move(ctx));
}

Result<std::string> ChatTemplate::render(const ChatInput& input) const {
  WOOLLY_ASSIGN_OR_RETURN(Value ctx, make_context(input));
  std::tm now{};
  if (input.now) {
    now = *input.now;
  } else {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    gmtime_r(&t, &now);
  }
  return render_context(ctx, now);
}

Result<std::string> ChatTemplate::render_context(const Value& context, const std::tm& now) const {
  if (!context.is_object()) return make_error(Errc::kInvalidArgument, "template context must be an object");
  try {
    auto root = std::make_shared<tmpl::detail::Frame>();
    for (const auto& [k, v] : context.as_object()) root->set(k, v);
    tmpl::detail::Interpreter interp(now);
    return interp.render(ast_->body, std::move(root));
  } catch (const tmpl::detail::TemplateError& e) {
    return make_error(e.code, "chat template: " + e.message);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    // A value of the wrong type reached an operation (e.g. round(precision='x')); Python
    // raises TypeError there, so this is the template's failure, not ours.
    return make_error(Errc::kInvalidArgument, std::string("chat template: bad value: ") + e.what());
  }
}

}  // namespace woolly::engine
