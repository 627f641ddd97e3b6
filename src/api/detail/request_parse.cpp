#include "api/detail/request_parse.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cmath>
#include <random>

#include "obs/metrics/registry.h"

namespace woolly::api::detail {
namespace json = boost::json;

namespace {

Error bad(std::string message) { return Error(Errc::kInvalidArgument, std::move(message)); }

std::string field(std::string_view key) { return "'" + std::string(key) + "'"; }

// A number field, or nullopt when absent/null; an error names the field and the accepted range.
Result<std::optional<double>> optional_number(const json::object& o, std::string_view key,
                                              double lo, double hi) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<double>();
  const json::value& v = it->value();
  double d = 0;
  if (v.is_double()) {
    d = v.get_double();
  } else if (v.is_int64()) {
    d = static_cast<double>(v.get_int64());
  } else if (v.is_uint64()) {
    d = static_cast<double>(v.get_uint64());
  } else {
    return bad(field(key) + " must be a number");
  }
  if (!std::isfinite(d) || d < lo || d > hi) {
    return bad(field(key) + " must be between " + json::serialize(json::value(lo)) + " and " +
               json::serialize(json::value(hi)));
  }
  return std::optional<double>(d);
}

Result<std::optional<int64_t>> optional_int(const json::object& o, std::string_view key,
                                            int64_t lo, int64_t hi) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<int64_t>();
  const json::value& v = it->value();
  int64_t n = 0;
  if (v.is_int64()) {
    n = v.get_int64();
  } else if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    n = static_cast<int64_t>(v.get_uint64());
  } else if (v.is_double() && std::floor(v.get_double()) == v.get_double()) {
    n = static_cast<int64_t>(v.get_double());
  } else {
    return bad(field(key) + " must be an integer");
  }
  if (n < lo || n > hi) {
    return bad(field(key) + " must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  return std::optional<int64_t>(n);
}

// Message content: a string, null, or OpenAI's array of {"type":"text","text":...} parts.
Result<std::string> content_text(const json::value& v, size_t index) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_null()) return std::string();
  std::string where = "'messages[" + std::to_string(index) + "].content'";
  if (!v.is_array()) return bad(where + " must be a string or an array of text parts");
  std::string out;
  for (const auto& part : v.get_array()) {
    const json::object* p = part.if_object();
    const json::value* text = p ? p->if_contains("text") : nullptr;
    if (!text || !text->is_string()) return bad(where + " parts must be {\"type\":\"text\",\"text\":...}");
    out += text->get_string();
  }
  return out;
}

}  // namespace

Result<json::object> parse_object(std::string_view body) {
  json::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return bad("the request body is not valid JSON: " + ec.message());
  if (!v.is_object()) return bad("the request body must be a JSON object");
  return std::move(v.get_object());
}

Result<std::optional<std::string>> optional_string(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<std::string>();
  if (!it->value().is_string()) return bad(field(key) + " must be a string");
  return std::optional<std::string>(std::string(it->value().get_string()));
}

Result<std::optional<bool>> optional_bool(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<bool>();
  if (!it->value().is_bool()) return bad(field(key) + " must be true or false");
  return std::optional<bool>(it->value().get_bool());
}

Result<backends::SamplingOptions> parse_sampling(const json::object& o) {
  backends::SamplingOptions s;
  constexpr int64_t kMaxTokens = 1 << 20;
  WOOLLY_ASSIGN_OR_RETURN(auto max_tokens, optional_int(o, "max_tokens", 1, kMaxTokens));
  WOOLLY_ASSIGN_OR_RETURN(auto max_completion,
                          optional_int(o, "max_completion_tokens", 1, kMaxTokens));
  if (max_completion) max_tokens = max_completion;
  if (max_tokens) s.max_tokens = static_cast<int>(*max_tokens);

  WOOLLY_ASSIGN_OR_RETURN(auto temperature, optional_number(o, "temperature", 0, 2));
  if (temperature) s.temperature = static_cast<float>(*temperature);
  WOOLLY_ASSIGN_OR_RETURN(auto top_p, optional_number(o, "top_p", 0, 1));
  if (top_p) s.top_p = static_cast<float>(*top_p);
  WOOLLY_ASSIGN_OR_RETURN(auto top_k, optional_int(o, "top_k", 0, 1 << 20));
  if (top_k) s.top_k = static_cast<int>(*top_k);
  WOOLLY_ASSIGN_OR_RETURN(auto min_p, optional_number(o, "min_p", 0, 1));
  if (min_p) s.min_p = static_cast<float>(*min_p);
  WOOLLY_ASSIGN_OR_RETURN(auto presence, optional_number(o, "presence_penalty", -2, 2));
  if (presence) s.presence_penalty = static_cast<float>(*presence);
  WOOLLY_ASSIGN_OR_RETURN(auto frequency, optional_number(o, "frequency_penalty", -2, 2));
  if (frequency) s.frequency_penalty = static_cast<float>(*frequency);
  WOOLLY_ASSIGN_OR_RETURN(auto repetition, optional_number(o, "repetition_penalty", 0, 10));
  if (repetition) s.repetition_penalty = static_cast<float>(*repetition);
  WOOLLY_ASSIGN_OR_RETURN(auto seed, optional_int(o, "seed", INT64_MIN, INT64_MAX));
  if (seed) s.seed = static_cast<uint64_t>(*seed);

  if (auto it = o.find("stop"); it != o.end() && !it->value().is_null()) {
    const json::value& v = it->value();
    if (v.is_string()) {
      s.stop.emplace_back(v.get_string());
    } else if (v.is_array() && v.get_array().size() <= 16) {
      for (const auto& e : v.get_array()) {
        if (!e.is_string() || e.get_string().empty()) {
          return bad("'stop' must hold non-empty strings");
        }
        s.stop.emplace_back(e.get_string());
      }
    } else {
      return bad("'stop' must be a string or an array of at most 16 strings");
    }
  }
  // OpenAI's chat API has logprobs as a bool; its legacy completions API as an integer count.
  if (auto it = o.find("logprobs"); it != o.end() && !it->value().is_null()) {
    if (it->value().is_bool()) {
      s.logprobs = it->value().get_bool();
    } else {
      WOOLLY_ASSIGN_OR_RETURN(auto n, optional_int(o, "logprobs", 0, 20));
      s.logprobs = true;
      s.top_logprobs = static_cast<int>(*n);
    }
  }
  WOOLLY_ASSIGN_OR_RETURN(auto top_logprobs, optional_int(o, "top_logprobs", 0, 20));
  if (top_logprobs) {
    if (!s.logprobs) return bad("'top_logprobs' needs 'logprobs' set to true");
    s.top_logprobs = static_cast<int>(*top_logprobs);
  }
  return s;
}

