#include "backends/detail/tool_call_parser.h"

#include <boost/json.hpp>

#include <cctype>

namespace woolly::backends::detail {

namespace json = boost::json;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// {"name", "arguments"|"parameters"} or {"type":"function","function":{...}}; false otherwise.
bool call_of(const json::value& v, ToolCall& out) {
  if (!v.is_object()) return false;
  const json::object* o = &v.as_object();
  if (const auto* fn = o->if_contains("function"); fn && fn->is_object()) o = &fn->as_object();
  const auto* name = o->if_contains("name");
  if (!name || !name->is_string()) return false;
  out.name = std::string(name->as_string());
  const json::value* args = o->if_contains("arguments");
  if (!args) args = o->if_contains("parameters");
  if (!args) out.arguments = "{}";
  else if (args->is_string()) out.arguments = std::string(args->as_string());
  else out.arguments = json::serialize(*args);
  return true;
}

bool parse(std::string_view text, json::value& out) {
  boost::system::error_code ec;
  out = json::parse(trim(text), ec);
  return !ec;
}

}  // namespace

ParsedToolCalls parse_tool_calls(std::string_view text) {
  ParsedToolCalls r;
  auto add = [&r](ToolCall c) {
    c.id = "call_" + std::to_string(r.calls.size());
    r.calls.push_back(std::move(c));
  };
  constexpr std::string_view kOpen = "<tool_call>", kClose = "</tool_call>";
  if (text.find(kOpen) != std::string_view::npos) {
    std::string rest;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t open = text.find(kOpen, pos);
      if (open == std::string_view::npos) {
        rest += text.substr(pos);
        break;
      }
      rest += text.substr(pos, open - pos);
      size_t body = open + kOpen.size();
      size_t close = text.find(kClose, body);
      std::string_view inner = text.substr(body, close == std::string_view::npos ? std::string_view::npos : close - body);
      json::value v;
      ToolCall c;
      if (parse(inner, v) && call_of(v, c)) add(std::move(c));
      else rest += text.substr(open, close == std::string_view::npos ? std::string_view::npos : close + kClose.size() - open);
      pos = close == std::string_view::npos ? text.size() : close + kClose.size();
    }
    r.content = std::string(trim(rest));
    return r;
  }
  constexpr std::string_view kMistral = "[TOOL_CALLS]";
  if (size_t at = text.find(kMistral); at != std::string_view::npos) {
    json::value v;
    if (parse(text.substr(at + kMistral.size()), v) && v.is_array()) {
      for (const auto& x : v.as_array()) {
        ToolCall c;
        if (call_of(x, c)) add(std::move(c));
      }
      if (!r.calls.empty()) {
        r.content = std::string(trim(text.substr(0, at)));
        return r;
      }
    }
  }
  std::string_view body = trim(text);
  constexpr std::string_view kPythonTag = "<|python_tag|>";
  if (body.starts_with(kPythonTag)) body = trim(body.substr(kPythonTag.size()));
  if (body.starts_with('{')) {
    json::value v;
    ToolCall c;
    if (parse(body, v) && call_of(v, c)) {
      add(std::move(c));
      return r;
    }
  }
  r.content = std::string(text);
  return r;
}

}  // namespace woolly::backends::detail
