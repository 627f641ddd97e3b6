#include "engine/template/hf_reference.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace woolly::engine::testing {

using tmpl::Array;
using tmpl::Object;
using tmpl::Value;

std::tm fixed_now() {
  std::tm t{};
  t.tm_year = 2026 - 1900;
  t.tm_mon = 0;
  t.tm_mday = 15;
  t.tm_hour = 10;
  t.tm_min = 30;
  t.tm_wday = 4;
  t.tm_yday = 14;
  return t;
}

bool reference_available() {
  return std::system("/usr/bin/python3 -c 'import jinja2' >/dev/null 2>&1") == 0;
}

std::vector<ReferenceOutcome> render_reference(const std::vector<ReferenceCase>& cases) {
  Array list;
  for (const ReferenceCase& c : cases) {
    list.emplace_back(Object{{"source", Value(c.source)}, {"context", c.context}});
  }
  const std::tm now = fixed_now();
  Object request{{"now", Value(Array{Value(now.tm_year + 1900), Value(now.tm_mon + 1), Value(now.tm_mday),
                                     Value(now.tm_hour), Value(now.tm_min), Value(now.tm_sec)})},
                 {"cases", Value(std::move(list))}};
  const std::string base = std::string(WOOLLY_BINARY_DIR) + "/template_ref_" + std::to_string(::getpid());
  const std::string req_path = base + "_req.json";
  const std::string res_path = base + "_res.json";
  {
    std::ofstream out(req_path, std::ios::binary);
    out << Value(std::move(request)).to_json().value();
  }
  const std::string cmd = "/usr/bin/python3 " + std::string(WOOLLY_SOURCE_DIR) +
                          "/tests/engine/template/hf_render.py " + req_path + " " + res_path;
  const int rc = std::system(cmd.c_str());
  std::ifstream in(res_path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::remove(req_path.c_str());
  std::remove(res_path.c_str());
  EXPECT_EQ(rc, 0) << "reference renderer failed: " << cmd;
  auto parsed = Value::parse_json(text.str());
  EXPECT_TRUE(parsed.ok()) << "reference renderer wrote bad JSON";
  std::vector<ReferenceOutcome> outcomes;
  if (!parsed.ok() || !parsed->is_array()) return outcomes;
  for (const Value& r : parsed->as_array()) {
    ReferenceOutcome o;
    o.ok = r.as_object().find("ok")->as_bool();
    if (o.ok) o.text = r.as_object().find("text")->as_string();
    else o.error = r.as_object().find("error")->as_string();
    outcomes.push_back(std::move(o));
  }
  EXPECT_EQ(outcomes.size(), cases.size());
  return outcomes;
}

namespace {

ChatMessage msg(std::string role, std::string content) {
  ChatMessage m;
  m.role = std::move(role);
  m.content = std::move(content);
  return m;
}

ChatInput base(std::vector<ChatMessage> messages, bool add_generation_prompt = true) {
  ChatInput in;
  in.messages = std::move(messages);
  in.add_generation_prompt = add_generation_prompt;
  in.bos_token = "<s>";
  in.eos_token = "</s>";
  in.now = fixed_now();
  return in;
}

constexpr const char* kTools = R"([
  {"type": "function", "function": {"name": "get_weather",
    "description": "Get the current weather in a city",
    "parameters": {"type": "object", "properties": {
      "city": {"type": "string", "description": "City name"},
      "unit": {"type": "string", "description": "Temperature unit", "enum": ["celsius", "fahrenheit"]}},
     "required": ["city"]}}},
  {"type": "function", "function": {"name": "search",
    "description": "Search the web",
    "parameters": {"type": "object", "properties": {"query": {"type": "string", "description": "What to look for"}}, "required": ["query"]}}}
])";

std::vector<ChatMessage> tool_turns() {
  ChatMessage call;
  call.role = "assistant";
  call.tool_calls.push_back({"call_1", "get_weather", R"({"city": "Paris", "unit": "celsius"})"});
  ChatMessage result = msg("tool", R"({"temperature": 22, "condition": "sunny"})");
  result.tool_call_id = "call_1";
  result.name = "get_weather";
  return {msg("user", "What's the weather in Paris?"), call, result};
}

}  // namespace