void apply_defaults(backends::SamplingOptions& s, const backends::SamplingOptions& d) {
  if (!s.max_tokens) s.max_tokens = d.max_tokens;
  if (!s.temperature) s.temperature = d.temperature;
  if (!s.top_p) s.top_p = d.top_p;
  if (!s.top_k) s.top_k = d.top_k;
  if (!s.min_p) s.min_p = d.min_p;
  if (!s.presence_penalty) s.presence_penalty = d.presence_penalty;
  if (!s.frequency_penalty) s.frequency_penalty = d.frequency_penalty;
  if (!s.repetition_penalty) s.repetition_penalty = d.repetition_penalty;
  if (!s.seed) s.seed = d.seed;
}

Result<std::vector<backends::Message>> parse_messages(const json::object& o) {
  auto it = o.find("messages");
  if (it == o.end() || !it->value().is_array() || it->value().get_array().empty()) {
    return bad("'messages' must be a non-empty array");
  }
  std::vector<backends::Message> out;
  size_t i = 0;
  for (const auto& v : it->value().get_array()) {
    std::string where = "'messages[" + std::to_string(i) + "]";
    const json::object* m = v.if_object();
    if (!m) return bad(where + "' must be an object");
    backends::Message msg;
    const json::value* role = m->if_contains("role");
    if (!role || !role->is_string()) return bad(where + ".role' must be a string");
    msg.role = std::string(role->get_string());
    if (msg.role == "developer") msg.role = "system";  // OpenAI's newer name for it
    if (msg.role != "system" && msg.role != "user" && msg.role != "assistant" && msg.role != "tool") {
      return bad(where + ".role' must be system, user, assistant or tool");
    }
    if (const json::value* c = m->if_contains("content")) {
      WOOLLY_ASSIGN_OR_RETURN(msg.content, content_text(*c, i));
    }
    WOOLLY_ASSIGN_OR_RETURN(auto call_id, optional_string(*m, "tool_call_id"));
    if (call_id) msg.tool_call_id = *call_id;
    WOOLLY_ASSIGN_OR_RETURN(auto name, optional_string(*m, "name"));
    if (name) msg.name = *name;
    if (const json::value* calls = m->if_contains("tool_calls"); calls && !calls->is_null()) {
      if (!calls->is_array()) return bad(where + ".tool_calls' must be an array");
      for (const auto& c : calls->get_array()) {
        const json::object* co = c.if_object();
        const json::object* fn = co && co->if_contains("function")
                                     ? co->at("function").if_object() : nullptr;
        if (!fn || !fn->if_contains("name") || !fn->at("name").is_string()) {
          return bad(where + ".tool_calls' entries need function.name");
        }
        backends::ToolCall call;
        if (auto id = co->if_contains("id"); id && id->is_string()) call.id = id->get_string();
        call.name = fn->at("name").get_string();
        if (auto a = fn->if_contains("arguments"); a && a->is_string()) {
          call.arguments = a->get_string();
        } else if (a && a->is_object()) {
          call.arguments = json::serialize(*a);
        } else {
          call.arguments = "{}";
        }
        msg.tool_calls.push_back(std::move(call));
      }
    }
    out.push_back(std::move(msg));
    ++i;
  }
  return out;
}

