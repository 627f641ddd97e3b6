#include "engine/template/detail/lexer.h"

#include <cstring>

#include "engine/template/detail/template_error.h"

namespace woolly::engine::tmpl::detail {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// Python's "unicode-escape" decoding of a string literal's body, which is what Jinja2 applies.
std::string decode_string_literal(std::string_view body, int line) {
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c != '\\' || i + 1 >= body.size()) {
      out += c;
      continue;
    }
    const char e = body[++i];
    auto hex = [&](int n) -> uint32_t {
      if (i + n >= body.size()) throw_error(Errc::kInvalidArgument, line, "truncated escape in string literal");
      uint32_t v = 0;
      for (int k = 0; k < n; ++k) {
        const char h = body[++i];
        v <<= 4;
        if (is_digit(h)) v |= h - '0';
        else if (h >= 'a' && h <= 'f') v |= h - 'a' + 10;
        else if (h >= 'A' && h <= 'F') v |= h - 'A' + 10;
        else throw_error(Errc::kInvalidArgument, line, "bad escape in string literal");
      }
      return v;
    };
    switch (e) {
      case '\n': break;  // line continuation
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case 'x': append_utf8(out, hex(2)); break;
      case 'u': append_utf8(out, hex(4)); break;
      case 'U': append_utf8(out, hex(8)); break;
      default:
        if (e >= '0' && e <= '7') {
          uint32_t v = e - '0';
          for (int k = 0; k < 2 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7'; ++k) {
            v = v * 8 + (body[++i] - '0');
          }
          append_utf8(out, v);
        } else {
          out += '\\';  // unknown escapes stay as written, as in Python
          out += e;
        }
    }
  }
  return out;
}

class Lexer {
 public:
  explicit Lexer(std::string source) : s_(std::move(source)) {}

  std::vector<Token> run() {
    bool line_starting = true;
    while (pos_ < s_.size()) {
      const size_t tag = find_tag(pos_);
      std::string text = s_.substr(pos_, (tag == std::string::npos ? s_.size() : tag) - pos_);
      if (tag == std::string::npos) {
        emit_text(std::move(text));
        pos_ = s_.size();
        break;
      }
      const char kind = s_[tag + 1];  // '{', '%' or '#'
      const char sign = tag + 2 < s_.size() ? s_[tag + 2] : '\0';
      if (sign == '-') {
        size_t end = text.size();
        while (end > 0 && is_space(text[end - 1])) --end;
        text.resize(end);
      } else if (sign != '+' && kind != '{') {
        // lstrip_blocks: drop the indentation before a block or comment tag that starts a line.
        const size_t line_pos = text.rfind('\n') + 1;  // npos + 1 == 0
        if (line_pos > 0 || line_starting) {
          bool only_ws = line_pos < text.size();
          for (size_t k = line_pos; k < text.size() && only_ws; ++k) only_ws = is_space(text[k]);
          if (only_ws) text.resize(line_pos);
        }
      }
      emit_text(std::move(text));
      line_ += count_newlines(pos_, tag);
      pos_ = tag + 2 + ((sign == '-' || sign == '+') ? 1 : 0);
      if (kind == '#') {
        line_starting = lex_comment();
      } else {
        line_starting = lex_tag(kind == '%');
      }
    }
    tokens_.push_back({TokenType::kEof, "", line_});
    return std::move(tokens_);
  }

 private:
  size_t find_tag(size_t from) const {
    size_t p = from;
    while (true) {
      p = s_.find('{', p);
      if (p == std::string::npos || p + 1 >= s_.size()) return std::string::npos;
      const char n = s_[p + 1];
      if (n == '{' || n == '%' || n == '#') return p;
      ++p;
    }
  }

  int count_newlines(size_t from, size_t to) const {
    int n = 0;
    for (size_t k = from; k < to && k < s_.size(); ++k) n += s_[k] == '\n';
    return n;
  }

  void emit_text(std::string text) {
    if (text.empty()) return;
    tokens_.push_back({TokenType::kText, std::move(text), line_});
  }

  // After a tag: '-' strips all following whitespace; a plain block end eats one newline
  // (trim_blocks). Returns whether the consumed tag ended with a newline, which lets
  // lstrip_blocks apply to the next line's first tag.
  bool after_tag_end(char sign, bool trim_newline, char last_char) {
    if (sign == '-') {
      const size_t start = pos_;
      while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
      line_ += count_newlines(start, pos_);
      return pos_ > start ? s_[pos_ - 1] == '\n' : last_char == '\n';
    }
    if (trim_newline && sign != '+' && pos_ < s_.size() && s_[pos_] == '\n') {
      ++pos_;
      ++line_;
      return true;
    }
    return false;
  }

