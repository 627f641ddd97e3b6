// Jinja2's built-in filters (and Hugging Face's tojson), with Python's behaviour for the values
// chat templates pass them.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <unordered_map>

#include "engine/template/detail/builtins.h"
#include "engine/template/detail/interpreter.h"

namespace woolly::engine::tmpl::detail {

namespace {

using FilterFn = Value (*)(Interpreter&, const Value&, CallArgs&);

[[noreturn]] void bad(const CallArgs& args, const std::string& msg) {
  throw_error(Errc::kInvalidArgument, args.line, msg);
}

bool arg_bool(const Value& v, bool dflt) { return v.is_undefined() ? dflt : v.truthy(); }

// Dotted attribute paths such as "function.name", as jinja2's make_attrgetter reads them.
Value get_path(Interpreter& interp, const Value& item, const Value& path, int line) {
  if (path.is_int()) return interp.get_item(item, path, line);
  const std::string& p = path.as_string();
  Value cur = item;
  size_t start = 0;
  while (true) {
    const size_t dot = p.find('.', start);
    std::string part = p.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    const bool numeric = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    cur = numeric ? interp.get_item(cur, Value(static_cast<int64_t>(std::stoll(part))), line)
                  : interp.get_item(cur, Value(part), line);
    if (dot == std::string::npos) return cur;
    start = dot + 1;
  }
}

size_t length_of(const Value& v, int line) {
  switch (v.kind()) {
    case Kind::kUndefined: return 0;
    case Kind::kString: return utf8_length(v.as_string());
    case Kind::kArray: return v.as_array().size();
    case Kind::kObject:
      if (!v.as_object().is_namespace()) return v.as_object().size();
      break;
    default: break;
  }
  throw_error(Errc::kInvalidArgument, line, "object has no len()");
}

Value f_tojson(Interpreter&, const Value& in, CallArgs& args) {
  auto a = bind_args(args, {"ensure_ascii", "indent", "separators", "sort_keys"}, "tojson");
  JsonOptions o;
  o.ensure_ascii = arg_bool(a[0], false);
  if (!a[1].is_undefined() && !a[1].is_none()) {
    if (a[1].is_string()) throw_error(Errc::kUnsupported, args.line, "string indent in tojson is not supported");
    o.indent = static_cast<int>(a[1].as_int());
  }
  if (!a[2].is_undefined() && !a[2].is_none()) {
    if (!a[2].is_array() || a[2].as_array().size() != 2) bad(args, "separators must be a pair");
    o.item_separator = a[2].as_array()[0].str();
    o.key_separator = a[2].as_array()[1].str();
    if (o.item_separator.empty() || o.key_separator.empty()) {
      throw_error(Errc::kUnsupported, args.line, "empty JSON separators are not supported");
    }
  }
  o.sort_keys = arg_bool(a[3], false);
  auto r = in.to_json(o);
  if (!r.ok()) bad(args, r.error().message);
  return Value(std::move(r).value());
}

Value f_trim(Interpreter&, const Value& in, CallArgs& args) {
  auto a = bind_args(args, {"chars"}, "trim");
  return Value(py_strip(in.str(), a[0], true, true));
}

Value f_length(Interpreter&, const Value& in, CallArgs& args) {
  return Value(static_cast<int64_t>(length_of(in, args.line)));
}

Value f_join(Interpreter& interp, const Value& in, CallArgs& args) {
  auto a = bind_args(args, {"d", "attribute"}, "join");
  const std::string sep = a[0].is_undefined() ? "" : a[0].str();
  std::string out;
  bool first = true;
  for (const Value& item : iterate(in, args.line)) {
    if (!first) out += sep;
    first = false;
    if (!a[1].is_undefined() && !a[1].is_none()) get_path(interp, item, a[1], args.line).append_str(out);
    else item.append_str(out);
  }
  return Value(std::move(out));
}

Value f_map(Interpreter& interp, const Value& in, CallArgs& args) {
  Array out;
  if (!in.truthy()) return Value::iterator({});  // jinja2 maps nothing over a falsy value
  const Value* attribute = nullptr;
  const Value* dflt = nullptr;
  for (const auto& [k, v] : args.kw) {
    if (k == "attribute") attribute = &v;
    else if (k == "default") dflt = &v;
  }
  if (attribute != nullptr) {
    for (const Value& item : iterate(in, args.line)) {
      Value v = get_path(interp, item, *attribute, args.line);
      out.push_back(v.is_undefined() && dflt != nullptr ? *dflt : v);
    }
    return Value::iterator(std::move(out));
  }
  if (args.pos.empty() || !args.pos[0].is_string()) bad(args, "map requires a filter name or attribute");
  const std::string name = args.pos[0].as_string();
  if (!is_known_filter(name)) bad(args, "no filter named '" + name + "'");
  CallArgs rest;
  rest.line = args.line;
  rest.pos.assign(args.pos.begin() + 1, args.pos.end());
  rest.kw = args.kw;
  for (const Value& item : iterate(in, args.line)) {
    CallArgs copy = rest;
    out.push_back(apply_filter(interp, name, item, copy));
  }
  return Value::iterator(std::move(out));
}

Value select_impl(Interpreter& interp, const Value& in, CallArgs& args, bool by_attr, bool keep) {
  size_t next = 0;
  Value attr;
  if (by_attr) {
    if (args.pos.empty()) bad(args, "selectattr requires an attribute name");
    attr = args.pos[next++];
  }
  std::string test;
  if (next < args.pos.size()) {
    if (!args.pos[next].is_string()) bad(args, "test name must be a string");
    test = args.pos[next++].as_string();
    if (!is_known_test(test)) bad(args, "no test named '" + test + "'");
  }
  CallArgs test_args;
  test_args.line = args.line;
  test_args.pos.assign(args.pos.begin() + static_cast<std::ptrdiff_t>(next), args.pos.end());
  Array out;
  if (!in.truthy()) return Value::iterator({});  // jinja2 selects nothing from a falsy value
  for (const Value& item : iterate(in, args.line)) {
    const Value subject = by_attr ? get_path(interp, item, attr, args.line) : item;
    bool ok;
    if (test.empty()) {
      ok = subject.truthy();
    } else {
      CallArgs copy = test_args;
      ok = apply_test(interp, test, subject, copy);
    }
    if (ok == keep) out.push_back(item);
  }
  return Value::iterator(std::move(out));
}

Value f_select(Interpreter& i, const Value& in, CallArgs& a) { return select_impl(i, in, a, false, true); }
Value f_reject(Interpreter& i, const Value& in, CallArgs& a) { return select_impl(i, in, a, false, false); }
Value f_selectattr(Interpreter& i, const Value& in, CallArgs& a) { return select_impl(i, in, a, true, true); }
Value f_rejectattr(Interpreter& i, const Value& in, CallArgs& a) { return select_impl(i, in, a, true, false); }

Value f_first(Interpreter&, const Value& in, CallArgs& args) {
  Array items = iterate(in, args.line);
  return items.empty() ? Value() : items.front();
}

Value f_last(Interpreter&, const Value& in, CallArgs& args) {
  if (in.is_iterator()) bad(args, "a generator cannot be reversed");
  Array items = iterate(in, args.line);
  return items.empty() ? Value() : items.back();
}

Value f_default(Interpreter&, const Value& in, CallArgs& args) {
  auto a = bind_args(args, {"default_value", "boolean"}, "default");
  const bool use_default = in.is_undefined() || (arg_bool(a[1], false) && !in.truthy());
  if (!use_default) return in;
  return a[0].is_undefined() && args.pos.empty() ? Value("") : a[0];
}

Value f_string(Interpreter&, const Value& in, CallArgs&) {
  if (in.is_iterator() || in.is_callable()) throw_error(Errc::kUnsupported, 0, "cannot print a generator");
  if (in.is_string()) return in;
  return Value(in.str());
}

// Python int(): optional sign, digits and underscores, surrounding whitespace.
bool parse_py_int(std::string s, int base, int64_t& out) {
  s = py_strip(s, Value(), true, true);
  s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
  if (s.empty()) return false;
  char* end = nullptr;
  if (base == 16 && s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s = s.substr(2);
  out = std::strtoll(s.c_str(), &end, base);
  return end != nullptr && *end == '\0';
}

bool parse_py_float(const std::string& raw, double& out) {
  const std::string s = py_strip(raw, Value(), true, true);
  if (s.empty()) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end != nullptr && *end == '\0';
}

Value f_int(Interpreter&, const Value& in, CallArgs& args) {
  auto a = bind_args(args, {"default", "base"}, "int");
  const Value dflt = a[0].is_undefined() ? Value(0) : a[0];
  const int base = a[1].is_undefined() ? 10 : static_cast<int>(a[1].as_int());
  if (in.is_number()) return Value(in.as_int());
  if (in.is_string()) {
    int64_t i = 0;
    if (parse_py_int(in.as_string(), base, i)) return Value(i);
    double d = 0;
    if (parse_py_float(in.as_string(), d) && std::isfinite(d)) return Value(static_cast<int64_t>(d));
  }
  return dflt;
}

Value f_float(Interpreter&, const Value& in, CallArgs& args) {
  auto a = bind_args(args, {"default"}, "float");
  const Value dflt = a[0].is_undefined() ? Value(0.0) : a[0];
  if (in.is_number()) return Value(in.as_double());
  double d = 0;
  if (in.is_string() && parse_py_float(in.as_string(), d)) return Value(d);
  return dflt;
}

Value f_list(Interpreter&, const Value& in, CallArgs& args) { return Value(iterate(in, args.line)); }

Value f_items(Interpreter&, const Value& in, CallArgs& args) {
  if (in.is_undefined()) return Value::iterator({});
  if (!in.is_object()) bad(args, "items filter needs a mapping");
  Array out;
  const Object& obj = in.as_object();
  for (size_t i = 0; i < obj.size(); ++i) out.push_back(Value::tuple(Array{obj.key_at(i), (obj.begin() + static_cast<std::ptrdiff_t>(i))->second}));
  return Value::iterator(std::move(out));
}

Value f_unique(Interpreter& interp, const Value& in, CallArgs& args) {
  auto a = bind_args(args, {"case_sensitive", "attribute"}, "unique");
  const bool cs = arg_bool(a[0], false);
  Array out;
  std::vector<Value> seen;
  for (const Value& item : iterate(in, args.line)) {
    Value key = a[1].is_undefined() || a[1].is_none() ? item : get_path(interp, item, a[1], args.line);
    if (!cs && key.is_string()) key = Value(py_lower(key.as_string()));
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    out.push_back(item);
  }
  return Value::iterator(std::move(out));
}

Value f_replace(Interpreter&, const Value& in, CallArgs& args) {
  auto a = bind_args(args, {"old", "new", "count"}, "replace");
  CallArgs m;
  m.line = args.line;
  m.pos = {Value(a[0].str()), Value(a[1].str())};
  if (!a[2].is_undefined() && !a[2].is_none()) m.pos.push_back(a[2]);
  return call_method(Value(in.str()), "replace", m);
}

Value f_upper(Interpreter&, const Value& in, CallArgs&) { return Value(py_upper(in.str())); }
Value f_lower(Interpreter&, const Value& in, CallArgs&) { return Value(py_lower(in.str())); }

Value f_capitalize(Interpreter&, const Value& in, CallArgs&) { return Value(py_capitalize(in.str())); }
Value f_title(Interpreter&, const Value& in, CallArgs&) { return Value(py_title(in.str(), true)); }

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::string cur;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == '\x1c' || c == '\x1d' || c == '\x1e') {
      if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      lines.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) lines.push_back(std::move(cur));
  return lines;
}

Value f_indent(Interpreter&, const Value& in, CallArgs& args) {
  auto a = bind_args(args, {"width", "first", "blank"}, "indent");
  const std::string pad = a[0].is_string() ? a[0].as_string()
                          : a[0].is_undefined() ? std::string(4, ' ')
                                                : std::string(static_cast<size_t>(a[0].as_int()), ' ');
  std::vector<std::string> lines = split_lines(in.str() + "\n");
  std::string out;
  if (arg_bool(a[2], false)) {
    for (size_t i = 0; i < lines.size(); ++i) {
      if (i > 0) out += "\n" + pad;
      out += lines[i];
    }
  } else {
    out = lines.empty() ? "" : lines[0];
    for (size_t i = 1; i < lines.size(); ++i) {
      out += "\n";
      if (!lines[i].empty()) out += pad + lines[i];
    }
  }
  if (arg_bool(a[1], false)) out = pad + out;
  return Value(std::move(out));
}

Value f_round(Interpreter&, const Value& in, CallArgs& args) {
  auto a = bind_args(args, {"precision", "method"}, "round");
  const int precision = a[0].is_undefined() ? 0 : static_cast<int>(a[0].as_int());
  const std::string method = a[1].is_undefined() ? "common" : a[1].str();
  if (!in.is_number()) bad(args, "round needs a number");
  if (method == "common" && in.is_int() && precision >= 0) return in;
  const double x = in.as_double();
  const double scale = std::pow(10.0, precision);
  if (method == "floor") return Value(std::floor(x * scale) / scale);
  if (method == "ceil") return Value(std::ceil(x * scale) / scale);
  if (method != "common") bad(args, "method must be common, ceil or floor");
  // printf rounds the exact binary value half-to-even, as Python's round() does.
  char buf[512];
  std::snprintf(buf, sizeof buf, "%.*f", std::max(precision, 0), x);
  return Value(std::strtod(buf, nullptr));
}

Value f_sum(Interpreter& interp, const Value& in, CallArgs& args) {
  auto a = bind_args(args, {"attribute", "start"}, "sum");
  Value total = a[1].is_undefined() ? Value(0) : a[1];
  for (const Value& item : iterate(in, args.line)) {
    Value v = a[0].is_undefined() || a[0].is_none() ? item : get_path(interp, item, a[0], args.line);
    if (!v.is_number() || !total.is_number()) bad(args, "sum needs numbers");
    total = total.is_float() || v.is_float() ? Value(total.as_double() + v.as_double())
                                             : Value(total.as_int() + v.as_int());
  }
  return total;
}

Value sort_key(const Value& v, bool case_sensitive) {
  return !case_sensitive && v.is_string() ? Value(py_lower(v.as_string())) : v;
}

Value f_dictsort(Interpreter&, const Value& in, CallArgs& args) {
  auto a = bind_args(args, {"case_sensitive", "by", "reverse"}, "dictsort");
  if (!in.is_object()) bad(args, "dictsort needs a mapping");
  const bool cs = arg_bool(a[0], false);
  const bool by_value = !a[1].is_undefined() && a[1].str() == "value";
  Array pairs;
  const Object& obj = in.as_object();
  for (size_t i = 0; i < obj.size(); ++i) pairs.push_back(Value::tuple(Array{obj.key_at(i), (obj.begin() + static_cast<std::ptrdiff_t>(i))->second}));
  std::stable_sort(pairs.begin(), pairs.end(), [&](const Value& x, const Value& y) {
    const size_t i = by_value ? 1 : 0;
    return less_than(sort_key(x.as_array()[i], cs), sort_key(y.as_array()[i], cs), args.line);
  });
  if (arg_bool(a[2], false)) std::reverse(pairs.begin(), pairs.end());
  return Value(std::move(pairs));
}

Value f_sort(Interpreter& interp, const Value& in, CallArgs& args) {
  auto a = bind_args(args, {"reverse", "case_sensitive", "attribute"}, "sort");
  const bool reverse = arg_bool(a[0], false);
  const bool cs = arg_bool(a[1], false);
  Array items = iterate(in, args.line);
  auto key = [&](const Value& v) {
    return sort_key(a[2].is_undefined() || a[2].is_none() ? v : get_path(interp, v, a[2], args.line), cs);
  };
  std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
    return reverse ? less_than(key(y), key(x), args.line) : less_than(key(x), key(y), args.line);
  });
  return Value(std::move(items));
}

