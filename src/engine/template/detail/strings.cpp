// Python string semantics over UTF-8 text. Case mapping covers ASCII only; other letters keep
// their case (Python would map them too; chat templates apply case changes to ASCII markers).
#include <algorithm>

#include "engine/template/detail/builtins.h"
#include "engine/template/detail/template_error.h"

namespace woolly::engine::tmpl::detail {

namespace {

size_t utf8_seq_len(unsigned char b) {
  return b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 1;
}
}  // namespace

// Python's str.isspace() set, so strip()/split() treat e.g. U+00A0 and U+3000 as Python does.
bool is_py_space_char(std::string_view ch) {
  if (ch.size() == 1) {
    const char c = ch[0];
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
           c == '\x1c' || c == '\x1d' || c == '\x1e' || c == '\x1f';
  }
  uint32_t cp = 0;
  const auto b0 = static_cast<unsigned char>(ch[0]);
  if (ch.size() == 2) cp = ((b0 & 0x1fu) << 6) | (static_cast<unsigned char>(ch[1]) & 0x3fu);
  else if (ch.size() == 3) cp = ((b0 & 0x0fu) << 12) | ((static_cast<unsigned char>(ch[1]) & 0x3fu) << 6) | (static_cast<unsigned char>(ch[2]) & 0x3fu);
  else return false;
  return cp == 0x85 || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

std::vector<std::string> utf8_chars(std::string_view s) {
  std::vector<std::string> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t n = std::min(utf8_seq_len(static_cast<unsigned char>(s[i])), s.size() - i);
    out.emplace_back(s.substr(i, n));
    i += n;
  }
  return out;
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string py_strip(std::string_view s, const Value& chars, bool left, bool right) {
  std::vector<std::string> set;
  const bool whitespace = chars.is_undefined() || chars.is_none();
  if (!whitespace) {
    if (!chars.is_string()) throw_error(Errc::kInvalidArgument, 0, "strip arg must be None or str");
    set = utf8_chars(chars.as_string());
  }
  auto in_set = [&](std::string_view ch) {
    if (whitespace) return is_py_space_char(ch);
    return std::find(set.begin(), set.end(), ch) != set.end();
  };
  std::vector<std::string> cs = utf8_chars(s);
  size_t b = 0, e = cs.size();
  if (left) {
    while (b < e && in_set(cs[b])) ++b;
  }
  if (right) {
    while (e > b && in_set(cs[e - 1])) --e;
  }
  std::string out;
  for (size_t k = b; k < e; ++k) out += cs[k];
  return out;
}

std::vector<Value> bind_args(CallArgs& args, std::initializer_list<std::string_view> names,
                             std::string_view what) {
  std::vector<Value> out(names.size());
  if (args.pos.size() > names.size()) {
    throw_error(Errc::kInvalidArgument, args.line, std::string(what) + ": too many arguments");
  }
  for (size_t i = 0; i < args.pos.size(); ++i) out[i] = args.pos[i];
  for (auto& [key, value] : args.kw) {
    size_t i = 0;
    for (std::string_view n : names) {
      if (n == key) break;
      ++i;
    }
    if (i == names.size()) {
      throw_error(Errc::kInvalidArgument, args.line, std::string(what) + ": unexpected keyword argument '" + key + "'");
    }
    out[i] = value;
  }
  return out;
}

}  // namespace woolly::engine::tmpl::detail