  bool lex_comment() {
    const size_t end = s_.find("#}", pos_);
    if (end == std::string::npos) throw_error(Errc::kInvalidArgument, line_, "unterminated comment");
    const char sign = end > pos_ ? s_[end - 1] : '\0';
    line_ += count_newlines(pos_, end);
    pos_ = end + 2;
    return after_tag_end(sign == '-' ? '-' : '\0', true, '}');
  }

  bool lex_tag(bool block) {
    const int start_line = line_;
    tokens_.push_back({block ? TokenType::kBlockBegin : TokenType::kVarBegin, "", line_});
    int depth = 0;
    while (true) {
      while (pos_ < s_.size() && is_space(s_[pos_])) {
        line_ += s_[pos_] == '\n';
        ++pos_;
      }
      if (pos_ >= s_.size()) {
        throw_error(Errc::kInvalidArgument, start_line, block ? "unterminated '{%' tag" : "unterminated '{{' tag");
      }
      if (depth == 0) {
        const std::string_view rest(s_.data() + pos_, s_.size() - pos_);
        const std::string_view close = block ? "%}" : "}}";
        char sign = '\0';
        bool closed = false;
        if (rest.substr(0, 2) == close) {
          closed = true;
          pos_ += 2;
        } else if ((rest[0] == '-' || (block && rest[0] == '+')) && rest.substr(1, 2) == close) {
          closed = true;
          sign = rest[0];
          pos_ += 3;
        }
        if (closed) {
          tokens_.push_back({block ? TokenType::kBlockEnd : TokenType::kVarEnd, "", line_});
          return after_tag_end(sign, block, '}');
        }
      }
      const char c = s_[pos_];
      if (is_name_start(c)) {
        const size_t b = pos_;
        while (pos_ < s_.size() && is_name_char(s_[pos_])) ++pos_;
        tokens_.push_back({TokenType::kName, s_.substr(b, pos_ - b), line_});
      } else if (is_digit(c)) {
        lex_number();
      } else if (c == '\'' || c == '"') {
        lex_string(c);
      } else {
        lex_operator(depth);
      }
    }
  }

  void lex_number() {
    const size_t b = pos_;
    auto digits = [&] {
      while (pos_ < s_.size() && (is_digit(s_[pos_]) || (s_[pos_] == '_' && pos_ + 1 < s_.size() && is_digit(s_[pos_ + 1])))) ++pos_;
    };
    digits();
    bool is_float = false;
    if (pos_ + 1 < s_.size() && s_[pos_] == '.' && is_digit(s_[pos_ + 1]) &&
        !(b > 0 && s_[b - 1] == '.')) {
      ++pos_;
      digits();
      is_float = true;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      size_t p = pos_ + 1;
      if (p < s_.size() && (s_[p] == '+' || s_[p] == '-')) ++p;
      if (p < s_.size() && is_digit(s_[p])) {
        pos_ = p;
        digits();
        is_float = true;
      }
    }
    std::string text;
    for (size_t k = b; k < pos_; ++k) {
      if (s_[k] != '_') text += s_[k];
    }
    tokens_.push_back({is_float ? TokenType::kFloat : TokenType::kInt, std::move(text), line_});
  }

  void lex_string(char quote) {
    const int start_line = line_;
    size_t p = pos_ + 1;
    while (p < s_.size() && s_[p] != quote) {
      if (s_[p] == '\\') ++p;
      if (p < s_.size() && s_[p] == '\n') ++line_;
      ++p;
    }
    if (p >= s_.size()) throw_error(Errc::kInvalidArgument, start_line, "unterminated string literal");
    tokens_.push_back({TokenType::kString,
                       decode_string_literal(std::string_view(s_).substr(pos_ + 1, p - pos_ - 1), start_line),
                       start_line});
    pos_ = p + 1;
  }

  void lex_operator(int& depth) {
    static constexpr const char* kTwoChar[] = {"//", "**", "==", "!=", "<=", ">="};
    for (const char* op : kTwoChar) {
      if (s_.compare(pos_, 2, op) == 0) {
        tokens_.push_back({TokenType::kOp, op, line_});
        pos_ += 2;
        return;
      }
    }
    const char c = s_[pos_];
    if (std::strchr("+-/*%~[](){}<>=.:|,;", c) == nullptr) {
      throw_error(Errc::kInvalidArgument, line_, std::string("unexpected character '") + c + "'");
    }
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') {
      if (depth == 0) throw_error(Errc::kInvalidArgument, line_, std::string("unexpected '") + c + "'");
      --depth;
    }
    tokens_.push_back({TokenType::kOp, std::string(1, c), line_});
    ++pos_;
  }

  std::string s_;
  size_t pos_ = 0;
  int line_ = 1;
  std::vector<Token> tokens_;
};

// Jinja2 reads "\r\n" and "\r" as "\n" and, unless told to keep it, drops one final newline.
std::string normalize_source(std::string_view source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += source[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

std::vector<Token> tokenize(std::string_view source) { return Lexer(normalize_source(source)).run(); }

}  // namespace woolly::engine::tmpl::detail