Value min_max(Interpreter& interp, const Value& in, CallArgs& args, bool want_max) {
  auto a = bind_args(args, {"case_sensitive", "attribute"}, want_max ? "max" : "min");
  const bool cs = arg_bool(a[0], false);
  Array items = iterate(in, args.line);
  if (items.empty()) return Value();
  auto key = [&](const Value& v) {
    return sort_key(a[1].is_undefined() || a[1].is_none() ? v : get_path(interp, v, a[1], args.line), cs);
  };
  size_t best = 0;
  for (size_t i = 1; i < items.size(); ++i) {
    const bool better = want_max ? less_than(key(items[best]), key(items[i]), args.line)
                                 : less_than(key(items[i]), key(items[best]), args.line);
    if (better) best = i;
  }
  return items[best];
}

Value f_max(Interpreter& i, const Value& in, CallArgs& a) { return min_max(i, in, a, true); }
Value f_min(Interpreter& i, const Value& in, CallArgs& a) { return min_max(i, in, a, false); }

Value f_abs(Interpreter&, const Value& in, CallArgs& args) {
  if (in.is_float()) return Value(std::fabs(in.as_double()));
  if (in.is_number()) return Value(static_cast<int64_t>(std::llabs(in.as_int())));
  bad(args, "bad operand type for abs()");
}

