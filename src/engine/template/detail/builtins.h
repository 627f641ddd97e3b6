// The built-in filters, tests, methods and global functions the interpreter offers, matching
// Python jinja2 under Hugging Face's sandboxed environment.
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/template/value.h"

namespace woolly::engine::tmpl {

namespace detail {
class Interpreter;
}  // namespace detail

// Arguments of a call as written in the template.
struct CallArgs {
  std::vector<Value> pos;
  std::vector<std::pair<std::string, Value>> kw;
  int line = 0;
};

// Anything a template can call: macros, globals such as range() and bound methods.
class Callable {
 public:
  virtual ~Callable() = default;
  virtual Value call(detail::Interpreter& interp, CallArgs& args) const = 0;
};

namespace detail {

bool is_known_filter(std::string_view name);
bool is_known_test(std::string_view name);

Value apply_filter(Interpreter& interp, std::string_view name, const Value& input, CallArgs& args);
bool apply_test(Interpreter& interp, std::string_view name, const Value& input, CallArgs& args);

// Methods of str, dict and list that templates call (s.strip(), d.items(), ...). Returns false
// when `self` has no such method; mutating list and dict methods throw, as the immutable sandbox
// refuses them.
bool has_method(const Value& self, std::string_view name);
Value call_method(const Value& self, std::string_view name, CallArgs& args);
// `self.name` without a call: a callable that runs the method later.
Value bind_method(const Value& self, const std::string& name);

// The global functions: range, namespace, dict, raise_exception, strftime_now, ...
const Value* find_global(std::string_view name);

// Binds call arguments to parameter names in order (positional first, then by keyword); a
// parameter not given stays Undefined. Throws for unknown keywords or too many arguments.
std::vector<Value> bind_args(CallArgs& args, std::initializer_list<std::string_view> names,
                             std::string_view what);

// Python's `fmt % args` (args: a tuple, a dict for %(name)s, or one value).
std::string py_percent_format(const std::string& fmt, const Value& args, int line);

// Python string helpers shared by filters and methods.
std::string py_strip(std::string_view s, const Value& chars, bool left, bool right);
// Case mapping as Python's str methods do it (see case_mapping.cpp for the scripts covered).
std::string py_upper(std::string_view s);
std::string py_lower(std::string_view s);
std::string py_capitalize(std::string_view s);
// str.title() when !jinja_words; jinja2's title filter (words start after - ( { [ < or space).
std::string py_title(std::string_view s, bool jinja_words);
bool py_is_lower(std::string_view s);
bool py_is_upper(std::string_view s);
size_t utf8_length(std::string_view s);
// markupsafe's escape: & < > " ' as HTML entities.
std::string html_escape(std::string_view s);
std::vector<std::string> utf8_chars(std::string_view s);
bool is_py_space_char(std::string_view utf8_char);

}  // namespace detail
}  // namespace woolly::engine::tmpl
