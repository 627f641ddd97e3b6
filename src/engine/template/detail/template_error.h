// The interpreter reports failures by throwing TemplateError, caught at the two public entry
// points (parse and render) and turned into a Result there. A template failure always aborts the
// whole render, so unwinding is the honest model; it never crosses the module boundary.
#pragma once

#include <string>

#include "common/error.h"

namespace woolly::engine::tmpl::detail {

struct TemplateError {
  Errc code;
  std::string message;
};

[[noreturn]] inline void throw_error(Errc code, int line, const std::string& message) {
  throw TemplateError{code, line > 0 ? "line " + std::to_string(line) + ": " + message : message};
}

}  // namespace woolly::engine::tmpl::detail