Value f_reverse(Interpreter&, const Value& in, CallArgs& args) {
  if (in.is_string()) {
    auto chars = utf8_chars(in.as_string());
    std::string out;
    for (auto it = chars.rbegin(); it != chars.rend(); ++it) out += *it;
    return Value(std::move(out));
  }
  if (in.is_iterator()) bad(args, "a generator cannot be reversed");
  Array items = iterate(in, args.line);
  std::reverse(items.begin(), items.end());
  return Value::iterator(std::move(items));
}

Value f_escape(Interpreter&, const Value& in, CallArgs&) {
  if (in.is_markup()) return in;
  return Value::markup(html_escape(in.str()));
}

Value f_safe(Interpreter&, const Value& in, CallArgs&) {
  if (in.is_markup()) return in;
  return Value::markup(in.str());
}

Value f_attr(Interpreter& interp, const Value& in, CallArgs& args) {
  auto a = bind_args(args, {"name"}, "attr");
  return interp.get_attr(in, a[0].str(), args.line);
}

// jinja2's format filter: `fmt|format(a, b)` is `fmt % (a, b)`; keywords fill %(name)s.
Value f_format(Interpreter&, const Value& in, CallArgs& args) {
  if (!args.pos.empty() && !args.kw.empty()) bad(args, "format takes positional or keyword arguments, not both");
  if (!args.kw.empty()) {
    Object named;
    for (const auto& [k, v] : args.kw) named.set(k, v);
    return Value(py_percent_format(in.str(), Value(std::move(named)), args.line));
  }
  return Value(py_percent_format(in.str(), Value::tuple(args.pos), args.line));
}

