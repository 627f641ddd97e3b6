// Methods of Python's str, dict and list that templates call, and jinja2's tests.
#include <algorithm>
#include <unordered_set>

#include "engine/template/detail/builtins.h"
#include "engine/template/detail/interpreter.h"

namespace woolly::engine::tmpl::detail {

namespace {

const std::unordered_set<std::string_view> kStringMethods = {
    "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith", "endswith",
    "upper", "lower", "title", "capitalize", "replace", "format", "find", "rfind", "count",
    "join", "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper", "removeprefix",
    "removesuffix", "index", "rindex", "zfill", "center", "ljust", "rjust", "swapcase",
    "casefold", "partition", "rpartition", "isnumeric", "isdecimal", "istitle", "expandtabs"};
const std::unordered_set<std::string_view> kDictMethods = {
    "get", "items", "keys", "values", "copy", "pop", "popitem", "update", "setdefault", "clear"};
const std::unordered_set<std::string_view> kListMethods = {
    "index", "count", "copy", "append", "extend", "insert", "pop", "remove", "sort", "reverse",
    "clear"};
// What an immutable sandbox refuses (jinja2 raises SecurityError for them).
const std::unordered_set<std::string_view> kMutating = {
    "pop", "popitem", "update", "setdefault", "clear", "append", "extend", "insert", "remove",
    "sort", "reverse"};

class BoundMethod final : public Callable {
 public:
  BoundMethod(Value self, std::string name) : self_(std::move(self)), name_(std::move(name)) {}
  Value call(Interpreter&, CallArgs& args) const override { return call_method(self_, name_, args); }

