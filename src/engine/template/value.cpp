#include "engine/template/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace woolly::engine::tmpl {

namespace {
constexpr size_t kArrayIndex = 6;
constexpr size_t kIteratorIndex = 8;

// Appends `s` as a Python string literal, choosing quotes the way repr() does.
void append_python_string_repr(std::string& out, const std::string& s) {
  const bool has_single = s.find('\'') != std::string::npos;
  const bool has_double = s.find('"') != std::string::npos;
  const char quote = (has_single && !has_double) ? '"' : '\'';
  out += quote;
  for (unsigned char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c == static_cast<unsigned char>(quote)) {
          out += '\\';
          out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += quote;
}

// Decodes one UTF-8 sequence at s[i]; returns the code point and advances i. Invalid bytes are
// taken as Latin-1 so that nothing is lost.
uint32_t next_code_point(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xe ? 3 : (b0 >> 3) == 0x1e ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return b0;
  }
  uint32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1f) : len == 3 ? (b0 & 0x0f) : (b0 & 0x07);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
  i += len;
  return cp;
}

void append_json_string(std::string& out, const std::string& s, bool ensure_ascii) {
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out += static_cast<char>(c);
          }
      }
      continue;
    }
    if (!ensure_ascii) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    uint32_t cp = next_code_point(s, i);
    char buf[16];
    if (cp >= 0x10000) {
      cp -= 0x10000;
      std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else {
      std::snprintf(buf, sizeof buf, "\\u%04x", cp);
    }
    out += buf;
  }
  out += '"';
}

Status append_json(std::string& out, const Value& v, const JsonOptions& o, int depth) {
  const std::string item_sep = !o.item_separator.empty() ? o.item_separator
                               : o.indent >= 0           ? ","
                                                         : ", ";
  const std::string key_sep = !o.key_separator.empty() ? o.key_separator : ": ";
  auto newline = [&](int level) {
    if (o.indent < 0) return;
    out += '\n';
    out.append(static_cast<size_t>(o.indent) * level, ' ');
  };
  switch (v.kind()) {
    case Kind::kNone: out += "null"; return {};
    case Kind::kBool: out += v.as_bool() ? "true" : "false"; return {};
    case Kind::kInt: out += std::to_string(v.as_int()); return {};
    case Kind::kFloat: {
      const double d = v.as_double();
      if (std::isnan(d)) out += "NaN";
      else if (std::isinf(d)) out += d > 0 ? "Infinity" : "-Infinity";
      else out += format_python_float(d);
      return {};
    }
    case Kind::kString: append_json_string(out, v.as_string(), o.ensure_ascii); return {};
    case Kind::kArray: {
      const Array& a = v.as_array();
      if (a.empty()) { out += "[]"; return {}; }
      out += '[';
      for (size_t i = 0; i < a.size(); ++i) {
        if (i > 0) out += item_sep;
        newline(depth + 1);
        WOOLLY_TRY(append_json(out, a[i], o, depth + 1));
      }
      newline(depth);
      out += ']';
      return {};
    }
    case Kind::kObject: {
      const Object& obj = v.as_object();
      if (obj.is_namespace()) break;
      if (obj.empty()) { out += "{}"; return {}; }
      std::vector<const std::pair<std::string, Value>*> items;
      items.reserve(obj.size());
      for (const auto& e : obj) items.push_back(&e);
      if (o.sort_keys) {
        std::stable_sort(items.begin(), items.end(),
                         [](auto* a, auto* b) { return a->first < b->first; });
      }
      out += '{';
      for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += item_sep;
        newline(depth + 1);
        append_json_string(out, items[i]->first, o.ensure_ascii);
        out += key_sep;
        WOOLLY_TRY(append_json(out, items[i]->second, o, depth + 1));
      }
      newline(depth);
      out += '}';
      return {};
    }
    default: break;
  }
  return make_error(Errc::kInvalidArgument, "value is not JSON serializable");
}
}  // namespace

Value::Value(Array a) : v_(std::in_place_index<kArrayIndex>, std::make_shared<const Array>(std::move(a))) {}
Value::Value(Object o) : v_(std::make_shared<Object>(std::move(o))) {}

Value Value::iterator(Array items) {
  Value v;
  v.v_.emplace<kIteratorIndex>(std::make_shared<const Array>(std::move(items)));
  return v;
}

Value Value::callable(std::shared_ptr<const Callable> fn) {
  Value v;
  v.v_ = std::move(fn);
  return v;
}

int64_t Value::as_int() const {
  if (is_bool()) return as_bool() ? 1 : 0;
  if (is_float()) return static_cast<int64_t>(std::get<double>(v_));
  return std::get<int64_t>(v_);
}

double Value::as_double() const {
  if (is_float()) return std::get<double>(v_);
  return static_cast<double>(as_int());
}

const Array& Value::as_array() const {
  return v_.index() == kArrayIndex ? *std::get<kArrayIndex>(v_) : *std::get<kIteratorIndex>(v_);
}

bool Value::truthy() const {
  switch (kind()) {
    case Kind::kUndefined:
    case Kind::kNone: return false;
    case Kind::kBool: return as_bool();
    case Kind::kInt: return as_int() != 0;
    case Kind::kFloat: return as_double() != 0.0;
    case Kind::kString: return !as_string().empty();
    case Kind::kArray: return !as_array().empty();
    case Kind::kObject: return as_object().is_namespace() || !as_object().empty();
    case Kind::kIterator:
    case Kind::kCallable: return true;
  }
  return false;
}

