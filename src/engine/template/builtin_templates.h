// Built-in chat templates, for models whose own template is missing or cannot be rendered, and
// for `engine.chat_template = "<name>"` in the config. They are Jinja sources rendered by the
// same engine, so they share its tests.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "engine/template/chat_template.h"

namespace woolly::engine {

// "chatml", "llama3", "llama2" (also "mistral"), "gemma", "phi3".
std::span<const std::string_view> builtin_template_names();
std::optional<std::string_view> builtin_template_source(std::string_view name);
Result<ChatTemplate> builtin_template(std::string_view name);

// The built-in whose turn markers appear in the model's template text, or failing that among
// its special tokens (vocabulary pieces such as "<|im_start|>"); "chatml" when nothing matches.
std::string_view guess_builtin_template(std::string_view template_text,
                                        const std::vector<std::string>& special_tokens);

struct ChosenTemplate {
  ChatTemplate chat_template;
  std::string name;  // "model" for the model's own template, else the built-in's name
  std::string note;  // why a built-in was taken instead of the model's template, for the log
};

// `configured` names a built-in to force (empty or "auto": the model's template). A model
// template that fails to parse falls back to the guessed built-in, with the reason in `note`.
// Only an unknown configured name is an error.
Result<ChosenTemplate> choose_chat_template(std::string_view model_template,
                                            std::string_view configured,
                                            const std::vector<std::string>& special_tokens);

}  // namespace woolly::engine
