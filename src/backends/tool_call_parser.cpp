#include "backends/tool_call_parser.h"

#include <boost/json.hpp>
#include <algorithm>
#include <optional>

namespace woolly::backends {
namespace json = boost::json;
namespace {

constexpr std::string_view kHermesOpen = "<tool_call>";
constexpr std::string_view kHermesClose = "</tool_call>";
constexpr std::string_view kMistralCalls = "[TOOL_CALLS]";
constexpr std::string_view kMistralArgs = "[ARGS]";
constexpr std::string_view kPythonTag = "<|python_tag|>";

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

// Parses one JSON value at the start of `s` (after spaces); returns it and the characters used,
// so text after the value (another call, a closing tag) is left for the caller.
std::optional<std::pair<json::value, size_t>> parse_prefix(std::string_view s, std::string* why) {
  size_t skip = s.find_first_not_of(" \t\r\n");
  if (skip == std::string_view::npos) {
    if (why) *why = "empty";
    return std::nullopt;
  }
  json::stream_parser p;
  json::error_code ec;
  size_t used = p.write_some(s.data() + skip, s.size() - skip, ec);
  if (!ec && !p.done()) p.finish(ec);
  if (ec || !p.done()) {
    if (why) *why = ec ? ec.message() : "incomplete JSON";
    return std::nullopt;
  }
  return std::make_pair(p.release(), skip + used);
}

class Builder {
 public:
  explicit Builder(ParsedAnswer& out) : out_(out) {}

  // A call given as {"name": ..., "arguments"|"parameters": {...} or "<json text>"}.
  void from_value(const json::value& v, std::string_view raw) {
    ParsedCall pc = start(raw);
    const json::object* o = v.if_object();
    const json::value* name = o ? o->if_contains("name") : nullptr;
    if (!name || !name->is_string() || name->as_string().empty()) {
      pc.error = "the tool call has no \"name\" string";
      return push(std::move(pc));
    }
    pc.call.name = std::string(name->as_string());
    const json::value* args = o->if_contains("arguments");
    if (!args) args = o->if_contains("parameters");
    set_arguments(pc, args);
    push(std::move(pc));
  }

  void named(std::string name, std::string_view args_text, std::string_view raw) {
    ParsedCall pc = start(raw);
    pc.call.name = std::string(trim(name));
    if (pc.call.name.empty()) {
      pc.error = "the tool call has no name";
      return push(std::move(pc));
    }
    std::string why;
    auto v = parse_prefix(args_text, &why);
    if (!v) {
      pc.error = "the arguments of " + pc.call.name + " are not valid JSON (" + why + ")";
      return push(std::move(pc));
    }
    set_arguments(pc, &v->first);
    push(std::move(pc));
  }

  void malformed(std::string_view raw, std::string why) {
    ParsedCall pc = start(raw);
    pc.error = std::move(why);
    push(std::move(pc));
  }

 private:
  ParsedCall start(std::string_view raw) {
    ParsedCall pc;
    pc.raw = std::string(trim(raw));
    pc.call.id = "call_" + std::to_string(out_.calls.size());
    return pc;
  }
  void push(ParsedCall pc) { out_.calls.push_back(std::move(pc)); }

  static void set_arguments(ParsedCall& pc, const json::value* args) {
    if (!args || args->is_null()) {
      pc.call.arguments = "{}";
      return;
    }
    if (args->is_string()) {  // some models stringify the arguments object
      json::error_code ec;
      json::value inner = json::parse(args->as_string(), ec);
      if (ec || !inner.is_object()) {
        pc.error = "the arguments of " + pc.call.name + " are not a JSON object";
        return;
      }
      pc.call.arguments = json::serialize(inner);
      return;
    }
    if (!args->is_object()) {
      pc.error = "the arguments of " + pc.call.name + " are not a JSON object";
      return;
    }
    pc.call.arguments = json::serialize(*args);
  }