std::vector<Conversation> standard_conversations() {
  std::vector<Conversation> out;
  out.push_back({"user_only", base({msg("user", "Hello! What is 2+2?")})});
  out.push_back({"system_user", base({msg("system", "You are a helpful assistant."), msg("user", "Hi there")})});
  out.push_back({"multi_turn", base({msg("system", "You are terse."), msg("user", "What is 2+2?"),
                                     msg("assistant", "4."), msg("user", "And 3+3?")})});
  out.push_back({"no_generation_prompt", base({msg("user", "Hello"), msg("assistant", "Hi! How can I help?")}, false)});
  out.push_back({"unicode", base({msg("user", "Say \"héllo\" to 'wörld' 🌍\n  twice.\n")})});

  ChatInput tools = base(tool_turns());
  EXPECT_TRUE(tools.set_tools_json(kTools).ok());
  out.push_back({"tool_call", tools});

  ChatInput tools_sys = base({msg("system", "Use tools when needed.")});
  for (auto& m : tool_turns()) tools_sys.messages.push_back(m);
  tools_sys.messages.push_back(msg("assistant", "It is 22 °C and sunny in Paris."));
  tools_sys.messages.push_back(msg("user", "Thanks!"));
  EXPECT_TRUE(tools_sys.set_tools_json(kTools).ok());
  out.push_back({"tool_round_trip", tools_sys});

  ChatInput tools_only = base({msg("user", "Find news about Rust.")});
  EXPECT_TRUE(tools_only.set_tools_json(kTools).ok());
  out.push_back({"tools_offered", tools_only});

  ChatInput no_think = base({msg("system", "Be brief."), msg("user", "Why is the sky blue?")});
  no_think.extra.set("enable_thinking", Value(false));
  out.push_back({"thinking_off", no_think});

  ChatInput parallel = base({msg("user", "Weather in Paris and Rome, and news?")});
  ChatMessage calls = msg("assistant", "Let me check.");
  calls.tool_calls.push_back({"call_a", "get_weather", R"({"city": "Paris"})"});
  calls.tool_calls.push_back({"call_b", "search", R"({"query": "Rome news \"today\""})"});
  parallel.messages.push_back(calls);
  for (const char* id : {"call_a", "call_b"}) {
    ChatMessage r = msg("tool", std::string("result for ") + id);
    r.tool_call_id = id;
    r.name = std::string(id) == "call_a" ? "get_weather" : "search";
    parallel.messages.push_back(r);
  }
  EXPECT_TRUE(parallel.set_tools_json(kTools).ok());
  out.push_back({"parallel_tool_calls", parallel});

  ChatInput parts = base({});
  ChatMessage multi;
  multi.role = "user";
  multi.content_parts = Value::parse_json(R"([{"type": "text", "text": "Describe "}, {"type": "text", "text": "this."}])").value();
  parts.messages.push_back(multi);
  out.push_back({"content_parts", parts});

  ChatInput long_chat = base({msg("system", "  Padded system prompt.  \n")});
  for (int i = 0; i < 4; ++i) {
    long_chat.messages.push_back(msg("user", "Question " + std::to_string(i) + "\n\nwith a blank line"));
    long_chat.messages.push_back(msg("assistant", "  Answer " + std::to_string(i) + "  "));
  }
  long_chat.messages.push_back(msg("user", "Last one."));
  out.push_back({"long_chat", long_chat});

  ChatInput think_on = base({msg("user", "Think about 17*23.")});
  think_on.extra.set("enable_thinking", Value(true));
  out.push_back({"thinking_on", think_on});

  ChatInput narrated = base({msg("system", "You can call tools."), msg("user", "Weather in Oslo?")});
  ChatMessage narrated_call = msg("assistant", "Checking the weather.");
  narrated_call.tool_calls.push_back({"call_9", "get_weather", R"({"city": "Oslo", "unit": "celsius"})"});
  narrated.messages.push_back(narrated_call);
  ChatMessage narrated_result = msg("tool", "-3 and snowing");
  narrated_result.tool_call_id = "call_9";
  narrated_result.name = "get_weather";
  narrated.messages.push_back(narrated_result);
  narrated.messages.push_back(msg("assistant", "It is -3 °C and snowing in Oslo."));
  EXPECT_TRUE(narrated.set_tools_json(kTools).ok());
  out.push_back({"tool_call_with_text", narrated});

  out.push_back({"template_syntax_in_content",
                 base({msg("user", "Print {{ x }} and {% if %} literally, plus <|im_end|> and [INST].")})});
  out.push_back({"system_only", base({msg("system", "Only a system prompt.")})});

  ChatInput reasoning = base({msg("user", "2+2?")});
  ChatMessage answer = msg("assistant", "4");
  answer.reasoning_content = "Simple arithmetic.";
  reasoning.messages.push_back(answer);
  reasoning.messages.push_back(msg("user", "Sure?"));
  out.push_back({"reasoning_history", reasoning});
  return out;
}

}  // namespace woolly::engine::testing
