// A JSON string literal for the CLI's hand-written JSON output (generate, tokenize).
#pragma once

#include <string>
#include <string_view>

namespace woolly::app::detail {

// Escapes quotes, backslashes and control characters. Invalid UTF-8 passes through as is: the
// pieces of byte tokens are not text on their own.
std::string json_quoted(std::string_view s);

}  // namespace woolly::app::detail
