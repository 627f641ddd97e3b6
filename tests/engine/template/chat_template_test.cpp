// ChatTemplate's public behaviour: the context it builds, errors callers see, built-ins and
// the fallback choice. Rendering fidelity is covered against jinja2 in hf_compat_test.cpp.
#include <gtest/gtest.h>

#include "engine/template/builtin_templates.h"
#include "engine/template/chat_template.h"

namespace woolly::engine {
namespace {

using tmpl::Value;

ChatMessage msg(std::string role, std::string content) {
  ChatMessage m;
  m.role = std::move(role);
  m.content = std::move(content);
  return m;
}

std::string render(std::string_view source, const ChatInput& input) {
  auto t = ChatTemplate::parse(source);
  EXPECT_TRUE(t.ok()) << t.error().message;
  auto r = t->render(input);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : "";
}

TEST(ChatTemplateTest, ContextFollowsHuggingFaceConventions) {
  ChatInput in;
  in.messages.push_back(msg("user", "hi"));
  ChatMessage call;
  call.role = "assistant";
  call.tool_calls.push_back({"c1", "get_weather", R"({"city": "Paris"})"});
  call.tool_calls.push_back({"c2", "raw", "not json"});
  in.messages.push_back(call);
  ChatMessage result = msg("tool", "22C");
  result.tool_call_id = "c1";
  result.name = "get_weather";
  in.messages.push_back(result);
  in.extra.set("enable_thinking", Value(false));
  auto ctx = ChatTemplate::make_context(in);
  ASSERT_TRUE(ctx.ok());
  EXPECT_EQ(ctx->to_json().value(),
            R"({"messages": [{"role": "user", "content": "hi"}, )"
            R"({"role": "assistant", "content": null, "tool_calls": [)"
            R"({"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}, )"
            R"({"id": "c2", "type": "function", "function": {"name": "raw", "arguments": "not json"}}]}, )"
            R"({"role": "tool", "content": "22C", "tool_call_id": "c1", "name": "get_weather"}], )"
            R"("tools": null, "documents": null, "add_generation_prompt": true, "bos_token": "", "eos_token": "", )"
            R"("enable_thinking": false})");
}

TEST(ChatTemplateTest, RendersMessagesToolsAndExtras) {
  ChatInput in;
  in.bos_token = "<s>";
  in.messages = {msg("system", "S"), msg("user", "U")};
  ASSERT_TRUE(in.set_tools_json(R"([{"type": "function", "function": {"name": "f"}}])").ok());
  in.extra.set("flag", Value("on"));
  const char* source =
      "{{ bos_token }}{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}"
      "{% for t in tools %}[{{ t.function.name }}]{% endfor %}{{ flag }}"
      "{% if add_generation_prompt %}<assistant>{% endif %}";
  EXPECT_EQ(render(source, in), "<s><system>S<user>U[f]on<assistant>");
  in.add_generation_prompt = false;
  EXPECT_EQ(render(source, in), "<s><system>S<user>U[f]on");
}

TEST(ChatTemplateTest, StrftimeNowUsesTheGivenDate) {
  ChatInput in;
  std::tm t{};
  t.tm_year = 2024 - 1900;
  t.tm_mon = 6;
  t.tm_mday = 26;
  in.now = t;
  EXPECT_EQ(render("{{ strftime_now('%d %b %Y') }}", in), "26 Jul 2024");
}

TEST(ChatTemplateTest, SyntaxErrorsNameTheLine) {
  auto t = ChatTemplate::parse("line one\n{% if x %}\n{{ 1 + }}\n{% endif %}");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, Errc::kInvalidArgument);
  EXPECT_NE(t.error().message.find("line 3"), std::string::npos) << t.error().message;
}

TEST(ChatTemplateTest, UnsupportedConstructsAreReportedNotIgnored) {
  for (const char* source : {"a\n{% include 'x.j2' %}", "{% extends 'base' %}", "{% call m() %}x{% endcall %}",
                             "{{ x|no_such_filter }}", "{% for x in y recursive %}{% endfor %}"}) {
    auto t = ChatTemplate::parse(source);
    ASSERT_FALSE(t.ok()) << source;
    EXPECT_EQ(t.error().code, Errc::kUnsupported) << source;
    EXPECT_NE(t.error().message.find("line"), std::string::npos) << t.error().message;
  }
}

TEST(ChatTemplateTest, RuntimeFailuresAreErrorsNotOutput) {
  ChatInput in;
  in.messages = {msg("user", "x")};
  auto t = ChatTemplate::parse("{{ raise_exception('Only user and assistant roles are supported') }}");
  ASSERT_TRUE(t.ok());
  auto r = t->render(in);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("Only user and assistant roles are supported"), std::string::npos);

  auto printing_generator = ChatTemplate::parse("{{ messages|selectattr('role') }}");
  ASSERT_TRUE(printing_generator.ok());
  auto g = printing_generator->render(in);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, Errc::kUnsupported);

  auto deep = ChatTemplate::parse("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
  ASSERT_TRUE(deep.ok());
  EXPECT_EQ(deep->render(in).error().code, Errc::kOutOfRange);

  auto mutate = ChatTemplate::parse("{% set l = [] %}{{ l.append(1) }}");
  ASSERT_TRUE(mutate.ok());
  EXPECT_FALSE(mutate->render(in).ok());
}