  ParsedAnswer& out_;
};

void parse_hermes(std::string_view text, ParsedAnswer& out) {
  Builder b(out);
  std::string content;
  size_t pos = 0;
  while (true) {
    size_t open = text.find(kHermesOpen, pos);
    if (open == std::string_view::npos) {
      content += text.substr(pos);
      break;
    }
    content += text.substr(pos, open - pos);
    size_t body = open + kHermesOpen.size();
    size_t close = text.find(kHermesClose, body);
    // A missing close tag happens when generation stops on it as a stop string.
    std::string_view inner = text.substr(body, close == std::string_view::npos ? text.size() - body
                                                                                : close - body);
    std::string why;
    auto v = parse_prefix(inner, &why);
    if (!v) {
      b.malformed(inner, "the tool call is not valid JSON (" + why + ")");
    } else if (!trim(inner.substr(v->second)).empty()) {
      b.malformed(inner, "unexpected text after the tool call's JSON");
    } else {
      b.from_value(v->first, inner);
    }
    if (close == std::string_view::npos) break;
    pos = close + kHermesClose.size();
  }
  out.content = std::string(trim(content));
}

void parse_mistral(std::string_view text, ParsedAnswer& out) {
  Builder b(out);
  size_t first = text.find(kMistralCalls);
  out.content = std::string(trim(text.substr(0, first)));
  size_t pos = first;
  while (pos != std::string_view::npos) {
    size_t body = pos + kMistralCalls.size();
    size_t next = text.find(kMistralCalls, body);
    std::string_view seg = text.substr(body, next == std::string_view::npos ? std::string_view::npos
                                                                           : next - body);
    std::string_view t = trim(seg);
    size_t args = t.find(kMistralArgs);
    if (!t.empty() && t.front() == '[') {
      std::string why;
      auto v = parse_prefix(t, &why);
      if (!v || !v->first.is_array()) {
        b.malformed(t, "the tool call list is not a valid JSON array" +
                           (why.empty() ? std::string() : " (" + why + ")"));
      } else {
        for (const auto& item : v->first.as_array()) b.from_value(item, json::serialize(item));
      }
    } else if (args != std::string_view::npos) {
      b.named(std::string(t.substr(0, args)), t.substr(args + kMistralArgs.size()), t);
    } else if (!t.empty() && t.front() == '{') {
      std::string why;
      auto v = parse_prefix(t, &why);
      if (v) b.from_value(v->first, t);
      else b.malformed(t, "the tool call is not valid JSON (" + why + ")");
    } else {
      b.malformed(t, "nothing readable follows [TOOL_CALLS]");
    }
    pos = next;
  }
}

// Llama's built-in tool syntax: name.call(key="value", n=3).
bool parse_python_call(std::string_view t, Builder& b) {
  size_t dot = t.find(".call(");
  if (dot == std::string_view::npos || t.back() != ')') return false;
  std::string name(trim(t.substr(0, dot)));
  std::string_view args = t.substr(dot + 6, t.size() - dot - 7);
  json::object o;
  while (!trim(args).empty()) {
    args = trim(args);
    size_t eq = args.find('=');
    if (eq == std::string_view::npos) return false;
    std::string key(trim(args.substr(0, eq)));
    std::string_view rest = trim(args.substr(eq + 1));
    if (rest.empty()) return false;
    size_t end;
    if (rest.front() == '"' || rest.front() == '\'') {
      char q = rest.front();
      end = rest.find(q, 1);
      if (end == std::string_view::npos) return false;
      o[key] = std::string(rest.substr(1, end - 1));
      ++end;
    } else {
      end = std::min(rest.find(','), rest.size());
      std::string_view lit = trim(rest.substr(0, end));
      json::error_code ec;
      json::value v = json::parse(lit, ec);
      if (ec) o[key] = std::string(lit);
      else o[key] = v;
    }
    rest = trim(rest.substr(end));
    if (!rest.empty() && rest.front() == ',') rest.remove_prefix(1);
    args = rest;
  }
  b.named(name, json::serialize(o), t);
  return true;
}

bool looks_like_call(const json::value& v, const std::vector<std::string>& known) {
  const json::object* o = v.if_object();
  if (!o) return false;
  const json::value* name = o->if_contains("name");
  if (!name || !name->is_string()) return false;
  if (!o->contains("parameters") && !o->contains("arguments")) return false;
  if (known.empty()) return true;
  return std::find(known.begin(), known.end(), std::string_view(name->as_string())) != known.end();
}

void parse_llama(std::string_view text, const std::vector<std::string>& known, ParsedAnswer& out) {
  Builder b(out);
  for (std::string_view end_marker : {"<|eom_id|>", "<|eot_id|>"}) {
    size_t e = text.rfind(end_marker);
    if (e != std::string_view::npos) text = text.substr(0, e);
  }
  size_t tag = text.find(kPythonTag);
  bool tagged = tag != std::string_view::npos;
  std::string_view body = tagged ? text.substr(tag + kPythonTag.size()) : trim(text);
  std::string_view before = tagged ? trim(text.substr(0, tag)) : std::string_view();
  if (!tagged && (body.empty() || body.front() != '{')) {
    out.content = std::string(body);
    return;
  }
  // One or more JSON calls, separated by ';' or new lines (Llama 3.2/3.3 style parallel calls).
  std::vector<ParsedCall> found;
  ParsedAnswer scratch;
  Builder sb(scratch);
  std::string_view rest = trim(body);
  bool ok = true;
  while (!rest.empty()) {
    if (rest.front() != '{') {
      ok = tagged && scratch.calls.empty() && parse_python_call(rest, sb);
      if (!ok && tagged) sb.malformed(rest, "the tool call after <|python_tag|> cannot be read");
      rest = {};
      break;
    }
    std::string why;
    auto v = parse_prefix(rest, &why);
    if (!v) {
      if (tagged) sb.malformed(rest, "the tool call is not valid JSON (" + why + ")");
      ok = tagged;
      break;
    }
    if (!tagged && !looks_like_call(v->first, known)) {
      ok = false;
      break;
    }
    sb.from_value(v->first, rest.substr(0, v->second));
    rest = trim(rest.substr(v->second));
    if (!rest.empty() && rest.front() == ';') rest = trim(rest.substr(1));
  }
  if (!ok && !tagged) {  // plain JSON data, not a call: the answer stays as it is
    out.content = std::string(trim(text));
    return;
  }
  out.content = std::string(before);
  for (auto& c : scratch.calls) {
    c.call.id = "call_" + std::to_string(out.calls.size());
    out.calls.push_back(std::move(c));
  }
  (void)b;
}

}  // namespace

ParsedAnswer parse_tool_calls(std::string_view text, ToolCallFormat format,
                              const std::vector<std::string>& known_tools) {
  ParsedAnswer out;
  if (format == ToolCallFormat::kAuto) {
    if (text.find(kHermesOpen) != std::string_view::npos) format = ToolCallFormat::kHermes;
    else if (text.find(kMistralCalls) != std::string_view::npos) format = ToolCallFormat::kMistral;
    else format = ToolCallFormat::kLlama3;
  }
  switch (format) {
    case ToolCallFormat::kHermes: parse_hermes(text, out); break;
    case ToolCallFormat::kMistral:
      if (text.find(kMistralCalls) == std::string_view::npos) out.content = std::string(trim(text));
      else parse_mistral(text, out);
      break;
    default: parse_llama(text, known_tools, out); break;
  }
  return out;
}

ToolCallFormat detect_tool_call_format(std::string_view source) {
  if (source.find(kHermesOpen) != std::string_view::npos) return ToolCallFormat::kHermes;
  if (source.find(kMistralCalls) != std::string_view::npos) return ToolCallFormat::kMistral;
  if (source.find(kPythonTag) != std::string_view::npos ||
      source.find("ipython") != std::string_view::npos)
    return ToolCallFormat::kLlama3;
  return ToolCallFormat::kAuto;
}

AnswerCalls answer_tool_calls(std::string_view text, const std::vector<std::string>& known_tools) {
  ParsedAnswer parsed = parse_tool_calls(text, ToolCallFormat::kAuto, known_tools);
  AnswerCalls out;
  std::string unreadable;
  for (auto& p : parsed.calls) {
    if (!p.error.empty()) {
      unreadable += (unreadable.empty() ? "" : "\n") + p.raw;
      continue;
    }
    p.call.id = "call_" + std::to_string(out.calls.size());
    out.calls.push_back(std::move(p.call));
  }
  if (out.calls.empty()) {
    out.content = std::string(text);
    return out;
  }
  out.content = std::move(parsed.content);
  if (!unreadable.empty()) out.content += (out.content.empty() ? "" : "\n") + unreadable;
  return out;
}

}  // namespace woolly::backends