Value f_wordcount(Interpreter&, const Value& in, CallArgs&) {
  int64_t n = 0;
  bool in_word = false;
  for (char c : in.str()) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || (static_cast<unsigned char>(c) >= 0x80);
    if (word && !in_word) ++n;
    in_word = word;
  }
  return Value(n);
}

const std::unordered_map<std::string_view, FilterFn>& filters() {
  static const std::unordered_map<std::string_view, FilterFn> kFilters = {
      {"tojson", f_tojson},       {"trim", f_trim},          {"length", f_length},
      {"count", f_length},        {"join", f_join},          {"map", f_map},
      {"select", f_select},       {"reject", f_reject},      {"selectattr", f_selectattr},
      {"rejectattr", f_rejectattr}, {"first", f_first},      {"last", f_last},
      {"default", f_default},     {"d", f_default},          {"safe", f_safe},
      {"string", f_string},       {"int", f_int},            {"float", f_float},
      {"list", f_list},           {"items", f_items},        {"unique", f_unique},
      {"replace", f_replace},     {"upper", f_upper},        {"lower", f_lower},
      {"capitalize", f_capitalize}, {"title", f_title},      {"indent", f_indent},
      {"round", f_round},         {"sum", f_sum},            {"dictsort", f_dictsort},
      {"sort", f_sort},           {"max", f_max},            {"min", f_min},
      {"abs", f_abs},             {"reverse", f_reverse},    {"escape", f_escape},
      {"e", f_escape},            {"forceescape", f_escape}, {"attr", f_attr},
      {"wordcount", f_wordcount}, {"format", f_format},
  };
  return kFilters;
}

}  // namespace

bool is_known_filter(std::string_view name) { return filters().count(name) != 0; }

Value apply_filter(Interpreter& interp, std::string_view name, const Value& input, CallArgs& args) {
  auto it = filters().find(name);
  if (it == filters().end()) throw_error(Errc::kUnsupported, args.line, "no filter named '" + std::string(name) + "'");
  return it->second(interp, input, args);
}

}  // namespace woolly::engine::tmpl::detail
