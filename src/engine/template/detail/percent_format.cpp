// Python's printf-style formatting (`"%s: %d" % (a, b)`), which jinja2 also exposes as the
// `format` filter.
#include <cstdio>

#include "engine/template/detail/builtins.h"
#include "engine/template/detail/template_error.h"

namespace woolly::engine::tmpl::detail {

std::string py_percent_format(const std::string& fmt, const Value& args, int line) {
  // A tuple supplies the values in order; a dict supplies %(name)s; anything else is one value.
  const bool positional = args.is_array() && args.is_tuple();
  size_t next = 0;
  auto take = [&]() -> const Value& {
    if (!positional) {
      if (next++ > 0) throw_error(Errc::kInvalidArgument, line, "not enough arguments for format string");
      return args;
    }
    if (next >= args.as_array().size()) throw_error(Errc::kInvalidArgument, line, "not enough arguments for format string");
    return args.as_array()[next++];
  };
  std::string out;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    if (++i >= fmt.size()) throw_error(Errc::kInvalidArgument, line, "incomplete format");
    const Value* mapped = nullptr;
    if (fmt[i] == '(') {
      const size_t close = fmt.find(')', i);
      if (close == std::string::npos || !args.is_object()) throw_error(Errc::kInvalidArgument, line, "format requires a mapping");
      mapped = args.as_object().find(fmt.substr(i + 1, close - i - 1));
      if (mapped == nullptr) throw_error(Errc::kInvalidArgument, line, "format key missing");
      i = close + 1;
    }
    std::string spec = "%";
    while (i < fmt.size() && std::string_view("-+ #0").find(fmt[i]) != std::string_view::npos) spec += fmt[i++];
    while (i < fmt.size() && fmt[i] >= '0' && fmt[i] <= '9') spec += fmt[i++];
    if (i < fmt.size() && fmt[i] == '.') {
      spec += fmt[i++];
      while (i < fmt.size() && fmt[i] >= '0' && fmt[i] <= '9') spec += fmt[i++];
    }
    if (i >= fmt.size()) throw_error(Errc::kInvalidArgument, line, "incomplete format");
    const char conv = fmt[i];
    if (conv == '%' && spec == "%") {
      out += '%';
      continue;
    }
    const Value& v = mapped != nullptr ? *mapped : take();
    char buf[512];
    if (conv == 's' || conv == 'r') {
      const std::string text = conv == 's' ? v.str() : v.repr();
      if (spec.find('.') != std::string::npos || text.size() > 400) {
        throw_error(Errc::kUnsupported, line, "precision in %s formatting is not supported");
      }
      std::snprintf(buf, sizeof buf, (spec + "s").c_str(), text.c_str());
      out += buf;
    } else if (conv == 'd' || conv == 'i' || conv == 'x' || conv == 'X' || conv == 'o') {
      if (!v.is_number()) throw_error(Errc::kInvalidArgument, line, "%d format: a number is required");
      std::snprintf(buf, sizeof buf, (spec + "ll" + (conv == 'i' ? 'd' : conv)).c_str(), static_cast<long long>(v.as_int()));
      out += buf;
    } else if (conv == 'f' || conv == 'F' || conv == 'e' || conv == 'E' || conv == 'g' || conv == 'G') {
      if (!v.is_number()) throw_error(Errc::kInvalidArgument, line, "%f format: a number is required");
      std::snprintf(buf, sizeof buf, (spec + conv).c_str(), v.as_double());
      out += buf;
    } else {
      throw_error(Errc::kUnsupported, line, std::string("%") + conv + " formatting is not supported");
    }
  }
  if (positional && next < args.as_array().size()) {
    throw_error(Errc::kInvalidArgument, line, "not all arguments converted during string formatting");
  }
  return out;
}

}  // namespace woolly::engine::tmpl::detail