TEST(ChatTemplateTest, HostileTemplatesHitLimitsInsteadOfCrashingOrHanging) {
  const std::string deep_expr = "{{ " + std::string(100000, '(') + "1" + std::string(100000, ')') + " }}";
  auto a = ChatTemplate::parse(deep_expr);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, Errc::kOutOfRange);

  std::string deep_ifs;
  for (int i = 0; i < 5000; ++i) deep_ifs += "{% if true %}";
  for (int i = 0; i < 5000; ++i) deep_ifs += "{% endif %}";
  EXPECT_EQ(ChatTemplate::parse(deep_ifs).error().code, Errc::kOutOfRange);

  ChatInput in;
  auto slow = ChatTemplate::parse("{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}");
  ASSERT_TRUE(slow.ok());
  EXPECT_EQ(slow->render(in).error().code, Errc::kOutOfRange);

  auto big = ChatTemplate::parse("{% for a in range(100000) %}{{ 'x' * 1000 }}{% endfor %}");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->render(in).error().code, Errc::kOutOfRange);
}

TEST(ChatTemplateTest, ParsedTemplateIsReusableAndCopyable) {
  auto t = ChatTemplate::parse("{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}");
  ASSERT_TRUE(t.ok());
  ChatTemplate copy = *t;
  ChatInput in;
  in.messages = {msg("user", "a"), msg("assistant", "b")};
  EXPECT_EQ(t->render(in).value(), "2");
  EXPECT_EQ(copy.render(in).value(), "2");  // no state leaks from one render to the next
}

TEST(BuiltinTemplatesTest, EveryBuiltinParsesAndRendersATurn) {
  ChatInput in;
  in.bos_token = "<s>";
  in.eos_token = "</s>";
  in.messages = {msg("system", "Be kind."), msg("user", "Hello"), msg("assistant", "Hi"), msg("user", "Bye")};
  for (std::string_view name : builtin_template_names()) {
    auto t = builtin_template(name);
    ASSERT_TRUE(t.ok()) << name << ": " << t.error().message;
    auto r = t->render(in);
    ASSERT_TRUE(r.ok()) << name << ": " << r.error().message;
    EXPECT_NE(r->find("Hello"), std::string::npos) << name;
    EXPECT_NE(r->find("Be kind."), std::string::npos) << name;
  }
  EXPECT_EQ(builtin_template("llama3")->render(in).value(),
            "<s><|start_header_id|>system<|end_header_id|>\n\nBe kind.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\nHi<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nBye<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
  EXPECT_EQ(builtin_template("chatml")->render(in).value(),
            "<|im_start|>system\nBe kind.<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n"
            "<|im_start|>assistant\nHi<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(builtin_template("mistral")->render(in).value(), "<s>[INST] Be kind.\n\nHello [/INST] Hi</s>[INST] Bye [/INST]");
  EXPECT_EQ(builtin_template("no-such").error().code, Errc::kNotFound);
}

TEST(BuiltinTemplatesTest, GuessesFamilyFromTemplateTextThenSpecialTokens) {
  EXPECT_EQ(guess_builtin_template("{{ '<|start_header_id|>' }}", {}), "llama3");
  EXPECT_EQ(guess_builtin_template("<start_of_turn>user", {}), "gemma");
  EXPECT_EQ(guess_builtin_template("[INST] {{ x }} [/INST]", {}), "llama2");
  EXPECT_EQ(guess_builtin_template("<|user|>{{ c }}<|end|><|assistant|>", {}), "phi3");
  EXPECT_EQ(guess_builtin_template("", {"<s>", "<|im_start|>"}), "chatml");
  EXPECT_EQ(guess_builtin_template("", {"<|start_header_id|>"}), "llama3");
  EXPECT_EQ(guess_builtin_template("", {"<bos>", "<end_of_turn>"}), "gemma");
  EXPECT_EQ(guess_builtin_template("", {"</s>", "[/INST]"}), "llama2");
  EXPECT_EQ(guess_builtin_template("", {}), "chatml");
}

TEST(BuiltinTemplatesTest, ChoosesModelTemplateOrFallsBackWithAReason) {
  auto own = choose_chat_template("{{ messages[0].content }}", "", {});
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->name, "model");
  EXPECT_TRUE(own->note.empty());

  auto broken = choose_chat_template("<start_of_turn>{% include 'x' %}", "auto", {});
  ASSERT_TRUE(broken.ok());
  EXPECT_EQ(broken->name, "gemma");
  EXPECT_NE(broken->note.find("include"), std::string::npos) << broken->note;

  auto missing = choose_chat_template("", "", {"<|start_header_id|>"});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->name, "llama3");
  EXPECT_FALSE(missing->note.empty());

  auto forced = choose_chat_template("{{ 'model' }}", "phi3", {});
  ASSERT_TRUE(forced.ok());
  EXPECT_EQ(forced->name, "phi3");

  EXPECT_FALSE(choose_chat_template("", "nonsense", {}).ok());
}

}  // namespace
}  // namespace woolly::engine
