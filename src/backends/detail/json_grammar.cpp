#include "backends/detail/json_grammar.h"

namespace woolly::backends::detail {

namespace {
const std::vector<std::string> kTrueFalseNull = {"true", "false", "null"};

// Object phases.
constexpr uint8_t kKey = 0, kValuePhase = 1, kSep = 2;
// Free object phases: first ('"' or '}'), key string, colon, value, separator.
constexpr uint8_t kFreeFirst = 0, kFreeKey = 1, kFreeColon = 2, kFreeValue = 3, kFreeSep = 4,
                  kFreeNextKey = 5;
// Array phases.
constexpr uint8_t kArrFirst = 0, kArrItem = 1, kArrSep = 2;

bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
bool is_hex(uint8_t c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_simple_escape(uint8_t c) {
  return c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
         c == 't';
}
// String phases: before the opening quote, inside, after a backslash, in \uXXXX's digits.
constexpr uint8_t kStrOpen = 0, kStrIn = 1, kStrEscape = 2, kStrHex = 3;
// The longest escape (\uXXXX): a backslash is accepted only with room for it, so a string
// never runs out of room in the middle of one.
constexpr int kLongestEscape = 6;
constexpr uint64_t kMaxExponentDigits = 2;
}  // namespace

// A string frame whose opening quote was just consumed (phase 1: inside the string).
JsonMatcher::Frame JsonMatcher::opened_string() {
  Frame f{FrameKind::kString};
  f.phase = 1;
  return f;
}

JsonMatcher::JsonMatcher(const SchemaNode* root) {
  Frame f{FrameKind::kValue};
  f.node = root;
  stack_[0] = f;
  depth_ = 1;
}

bool JsonMatcher::push(Frame f) {
  if (depth_ >= kMaxStack) return false;
  stack_[depth_++] = f;
  return true;
}

bool JsonMatcher::literal_complete(const Frame& f) const {
  for (size_t i = 0; i < f.literals->size(); ++i)
    if ((f.candidates >> i & 1) && (*f.literals)[i].size() == f.pos) return true;
  return false;
}

// Number states: 0 start, 1 after '-', 2 after leading '0', 3 int digits, 4 after '.', 5 frac
// digits, 6 after 'e', 7 after exponent sign, 8 exponent digits.
bool JsonMatcher::number_accepting(const Frame& f) const {
  return f.phase == 2 || f.phase == 3 || f.phase == 5 || f.phase == 8;
}

bool JsonMatcher::can_end() const {
  if (depth_ == 0) return true;
  if (depth_ != 1) return false;
  const Frame& f = stack_[0];
  if (f.kind == FrameKind::kNumber) return number_accepting(f);
  if (f.kind == FrameKind::kLiteral) return literal_complete(f);
  return false;
}

void JsonMatcher::pop_done() {
  --depth_;
  if (depth_ == 0) return;
  Frame& p = stack_[depth_ - 1];
  switch (p.kind) {
    case FrameKind::kObject:
      if (p.phase == kKey) {
        p.phase = kValuePhase;
        Frame v{FrameKind::kValue};
        v.node = p.node->values[p.count];
        v.nest = p.nest;
        push(v);
      } else {
        p.phase = kSep;
      }
      break;
    case FrameKind::kFreeObject:
      if (p.phase == kFreeKey) p.phase = kFreeColon;
      else if (p.phase == kFreeValue) { p.phase = kFreeSep; ++p.count; }
      break;
    case FrameKind::kArray:
      p.phase = kArrSep;
      ++p.count;
      break;
    default:
      break;
  }
}

// The first byte of a value decides what it is; `f` (the kValue frame on top) is replaced.
bool JsonMatcher::start_value(Frame& f, uint8_t c) {
  const SchemaNode* n = f.node;
  const NodeKind kind = n ? n->kind : NodeKind::kAny;
  const uint8_t nest = f.nest;
  auto replace = [&](Frame g) {
    g.nest = nest;
    stack_[depth_ - 1] = g;
  };
  auto literal = [&](const std::vector<std::string>* lits) {
    Frame g{FrameKind::kLiteral};
    g.literals = lits;
    for (size_t i = 0; i < lits->size() && i < 64; ++i)
      if (!(*lits)[i].empty() && static_cast<uint8_t>((*lits)[i][0]) == c) g.candidates |= uint64_t{1} << i;
    if (!g.candidates) return false;
    g.pos = 1;
    replace(g);
    if (literal_complete(stack_[depth_ - 1]) && (g.candidates & (g.candidates - 1)) == 0) pop_done();
    return true;
  };
  auto number = [&](bool integer) {
    Frame g{FrameKind::kNumber};
    g.count = integer ? 1 : 0;  // 1: no fraction or exponent
    if (c == '-') g.phase = 1;
    else if (c == '0') g.phase = 2;
    else if (c >= '1' && c <= '9') g.phase = 3;
    else return false;
    g.pos = 1;
    replace(g);
    return true;
  };
  switch (kind) {
    case NodeKind::kLiterals: return literal(&n->literals);
    case NodeKind::kString:
      if (c != '"') return false;
      replace(opened_string());
      return true;
    case NodeKind::kNumber: return number(false);
    case NodeKind::kInteger: return number(true);
    case NodeKind::kObject: {
      if (c != '{') return false;
      Frame g{FrameKind::kObject};
      g.node = n;
      if (n->keys.empty()) {
        g.phase = kSep;
        g.count = 0;
        replace(g);
        return true;
      }
      g.phase = kKey;
      replace(g);
      Frame k{FrameKind::kLiteral};
      k.literals = nullptr;
      // The key literal is the single text n->keys[0]; literals index into a one-element view.
      k.node = n;
      return push(k);
    }
    case NodeKind::kArray: {
      if (c != '[') return false;
      Frame g{FrameKind::kArray};
      g.node = n->items;
      replace(g);
      return true;
    }
    case NodeKind::kAnyObject:
    case NodeKind::kAny:
      if (c == '{' && nest < kMaxDepth) {
        Frame g{FrameKind::kFreeObject};
        g.nest = nest + 1;
        stack_[depth_ - 1] = g;
        return true;
      }
      if (kind == NodeKind::kAnyObject) return false;
      if (c == '[' && nest < kMaxDepth) {
        Frame g{FrameKind::kArray};
        g.node = nullptr;  // items: any
        g.nest = nest + 1;
        stack_[depth_ - 1] = g;
        return true;
      }
      if (c == '"') {
        replace(opened_string());
        return true;
      }
      if (c == '-' || is_digit(c)) return number(false);
      return literal(&kTrueFalseNull);
  }
  return false;
}

bool JsonMatcher::feed(uint8_t c) {
  while (depth_ > 0) {
    Frame& f = stack_[depth_ - 1];
    switch (f.kind) {
      case FrameKind::kValue:
        return start_value(f, c);
      case FrameKind::kLiteral: {
        if (!f.literals) {  // an object key: one fixed text
          const Frame& owner = stack_[depth_ - 2];
          const std::string& key = owner.node->keys[owner.count];
          if (f.pos >= key.size() || static_cast<uint8_t>(key[f.pos]) != c) return false;
          if (++f.pos == key.size()) pop_done();
          return true;
        }
        uint64_t next = 0;
        for (size_t i = 0; i < f.literals->size() && i < 64; ++i) {
          const std::string& lit = (*f.literals)[i];
          if ((f.candidates >> i & 1) && lit.size() > f.pos && static_cast<uint8_t>(lit[f.pos]) == c)
            next |= uint64_t{1} << i;
        }
        if (next) {
          f.candidates = next;
          ++f.pos;
          // Ends at once when the only candidate left is complete; otherwise the next byte decides.
          if ((next & (next - 1)) == 0 && literal_complete(f)) pop_done();
          return true;
        }
        if (!literal_complete(f)) return false;
        pop_done();
        continue;  // the byte belongs to the parent
      }
      case FrameKind::kString:
        switch (f.phase) {
          case kStrOpen:
            if (c != '"') return false;
            f.phase = kStrIn;
            return true;
          case kStrIn:
            if (c == '"') {
              pop_done();
              return true;
            }
            if (c < 0x20 || c > 0x7e || f.pos >= kMaxString) return false;
            if (c == '\\') {
              if (f.pos + kLongestEscape > kMaxString) return false;
              f.phase = kStrEscape;
            }
            ++f.pos;
            return true;
          case kStrEscape:
            if (c == 'u') {
              f.phase = kStrHex;
              f.count = 0;
            } else if (is_simple_escape(c)) {
              f.phase = kStrIn;
            } else {
              return false;
            }
            ++f.pos;
            return true;
          default:  // kStrHex
            if (!is_hex(c)) return false;
            ++f.pos;
            if (++f.count == 4) f.phase = kStrIn;
            return true;
        }
      case FrameKind::kNumber: {
        const bool integer = f.count == 1;
        uint8_t next = 255;
        switch (f.phase) {
          case 1: if (c == '0') next = 2; else if (c >= '1' && c <= '9') next = 3; break;
          case 2: if (!integer && c == '.') next = 4; else if (!integer && (c == 'e' || c == 'E')) next = 6; break;
          case 3:
            if (is_digit(c)) next = 3;
            else if (!integer && c == '.') next = 4;
            else if (!integer && (c == 'e' || c == 'E')) next = 6;
            break;
          case 4: case 5: if (is_digit(c)) next = 5; else if (f.phase == 5 && (c == 'e' || c == 'E')) next = 6; break;
          case 6: if (c == '+' || c == '-') next = 7; else if (is_digit(c)) next = 8; break;
          case 7: case 8: if (is_digit(c)) next = 8; break;
        }
        // Two exponent digits at most: 1e999 would not be a finite double.
        if (next == 8 && f.candidates++ >= kMaxExponentDigits) next = 255;
        if (next != 255 && f.pos < kMaxNumber) {
          f.phase = next;
          ++f.pos;
          return true;
        }
        if (!number_accepting(f)) return false;
        pop_done();
        continue;
      }
      case FrameKind::kObject: {
        if (f.phase != kSep) return false;
        if (static_cast<size_t>(f.count) + 1 < f.node->keys.size()) {
          if (c != ',') return false;
          ++f.count;
          f.phase = kKey;
          Frame k{FrameKind::kLiteral};
          k.node = f.node;
          return push(k);
        }
        if (c != '}') return false;
        pop_done();
        return true;
      }
      case FrameKind::kFreeObject: {
        switch (f.phase) {
          case kFreeFirst:
            if (c == '}') { pop_done(); return true; }
            [[fallthrough]];
          case kFreeNextKey: {
            if (c != '"') return false;
            f.phase = kFreeKey;
            return push(opened_string());
          }
          case kFreeColon: {
            if (c != ':') return false;
            f.phase = kFreeValue;
            Frame v{FrameKind::kValue};
            v.nest = f.nest;
            return push(v);
          }
          case kFreeSep:
            if (c == '}') { pop_done(); return true; }
            if (c == ',' && f.count < kMaxItems) { f.phase = kFreeNextKey; return true; }
            return false;
          default:
            return false;
        }
      }
      case FrameKind::kArray: {
        if (f.phase == kArrFirst && c == ']') { pop_done(); return true; }
        if (f.phase == kArrSep) {
          if (c == ']') { pop_done(); return true; }
          if (c != ',' || f.count >= kMaxItems) return false;
          f.phase = kArrItem;
          Frame v{FrameKind::kValue};
          v.node = f.node;
          v.nest = f.nest;
          return push(v);
        }
        if (f.phase != kArrFirst) return false;
        f.phase = kArrItem;
        Frame v{FrameKind::kValue};
        v.node = f.node;
        v.nest = f.nest;
        if (!push(v)) return false;
        continue;  // the byte starts the first item
      }
    }
  }
  return false;  // a complete value takes no more bytes
}

uint8_t JsonMatcher::closing_byte() const {
  const Frame& f = stack_[depth_ - 1];
  // A value that is complete but still on the stack (a number, a literal that a longer one
  // could extend): the parent decides what comes next.
  auto parent = [this]() -> uint8_t {
    JsonMatcher m = *this;
    m.pop_done();
    return m.depth_ == 0 ? 0 : m.closing_byte();
  };
  switch (f.kind) {
    case FrameKind::kValue: {
      const NodeKind kind = f.node ? f.node->kind : NodeKind::kAny;
      switch (kind) {
        case NodeKind::kLiterals: {
          const std::string* best = nullptr;
          for (const auto& lit : f.node->literals)
            if (!lit.empty() && (!best || lit.size() < best->size())) best = &lit;
          return best ? static_cast<uint8_t>((*best)[0]) : 0;
        }
        case NodeKind::kString: return '"';
        case NodeKind::kNumber:
        case NodeKind::kInteger:
        case NodeKind::kAny: return '0';
        case NodeKind::kObject:
        case NodeKind::kAnyObject: return '{';
        case NodeKind::kArray: return '[';
      }
      return 0;
    }
    case FrameKind::kLiteral: {
      if (!f.literals) {
        const Frame& owner = stack_[depth_ - 2];
        return static_cast<uint8_t>(owner.node->keys[owner.count][f.pos]);
      }
      if (literal_complete(f)) return parent();
      const std::string* best = nullptr;
      for (size_t i = 0; i < f.literals->size() && i < 64; ++i) {
        const std::string& lit = (*f.literals)[i];
        if ((f.candidates >> i & 1) && lit.size() > f.pos && (!best || lit.size() < best->size()))
          best = &lit;
      }
      return best ? static_cast<uint8_t>((*best)[f.pos]) : 0;
    }
    case FrameKind::kString:
      if (f.phase == kStrEscape) return 'n';
      if (f.phase == kStrHex) return '0';
      return '"';
    case FrameKind::kNumber:
      return number_accepting(f) ? parent() : '0';
    case FrameKind::kObject:
      if (f.phase != kSep) return 0;
      return static_cast<size_t>(f.count) + 1 < f.node->keys.size() ? ',' : '}';
    case FrameKind::kFreeObject:
      if (f.phase == kFreeColon) return ':';
      if (f.phase == kFreeNextKey) return '"';
      return f.phase == kFreeFirst || f.phase == kFreeSep ? '}' : 0;
    case FrameKind::kArray:
      return f.phase == kArrItem ? 0 : ']';
  }
  return 0;
}

std::string JsonMatcher::completion() const {
  std::string out;
  JsonMatcher m = *this;
  // Bounded: every schema node's shortest value is finite, and each byte taken moves on.
  while (!m.can_end() && out.size() < 65536) {
    const uint8_t b = m.closing_byte();
    if (b == 0 || !m.feed(b)) break;
    out.push_back(static_cast<char>(b));
  }
  return out;
}

}  // namespace woolly::backends::detail