 private:
  Value self_;
  std::string name_;
};

[[noreturn]] void bad(const CallArgs& args, const std::string& msg) {
  throw_error(Errc::kInvalidArgument, args.line, msg);
}

const std::string& need_string(const Value& v, const CallArgs& args) {
  if (!v.is_string()) bad(args, "expected a string argument");
  return v.as_string();
}

Value split(const std::string& s, const Value& sep_v, const Value& max_v, bool from_right, const CallArgs& args) {
  int64_t maxsplit = max_v.is_undefined() || max_v.is_none() ? -1 : max_v.as_int();
  Array parts;
  if (sep_v.is_undefined() || sep_v.is_none()) {
    // Runs of whitespace separate, and no empty strings come out.
    if (from_right && maxsplit >= 0) {
      throw_error(Errc::kUnsupported, args.line, "rsplit with maxsplit and no separator is not supported");
    }
    const std::vector<std::string> chars = utf8_chars(s);
    std::vector<std::string> words;
    size_t i = 0;
    while (i < chars.size()) {
      while (i < chars.size() && is_py_space_char(chars[i])) ++i;
      if (i >= chars.size()) break;
      std::string word;
      if (maxsplit >= 0 && static_cast<int64_t>(words.size()) == maxsplit) {
        size_t e = chars.size();
        while (e > i && is_py_space_char(chars[e - 1])) --e;
        for (size_t k = i; k < e; ++k) word += chars[k];
        words.push_back(std::move(word));
        break;
      }
      while (i < chars.size() && !is_py_space_char(chars[i])) word += chars[i++];
      words.push_back(std::move(word));
    }
    for (auto& w : words) parts.emplace_back(std::move(w));
    return Value(std::move(parts));
  }
  const std::string& sep = need_string(sep_v, args);
  if (sep.empty()) bad(args, "empty separator");
  std::vector<std::string> pieces;
  if (!from_right) {
    size_t start = 0;
    while (true) {
      const size_t pos = (maxsplit >= 0 && static_cast<int64_t>(pieces.size()) >= maxsplit) ? std::string::npos : s.find(sep, start);
      if (pos == std::string::npos) {
        pieces.push_back(s.substr(start));
        break;
      }
      pieces.push_back(s.substr(start, pos - start));
      start = pos + sep.size();
    }
  } else {
    size_t end = s.size();
    while (true) {
      const bool limit = maxsplit >= 0 && static_cast<int64_t>(pieces.size()) >= maxsplit;
      const size_t pos = limit || end < sep.size() ? std::string::npos : s.rfind(sep, end - sep.size());
      if (pos == std::string::npos) {
        pieces.push_back(s.substr(0, end));
        break;
      }
      pieces.push_back(s.substr(pos + sep.size(), end - pos - sep.size()));
      end = pos;
    }
    std::reverse(pieces.begin(), pieces.end());
  }
  for (auto& p : pieces) parts.emplace_back(std::move(p));
  return Value(std::move(parts));
}

bool affix_match(const std::string& s, const Value& affix, bool prefix, const CallArgs& args) {
  auto one = [&](const Value& a) {
    const std::string& x = need_string(a, args);
    if (x.size() > s.size()) return false;
    return prefix ? s.compare(0, x.size(), x) == 0 : s.compare(s.size() - x.size(), x.size(), x) == 0;
  };
  if (affix.is_array()) {
    for (const Value& a : affix.as_array()) {
      if (one(a)) return true;
    }
    return false;
  }
  return one(affix);
}

// str.format with "{}", "{0}" and "{name}" fields; format specs are refused.
std::string py_format(const std::string& fmt, const CallArgs& args) {
  std::string out;
  size_t auto_index = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    const char c = fmt[i];
    if (c == '{' && i + 1 < fmt.size() && fmt[i + 1] == '{') { out += '{'; ++i; continue; }
    if (c == '}' && i + 1 < fmt.size() && fmt[i + 1] == '}') { out += '}'; ++i; continue; }
    if (c == '}') bad(args, "single '}' in format string");
    if (c != '{') { out += c; continue; }
    const size_t close = fmt.find('}', i);
    if (close == std::string::npos) bad(args, "single '{' in format string");
    const std::string field = fmt.substr(i + 1, close - i - 1);
    if (field.find_first_of(":!.[") != std::string::npos) {
      throw_error(Errc::kUnsupported, args.line, "format specs in str.format are not supported");
    }
    const Value* v = nullptr;
    if (field.empty() || std::all_of(field.begin(), field.end(), [](char d) { return d >= '0' && d <= '9'; })) {
      const size_t idx = field.empty() ? auto_index++ : std::stoul(field);
      if (idx >= args.pos.size()) bad(args, "format index out of range");
      v = &args.pos[idx];
    } else {
      for (const auto& [k, val] : args.kw) {
        if (k == field) v = &val;
      }
      if (v == nullptr) bad(args, "format key '" + field + "' missing");
    }
    v->append_str(out);
    i = close;
  }
  return out;
}

Value string_method(const std::string& s, std::string_view name, CallArgs& args) {
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    auto a = bind_args(args, {"chars"}, name);
    return Value(py_strip(s, a[0], name != "rstrip", name != "lstrip"));
  }
  if (name == "split" || name == "rsplit") {
    auto a = bind_args(args, {"sep", "maxsplit"}, name);
    return split(s, a[0], a[1], name == "rsplit", args);
  }
  if (name == "splitlines") {
    Array out;
    std::string cur;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\n' || s[i] == '\r') {
        if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
        out.emplace_back(std::move(cur));
        cur.clear();
      } else {
        cur += s[i];
      }
    }
    if (!cur.empty()) out.emplace_back(std::move(cur));
    return Value(std::move(out));
  }
  if (name == "startswith" || name == "endswith") {
    auto a = bind_args(args, {"affix"}, name);
    return Value(affix_match(s, a[0], name == "startswith", args));
  }
  if (name == "upper") return Value(py_upper(s));
  if (name == "lower" || name == "casefold") return Value(py_lower(s));
  if (name == "capitalize") return Value(py_capitalize(s));
  if (name == "title") return Value(py_title(s, false));
  if (name == "replace") {
    auto a = bind_args(args, {"old", "new", "count"}, name);
    const std::string& from = need_string(a[0], args);
    const std::string& to = need_string(a[1], args);
    int64_t count = a[2].is_undefined() ? -1 : a[2].as_int();
    std::string out;
    if (from.empty()) {
      // Python inserts `to` around every character.
      auto chars = utf8_chars(s);
      for (size_t i = 0; i <= chars.size(); ++i) {
        if (count < 0 || static_cast<int64_t>(i) < count) out += to;
        if (i < chars.size()) out += chars[i];
      }
      return Value(std::move(out));
    }
    size_t start = 0;
    while (count != 0) {
      const size_t pos = s.find(from, start);
      if (pos == std::string::npos) break;
      out.append(s, start, pos - start);
      out += to;
      start = pos + from.size();
      if (count > 0) --count;
    }
    out.append(s, start, std::string::npos);
    return Value(std::move(out));
  }
  if (name == "format") return Value(py_format(s, args));
  if (name == "find" || name == "rfind" || name == "index" || name == "rindex" || name == "count") {
    auto a = bind_args(args, {"sub"}, name);
    const std::string& sub = need_string(a[0], args);
    if (name == "count") {
      if (sub.empty()) return Value(static_cast<int64_t>(utf8_length(s) + 1));
      int64_t n = 0;
      for (size_t p = s.find(sub); p != std::string::npos; p = s.find(sub, p + sub.size())) ++n;
      return Value(n);
    }
    const size_t p = (name == "find" || name == "index") ? s.find(sub) : s.rfind(sub);
    if (p == std::string::npos) {
      if (name == "index" || name == "rindex") bad(args, "substring not found");
      return Value(-1);
    }
    return Value(static_cast<int64_t>(utf8_length(std::string_view(s).substr(0, p))));
  }
  if (name == "join") {
    auto a = bind_args(args, {"iterable"}, name);
    std::string out;
    bool first = true;
    for (const Value& item : iterate(a[0], args.line)) {
      if (!item.is_string()) bad(args, "join expects strings");
      if (!first) out += s;
      first = false;
      out += item.as_string();
    }
    return Value(std::move(out));
  }
  if (name == "removeprefix" || name == "removesuffix") {
    auto a = bind_args(args, {"affix"}, name);
    const std::string& x = need_string(a[0], args);
    if (name == "removeprefix") return Value(s.compare(0, x.size(), x) == 0 ? s.substr(x.size()) : s);
    if (x.size() <= s.size() && s.compare(s.size() - x.size(), x.size(), x) == 0) return Value(s.substr(0, s.size() - x.size()));
    return Value(s);
  }
  auto all = [&](auto pred) {
    if (s.empty()) return Value(false);
    return Value(std::all_of(s.begin(), s.end(), pred));
  };
  if (name == "isdigit" || name == "isnumeric" || name == "isdecimal") return all([](char c) { return c >= '0' && c <= '9'; });
  if (name == "isalpha") return all([](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
  if (name == "isalnum") return all([](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
  if (name == "isspace") return all([](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; });
  if (name == "islower") return Value(py_is_lower(s));
  if (name == "isupper") return Value(py_is_upper(s));
  throw_error(Errc::kUnsupported, args.line, "str." + std::string(name) + "() is not supported");
}

}  // namespace

bool has_method(const Value& self, std::string_view name) {
  if (self.is_string()) return kStringMethods.count(name) != 0;
  if (self.is_object()) return !self.as_object().is_namespace() && kDictMethods.count(name) != 0;
  if (self.is_array() && !self.is_iterator()) return kListMethods.count(name) != 0;
  return false;
}

Value bind_method(const Value& self, const std::string& name) {
  return Value::callable(std::make_shared<BoundMethod>(self, name));
}

Value call_method(const Value& self, std::string_view name, CallArgs& args) {
  if (kMutating.count(name) != 0 && !self.is_string()) {
    throw_error(Errc::kPermissionDenied, args.line,
                "access to attribute '" + std::string(name) + "' is unsafe in the sandbox (SecurityError)");
  }
  if (self.is_string()) return string_method(self.as_string(), name, args);
  if (self.is_object()) {
    const Object& obj = self.as_object();
    if (name == "get") {
      auto a = bind_args(args, {"key", "default"}, "get");
      const Value* v = a[0].is_string() ? obj.find(a[0].as_string())
                       : a[0].is_int()  ? obj.find_int(a[0].as_int())
                                        : nullptr;
      if (v != nullptr) return *v;
      return a[1].is_undefined() ? Value::none() : a[1];
    }
    if (name == "items" || name == "keys" || name == "values") {
      bind_args(args, {}, name);
      Array out;
      for (size_t i = 0; i < obj.size(); ++i) {
        const Value& v = (obj.begin() + static_cast<std::ptrdiff_t>(i))->second;
        if (name == "items") out.push_back(Value::tuple(Array{obj.key_at(i), v}));
        else if (name == "keys") out.push_back(obj.key_at(i));
        else out.push_back(v);
      }
      return Value(std::move(out));
    }
    if (name == "copy") return self;
  }
  if (self.is_array()) {
    const Array& arr = self.as_array();
    if (name == "copy") return self;
    auto a = bind_args(args, {"value"}, name);
    if (name == "count") return Value(static_cast<int64_t>(std::count(arr.begin(), arr.end(), a[0])));
    if (name == "index") {
      auto it = std::find(arr.begin(), arr.end(), a[0]);
      if (it == arr.end()) throw_error(Errc::kInvalidArgument, args.line, "value is not in list");
      return Value(static_cast<int64_t>(it - arr.begin()));
    }
  }
  throw_error(Errc::kUnsupported, args.line, "method '" + std::string(name) + "' is not supported");
}

bool is_known_test(std::string_view name) {
  static const std::unordered_set<std::string_view> kTests = {
      "defined", "undefined", "none", "string", "mapping", "iterable", "sequence", "number",
      "integer", "float", "boolean", "true", "false", "callable", "odd", "even", "divisibleby",
      "eq", "equalto", "ne", "lt", "lessthan", "le", "gt", "greaterthan", "ge", "in", "lower",
      "upper", "sameas", "escaped"};
  return kTests.count(name) != 0;
}

bool apply_test(Interpreter&, std::string_view name, const Value& v, CallArgs& args) {
  auto arg = [&]() -> const Value& {
    if (args.pos.empty()) throw_error(Errc::kInvalidArgument, args.line, "test '" + std::string(name) + "' needs an argument");
    return args.pos[0];
  };
  if (name == "defined") return !v.is_undefined();
  if (name == "undefined") return v.is_undefined();
  if (name == "none") return v.is_none();
  if (name == "string") return v.is_string();
  if (name == "mapping") return v.is_object() && !v.as_object().is_namespace();
  if (name == "iterable") return v.is_undefined() || v.is_string() || v.is_array() || v.is_iterator() || (v.is_object() && !v.as_object().is_namespace());
  if (name == "sequence") return v.is_undefined() || v.is_string() || (v.is_array() && !v.is_iterator()) || (v.is_object() && !v.as_object().is_namespace());
  if (name == "number") return v.is_number();
  if (name == "integer") return v.is_int();
  if (name == "float") return v.is_float();
  if (name == "boolean") return v.is_bool();
  if (name == "true") return v.is_bool() && v.as_bool();
  if (name == "false") return v.is_bool() && !v.as_bool();
  if (name == "callable") return v.is_callable();
  if (name == "escaped") return false;
  if (name == "odd" || name == "even" || name == "divisibleby") {
    if (!v.is_number()) throw_error(Errc::kInvalidArgument, args.line, "test needs a number");
    if (name == "divisibleby") {
      const int64_t d = arg().as_int();
      if (d == 0) throw_error(Errc::kInvalidArgument, args.line, "division by zero");
      return v.as_int() % d == 0;
    }
    return (v.as_int() % 2 != 0) == (name == "odd");
  }
  if (name == "eq" || name == "equalto") return v == arg();
  if (name == "ne") return !(v == arg());
  if (name == "lt" || name == "lessthan") return less_than(v, arg(), args.line);
  if (name == "gt" || name == "greaterthan") return less_than(arg(), v, args.line);
  if (name == "le") return !less_than(arg(), v, args.line);
  if (name == "ge") return !less_than(v, arg(), args.line);
  if (name == "sameas") {
    const Value& o = arg();
    if (v.kind() != o.kind()) return false;
    if (v.is_none() || v.is_bool() || v.is_undefined()) return v == o;
    return false;
  }
  if (name == "in") {
    const Value& c = arg();
    if (c.is_string()) return v.is_string() && c.as_string().find(v.as_string()) != std::string::npos;
    if (c.is_object()) {
      return (v.is_string() && c.as_object().contains(v.as_string())) ||
             (v.is_int() && c.as_object().find_int(v.as_int()) != nullptr);
    }
    for (const Value& item : iterate(c, args.line)) {
      if (item == v) return true;
    }
    return false;
  }
  if (name == "lower" || name == "upper") {
    if (!v.is_string()) return false;
    CallArgs none;
    none.line = args.line;
    return call_method(v, name == "lower" ? "islower" : "isupper", none).as_bool();
  }
  throw_error(Errc::kUnsupported, args.line, "no test named '" + std::string(name) + "'");
}

}  // namespace woolly::engine::tmpl::detail
