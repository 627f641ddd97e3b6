#include "engine/template/builtin_templates.h"

#include <algorithm>
#include <array>

namespace woolly::engine {

namespace {

// ChatML (Qwen, Hermes, many fine-tunes); tools and calls in the Hermes style.
constexpr std::string_view kChatml = R"JINJA({%- if tools %}
{{- '<|im_start|>system\n' }}
{%- if messages[0].role == 'system' %}
{{- messages[0].content + '\n\n' }}
{%- endif %}
{{- 'You may call one or more functions. Function signatures are inside <tools></tools>:\n<tools>' }}
{%- for tool in tools %}
{{- '\n' + (tool | tojson) }}
{%- endfor %}
{{- '\n</tools>\nFor each call, return a JSON object with the function name and arguments inside <tool_call></tool_call> tags.<|im_end|>\n' }}
{%- elif messages[0].role == 'system' %}
{{- '<|im_start|>system\n' + messages[0].content + '<|im_end|>\n' }}
{%- endif %}
{%- for message in messages %}
{%- if message.role == 'system' and loop.first %}
{%- elif message.role == 'tool' %}
{{- '<|im_start|>user\n<tool_response>\n' + message.content + '\n</tool_response><|im_end|>\n' }}
{%- else %}
{{- '<|im_start|>' + message.role + '\n' }}
{%- if message.content is string %}{{- message.content }}{%- endif %}
{%- for call in message.tool_calls | default([]) %}
{%- if message.content or not loop.first %}{{- '\n' }}{%- endif %}
{{- '<tool_call>\n{"name": "' + call.function.name + '", "arguments": ' }}
{%- if call.function.arguments is string %}{{- call.function.arguments }}{%- else %}{{- call.function.arguments | tojson }}{%- endif %}
{{- '}\n</tool_call>' }}
{%- endfor %}
{{- '<|im_end|>\n' }}
{%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
{{- '<|im_start|>assistant\n' }}
{%- endif %})JINJA";

// Llama 3.x headers; tool results go to the "ipython" role as Meta's templates do.
constexpr std::string_view kLlama3 = R"JINJA({{- bos_token }}
{%- for message in messages %}
{%- set role = 'ipython' if message.role == 'tool' else message.role %}
{{- '<|start_header_id|>' + role + '<|end_header_id|>\n\n' }}
{%- if message.content is string %}{{- message.content | trim }}{%- endif %}
{%- for call in message.tool_calls | default([]) %}
{{- '{"name": "' + call.function.name + '", "parameters": ' }}
{%- if call.function.arguments is string %}{{- call.function.arguments }}{%- else %}{{- call.function.arguments | tojson }}{%- endif %}
{{- '}' }}
{%- endfor %}
{{- '<|eot_id|>' }}
{%- endfor %}
{%- if add_generation_prompt %}
{{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
{%- endif %})JINJA";

// Llama 2 / Mistral [INST] turns; the system prompt joins the first user turn.
constexpr std::string_view kLlama2 = R"JINJA({{- bos_token }}
{%- set ns = namespace(system='') %}
{%- if messages and messages[0].role == 'system' %}
{%- set ns.system = messages[0].content %}
{%- set messages = messages[1:] %}
{%- endif %}
{%- for message in messages %}
{%- if message.role == 'user' or message.role == 'tool' %}
{%- set text = message.content if message.content is string else '' %}
{%- if loop.first and ns.system %}{%- set text = ns.system + '\n\n' + text %}{%- endif %}
{{- '[INST] ' + text + ' [/INST]' }}
{%- elif message.role == 'assistant' %}
{{- ' ' + (message.content if message.content is string else '') + eos_token }}
{%- else %}
{{- raise_exception('Unknown role: ' + message.role) }}
{%- endif %}
{%- endfor %})JINJA";

// Gemma turns; Gemma has no system role, so the system prompt opens the first user turn.
constexpr std::string_view kGemma = R"JINJA({{- bos_token }}
{%- set ns = namespace(system='') %}
{%- if messages and messages[0].role == 'system' %}
{%- set ns.system = messages[0].content + '\n\n' %}
{%- set messages = messages[1:] %}
{%- endif %}
{%- for message in messages %}
{%- set role = 'model' if message.role == 'assistant' else 'user' %}
{%- set text = message.content if message.content is string else '' %}
{%- if loop.first %}{%- set text = ns.system + text %}{%- endif %}
{{- '<start_of_turn>' + role + '\n' + (text | trim) + '<end_of_turn>\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
{{- '<start_of_turn>model\n' }}
{%- endif %})JINJA";

// Phi-3 role tags.
constexpr std::string_view kPhi3 = R"JINJA({%- for message in messages %}
{%- set role = 'user' if message.role == 'tool' else message.role %}
{{- '<|' + role + '|>\n' + (message.content if message.content is string else '') + '<|end|>\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
{{- '<|assistant|>\n' }}
{%- else %}
{{- eos_token }}
{%- endif %})JINJA";

struct Builtin {
  std::string_view name;
  std::string_view source;
  std::array<std::string_view, 2> markers;  // turn markers that identify the family
};

// Checked in this order: a template that mentions several families (e.g. a ChatML template
// quoting "[INST]") is most likely the first one listed.
constexpr std::array<Builtin, 6> kBuiltins = {{
    {"chatml", kChatml, {"<|im_start|>", "<|im_end|>"}},
    {"llama3", kLlama3, {"<|start_header_id|>", "<|eot_id|>"}},
    {"gemma", kGemma, {"<start_of_turn>", "<end_of_turn>"}},
    {"phi3", kPhi3, {"<|assistant|>", "<|end|>"}},
    {"llama2", kLlama2, {"[INST]", "[/INST]"}},
    {"mistral", kLlama2, {"[INST]", "[/INST]"}},
}};

constexpr std::array<std::string_view, 6> kNames = {"chatml", "llama3", "llama2", "mistral", "gemma", "phi3"};

}  // namespace

std::span<const std::string_view> builtin_template_names() { return kNames; }

std::optional<std::string_view> builtin_template_source(std::string_view name) {
  for (const Builtin& b : kBuiltins) {
    if (b.name == name) return b.source;
  }
  return std::nullopt;
}

Result<ChatTemplate> builtin_template(std::string_view name) {
  auto source = builtin_template_source(name);
  if (!source) return make_error(Errc::kNotFound, "no built-in chat template named '" + std::string(name) + "'");
  return ChatTemplate::parse(*source);
}

std::string_view guess_builtin_template(std::string_view template_text,
                                        const std::vector<std::string>& special_tokens) {
  for (const Builtin& b : kBuiltins) {
    for (std::string_view marker : b.markers) {
      if (template_text.find(marker) != std::string_view::npos) return b.name;
    }
  }
  for (const Builtin& b : kBuiltins) {
    for (std::string_view marker : b.markers) {
      if (std::find(special_tokens.begin(), special_tokens.end(), marker) != special_tokens.end()) {
        return b.name;
      }
    }
  }
  return "chatml";
}

Result<ChosenTemplate> choose_chat_template(std::string_view model_template,
                                            std::string_view configured,
                                            const std::vector<std::string>& special_tokens) {
  if (!configured.empty() && configured != "auto") {
    WOOLLY_ASSIGN_OR_RETURN(ChatTemplate t, builtin_template(configured));
    return ChosenTemplate{std::move(t), std::string(configured), ""};
  }
  std::string note;
  if (model_template.empty()) {
    note = "the model has no chat template";
  } else {
    auto parsed = ChatTemplate::parse(model_template);
    if (parsed.ok()) return ChosenTemplate{std::move(parsed).value(), "model", ""};
    note = "the model's chat template cannot be used (" + parsed.error().message + ")";
  }
  const std::string_view name = guess_builtin_template(model_template, special_tokens);
  WOOLLY_ASSIGN_OR_RETURN(ChatTemplate t, builtin_template(name));
  note += "; using the built-in '" + std::string(name) + "' template";
  return ChosenTemplate{std::move(t), std::string(name), std::move(note)};
}

}  // namespace woolly::engine
