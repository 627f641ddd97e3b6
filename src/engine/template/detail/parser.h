// Builds the syntax tree from tokens, following Jinja2's grammar and operator precedence.
#pragma once

#include <string_view>

#include "engine/template/detail/ast.h"

namespace woolly::engine::tmpl::detail {

// Throws TemplateError: kInvalidArgument for syntax errors, kUnsupported for valid Jinja2 this
// engine does not implement (include, extends, call blocks, ...), both with the line.
Body parse_template(std::string_view source);

}  // namespace woolly::engine::tmpl::detail