std::string format_python_float(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  // Shortest round-trip digits, then laid out the way Python's repr() does: positional for
  // exponents in [-4, 16), scientific with a two-digit exponent otherwise.
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  const size_t e_pos = sci.find('e');
  std::string mant = sci.substr(0, e_pos);
  const int exp = std::stoi(sci.substr(e_pos + 1));
  std::string sign;
  if (mant[0] == '-') {
    sign = "-";
    mant.erase(0, 1);
  }
  std::string digits;
  for (char c : mant) if (c != '.') digits += c;
  if (exp < -4 || exp >= 16) {
    std::string out = sign + digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    return out + eb;
  }
  std::string out = sign;
  if (exp < 0) {
    out += "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
  } else if (static_cast<size_t>(exp) + 1 >= digits.size()) {
    out += digits + std::string(exp + 1 - digits.size(), '0') + ".0";
  } else {
    out += digits.substr(0, exp + 1) + "." + digits.substr(exp + 1);
  }
  return out;
}

void Value::append_str(std::string& out) const {
  switch (kind()) {
    case Kind::kUndefined: return;
    case Kind::kString: out += as_string(); return;
    default: append_repr(out);
  }
}

std::string Value::str() const {
  if (is_string()) return as_string();
  std::string out;
  append_str(out);
  return out;
}

void Value::append_repr(std::string& out) const {
  switch (kind()) {
    case Kind::kUndefined: return;
    case Kind::kNone: out += "None"; return;
    case Kind::kBool: out += as_bool() ? "True" : "False"; return;
    case Kind::kInt: out += std::to_string(as_int()); return;
    case Kind::kFloat: out += format_python_float(as_double()); return;
    case Kind::kString: append_python_string_repr(out, as_string()); return;
    case Kind::kArray: {
      out += tuple_ ? '(' : '[';
      bool first = true;
      for (const Value& item : as_array()) {
        if (!first) out += ", ";
        first = false;
        item.append_repr(out);
      }
      if (tuple_ && as_array().size() == 1) out += ',';
      out += tuple_ ? ')' : ']';
      return;
    }
    case Kind::kObject: {
      const Object& obj = as_object();
      if (obj.is_namespace()) out += "<Namespace ";
      out += '{';
      for (size_t i = 0; i < obj.size(); ++i) {
        if (i > 0) out += ", ";
        obj.key_at(i).append_repr(out);
        out += ": ";
        (obj.begin() + static_cast<std::ptrdiff_t>(i))->second.append_repr(out);
      }
      out += '}';
      if (obj.is_namespace()) out += '>';
      return;
    }
    case Kind::kIterator: out += "<generator object>"; return;
    case Kind::kCallable: out += "<function>"; return;
  }
}

std::string Value::repr() const {
  std::string out;
  append_repr(out);
  return out;
}

Result<std::string> Value::to_json(const JsonOptions& options) const {
  std::string out;
  WOOLLY_TRY(append_json(out, *this, options, 0));
  return out;
}

bool operator==(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.as_double() == b.as_double();
    return a.as_int() == b.as_int();
  }
  if (a.kind() != b.kind()) {
    // A one-shot iterator never equals a list in Python.
    return false;
  }
  switch (a.kind()) {
    case Kind::kUndefined:
    case Kind::kNone: return true;
    case Kind::kString: return a.as_string() == b.as_string();
    case Kind::kArray: return a.tuple_ == b.tuple_ && a.as_array() == b.as_array();
    case Kind::kObject: {
      const Object& x = a.as_object();
      const Object& y = b.as_object();
      if (x.is_namespace() || y.is_namespace()) return &x == &y;
      if (x.size() != y.size()) return false;
      for (const auto& [key, item] : x) {
        const Value* other = y.find(key);
        if (other == nullptr || !(*other == item)) return false;
      }
      return true;
    }
    case Kind::kIterator: return &a.as_array() == &b.as_array();
    case Kind::kCallable: return &a.as_callable() == &b.as_callable();
    default: return false;
  }
}

Object::Object(std::initializer_list<std::pair<std::string, Value>> entries) {
  for (const auto& e : entries) set(e.first, e.second);
}

const Value* Object::find(std::string_view key) const {
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].first == key && !key_is_int(i)) return &entries_[i].second;
  }
  return nullptr;
}

void Object::set(std::string key, Value value) {
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].first == key && !key_is_int(i)) {
      entries_[i].second = std::move(value);
      return;
    }
  }
  entries_.emplace_back(std::move(key), std::move(value));
  if (!int_keys_.empty()) int_keys_.push_back(false);
}

const Value* Object::find_int(int64_t key) const {
  const std::string text = std::to_string(key);
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].first == text && key_is_int(i)) return &entries_[i].second;
  }
  return nullptr;
}

void Object::set_int(int64_t key, Value value) {
  std::string text = std::to_string(key);
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].first == text && key_is_int(i)) {
      entries_[i].second = std::move(value);
      return;
    }
  }
  int_keys_.resize(entries_.size(), false);
  entries_.emplace_back(std::move(text), std::move(value));
  int_keys_.push_back(true);
}

Value Object::key_at(size_t index) const {
  if (key_is_int(index)) return Value(static_cast<int64_t>(std::stoll(entries_[index].first)));
  return Value(entries_[index].first);
}

}  // namespace woolly::engine::tmpl
