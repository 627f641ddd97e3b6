// Splits a template into text and tag tokens the way Jinja2's lexer does under Hugging Face's
// settings (trim_blocks and lstrip_blocks on, no trailing newline kept).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace woolly::engine::tmpl::detail {

enum class TokenType {
  kText,
  kVarBegin,    // {{
  kVarEnd,      // }}
  kBlockBegin,  // {%
  kBlockEnd,    // %}
  kName,
  kString,      // text holds the decoded value
  kInt,
  kFloat,
  kOp,          // punctuation and operators, e.g. "==", "(", "|"
  kEof,
};

struct Token {
  TokenType type;
  std::string text;
  int line;
};

// Throws TemplateError on malformed input (unterminated tag or string, stray character).
std::vector<Token> tokenize(std::string_view source);

}  // namespace woolly::engine::tmpl::detail