Result<std::vector<backends::Tool>> parse_tools(const json::object& o) {
  std::vector<backends::Tool> out;
  auto it = o.find("tools");
  if (it == o.end() || it->value().is_null()) return out;
  if (!it->value().is_array()) return bad("'tools' must be an array");
  for (const auto& t : it->value().get_array()) {
    const json::object* to = t.if_object();
    const json::value* fnv = to ? to->if_contains("function") : nullptr;
    const json::object* fn = fnv ? fnv->if_object() : nullptr;
    if (!fn || !fn->if_contains("name") || !fn->at("name").is_string()) {
      return bad("'tools' entries must be {\"type\":\"function\",\"function\":{\"name\":...}}");
    }
    backends::Tool tool;
    tool.name = fn->at("name").get_string();
    if (auto d = fn->if_contains("description"); d && d->is_string()) tool.description = d->get_string();
    if (auto p = fn->if_contains("parameters"); p && p->is_object()) {
      tool.parameters_json = json::serialize(*p);
    }
    out.push_back(std::move(tool));
  }
  return out;
}

Result<backends::ToolChoice> parse_tool_choice(const json::object& o) {
  backends::ToolChoice c;
  auto it = o.find("tool_choice");
  if (it == o.end() || it->value().is_null()) return c;
  const json::value& v = it->value();
  if (v.is_string()) {
    std::string_view s = v.get_string();
    if (s == "auto") return c;
    if (s == "none") c.mode = backends::ToolChoiceMode::kNone;
    else if (s == "required") c.mode = backends::ToolChoiceMode::kRequired;
    else return bad("'tool_choice' must be auto, none, required or {\"function\":{\"name\"}}");
    return c;
  }
  const json::object* fn = v.is_object() && v.get_object().if_contains("function")
                               ? v.get_object().at("function").if_object() : nullptr;
  if (!fn || !fn->if_contains("name") || !fn->at("name").is_string()) {
    return bad("'tool_choice' must be auto, none, required or {\"function\":{\"name\"}}");
  }
  c.mode = backends::ToolChoiceMode::kNamed;
  c.name = fn->at("name").get_string();
  return c;
}

Result<backends::ResponseFormat> parse_response_format(const json::object& o) {
  backends::ResponseFormat f;
  auto it = o.find("response_format");
  if (it == o.end() || it->value().is_null()) return f;
  const json::object* ro = it->value().if_object();
  const json::value* type = ro ? ro->if_contains("type") : nullptr;
  if (!type || !type->is_string()) return bad("'response_format.type' must be a string");
  std::string_view t = type->get_string();
  if (t == "text") return f;
  if (t == "json_object") {
    f.type = backends::ResponseFormatType::kJsonObject;
    return f;
  }
  if (t != "json_schema") return bad("'response_format.type' must be text, json_object or json_schema");
  const json::value* js = ro->if_contains("json_schema");
  const json::object* jso = js ? js->if_object() : nullptr;
  const json::value* schema = jso ? jso->if_contains("schema") : nullptr;
  if (!schema || !schema->is_object()) {
    return bad("'response_format.json_schema.schema' must be a JSON Schema object");
  }
  f.type = backends::ResponseFormatType::kJsonSchema;
  if (auto n = jso->if_contains("name"); n && n->is_string()) f.schema_name = n->get_string();
  f.schema_json = json::serialize(*schema);
  return f;
}

Result<std::vector<std::string>> parse_inputs(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  std::string msg = field(key) + " must be a string or a non-empty array of strings";
  if (it == o.end()) return bad(msg);
  const json::value& v = it->value();
  if (v.is_string()) return std::vector<std::string>{std::string(v.get_string())};
  if (!v.is_array() || v.get_array().empty()) return bad(msg);
  std::vector<std::string> out;
  for (const auto& e : v.get_array()) {
    if (!e.is_string()) return bad(msg);
    out.emplace_back(e.get_string());
  }
  return out;
}

json::array logprobs_json(const std::vector<backends::TokenLogprob>& lps) {
  json::array out;
  for (const auto& lp : lps) {
    json::array top;
    for (const auto& t : lp.top) top.push_back({{"token", t.token}, {"logprob", t.logprob}});
    out.push_back({{"token", lp.token}, {"logprob", lp.logprob}, {"top_logprobs", std::move(top)}});
  }
  return out;
}

json::array tool_calls_json(const std::vector<backends::ToolCall>& calls) {
  json::array out;
  for (const auto& c : calls) {
    out.push_back({{"id", c.id},
                   {"type", "function"},
                   {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
  }
  return out;
}

void count_cancelled(obs::Registry* metrics, std::string_view surface) {
  if (!metrics) return;
  metrics->counter("woolly_generations_cancelled_total",
                   "Generations stopped because the client went away", {"surface"})
      .with({surface})
      .inc();
}

int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

int64_t unix_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string random_id(std::string_view prefix) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(prefix);
  uint64_t a = rng(), b = rng();
  for (int i = 0; i < 12; ++i) out += kHex[(a >> (i * 4)) & 15];
  for (int i = 0; i < 12; ++i) out += kHex[(b >> (i * 4)) & 15];
  return out;
}

}  // namespace woolly::api::detail
