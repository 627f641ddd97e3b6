#include "engine/template/detail/parser.h"

#include <cstdlib>
#include <initializer_list>

#include "engine/template/detail/builtins.h"
#include "engine/template/detail/lexer.h"
#include "engine/template/detail/template_error.h"

namespace woolly::engine::tmpl::detail {

namespace {

// Nesting of statements and of expressions is bounded so that a hostile template cannot
// overflow the stack of the parser (or later of the interpreter walking the tree).
constexpr int kMaxNesting = 128;

ExprPtr make_expr(ExprKind kind, int line) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->line = line;
  return e;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Body parse_all() {
    Body body = parse_body({});
    if (cur().type != TokenType::kEof) fail("unexpected tag");
    if (!hard_unknowns_.empty()) throw_error(Errc::kUnsupported, hard_unknowns_[0].first, hard_unknowns_[0].second);
    return body;
  }

 private:
  const Token& cur() const { return t_[p_]; }
  const Token& peek(size_t n = 1) const { return t_[std::min(p_ + n, t_.size() - 1)]; }
  void advance() { if (p_ + 1 < t_.size()) ++p_; }
  [[noreturn]] void fail(const std::string& msg) const { throw_error(Errc::kInvalidArgument, cur().line, msg); }
  [[noreturn]] void unsupported(const std::string& msg) const { throw_error(Errc::kUnsupported, cur().line, msg); }

  bool is_op(std::string_view op) const { return cur().type == TokenType::kOp && cur().text == op; }
  bool is_name(std::string_view name) const { return cur().type == TokenType::kName && cur().text == name; }
  bool accept_op(std::string_view op) {
    if (!is_op(op)) return false;
    advance();
    return true;
  }
  bool accept_name(std::string_view name) {
    if (!is_name(name)) return false;
    advance();
    return true;
  }
  void expect_op(std::string_view op) {
    if (!accept_op(op)) fail("expected '" + std::string(op) + "'");
  }
  std::string expect_name() {
    if (cur().type != TokenType::kName) fail("expected a name");
    std::string n = cur().text;
    advance();
    return n;
  }
  void expect_block_end() {
    if (cur().type != TokenType::kBlockEnd) fail("expected '%}'");
    advance();
  }

  // Parses statements until a {% <end> %} tag whose name is in `ends` (left unconsumed).
  Body parse_body(std::initializer_list<std::string_view> ends) {
    Body body;
    while (true) {
      const Token& t = cur();
      if (t.type == TokenType::kEof) {
        if (ends.size() != 0) fail("unexpected end of template, expected '" + std::string(*ends.begin()) + "'");
        return body;
      }
      if (t.type == TokenType::kText) {
        auto s = std::make_unique<Stmt>();
        s->kind = StmtKind::kText;
        s->line = t.line;
        s->text = t.text;
        body.push_back(std::move(s));
        advance();
      } else if (t.type == TokenType::kVarBegin) {
        auto s = std::make_unique<Stmt>();
        s->kind = StmtKind::kOutput;
        s->line = t.line;
        advance();
        s->expr = parse_tuple(true);
        if (cur().type != TokenType::kVarEnd) fail("expected '}}'");
        advance();
        body.push_back(std::move(s));
      } else if (t.type == TokenType::kBlockBegin) {
        const Token& name = peek();
        if (name.type != TokenType::kName) {
          advance();
          fail("expected a statement name");
        }
        for (std::string_view end : ends) {
          if (name.text == end) return body;
        }
        advance();
        body.push_back(parse_statement());
      } else {
        fail("unexpected token");
      }
    }
  }

  // Consumes "{% name %}" for an end or middle tag.
  void expect_tag(std::string_view name) {
    if (cur().type != TokenType::kBlockBegin) fail("expected {% " + std::string(name) + " %}");
    advance();
    if (!accept_name(name)) fail("expected '" + std::string(name) + "'");
  }

  // Counts one level of nesting for the lifetime of the guard.
  struct DepthGuard {
    Parser& p;
    explicit DepthGuard(Parser& parser) : p(parser) {
      if (++p.depth_ > kMaxNesting) p.throw_too_deep();
    }
    ~DepthGuard() { --p.depth_; }
  };
  [[noreturn]] void throw_too_deep() const {
    throw_error(Errc::kOutOfRange, cur().line, "template nests too deeply");
  }

  StmtPtr parse_statement() {
    DepthGuard guard(*this);
    auto s = std::make_unique<Stmt>();
    s->line = cur().line;
    const std::string keyword = expect_name();
    if (keyword == "if") {
      s->kind = StmtKind::kIf;
      const bool saved_soft = soft_;
      soft_ = true;
      ExprPtr cond = parse_tuple(false);
      expect_block_end();
      while (true) {
        Body b = parse_body({"elif", "else", "endif"});
        s->branches.emplace_back(std::move(cond), std::move(b));
        advance();  // {%
        const std::string which = expect_name();
        if (which == "elif") {
          cond = parse_tuple(false);
          expect_block_end();
          continue;
        }
        if (which == "else") {
          expect_block_end();
          s->else_body = parse_body({"endif"});
          expect_tag("endif");
        }
        expect_block_end();
        break;
      }
      soft_ = saved_soft;
    } else if (keyword == "for") {
      s->kind = StmtKind::kFor;
      s->targets = parse_targets();
      if (!accept_name("in")) fail("expected 'in'");
      s->expr = parse_tuple(false, /*stop_at_if=*/true);
      if (accept_name("if")) s->cond = parse_expression(true);
      if (is_name("recursive")) unsupported("recursive for loops are not supported");
      expect_block_end();
      const size_t loop_refs_before = loop_refs_;
      s->body = with_soft(false, [&] { return parse_body({"endfor", "else"}); });
      s->uses_loop = loop_refs_ != loop_refs_before;
      advance();
      if (expect_name() == "else") {
        expect_block_end();
        s->else_body = with_soft(false, [&] { return parse_body({"endfor"}); });
        expect_tag("endfor");
      }
      expect_block_end();
    } else if (keyword == "set") {
      const std::string first = expect_name();
      if (accept_op(".")) {
        s->kind = StmtKind::kSet;
        s->targets = {first};
        s->attr = expect_name();
        expect_op("=");
        s->expr = parse_tuple(true);
        expect_block_end();
      } else {
        s->targets = {first};
        while (accept_op(",")) s->targets.push_back(expect_name());
        if (accept_op("=")) {
          s->kind = StmtKind::kSet;
          s->expr = parse_tuple(true);
          expect_block_end();
        } else {
          if (s->targets.size() != 1) fail("expected '='");
          s->kind = StmtKind::kSetBlock;
          if (is_op("|")) s->filter = parse_filter_chain();
          expect_block_end();
          s->body = with_soft(false, [&] { return parse_body({"endset"}); });
          expect_tag("endset");
          expect_block_end();
        }
      }
    } else if (keyword == "macro") {
      s->kind = StmtKind::kMacro;
      s->text = expect_name();
      expect_op("(");
      while (!accept_op(")")) {
        if (!s->params.empty()) expect_op(",");
        if (accept_op(")")) break;
        s->params.push_back(expect_name());
        s->defaults.push_back(accept_op("=") ? parse_expression(true) : nullptr);
      }
      expect_block_end();
      s->body = with_soft(false, [&] { return parse_body({"endmacro"}); });
      expect_tag("endmacro");
      if (cur().type == TokenType::kName) advance();  // {% endmacro name %}
      expect_block_end();
    } else if (keyword == "filter") {
      s->kind = StmtKind::kFilterBlock;
      s->filter = parse_filter_chain(/*leading_bar=*/false);
      expect_block_end();
      s->body = with_soft(false, [&] { return parse_body({"endfilter"}); });
      expect_tag("endfilter");
      expect_block_end();
    } else if (keyword == "break" || keyword == "continue") {
      s->kind = keyword == "break" ? StmtKind::kBreak : StmtKind::kContinue;
      expect_block_end();
    } else if (keyword == "generation") {
      // Hugging Face's AssistantTracker marks assistant text for training masks; it renders
      // its body unchanged.
      s->kind = StmtKind::kScope;
      expect_block_end();
      s->body = parse_body({"endgeneration"});
      expect_tag("endgeneration");
      expect_block_end();
    } else {
      unsupported("the '" + keyword + "' statement is not supported");
    }
    return s;
  }

  std::vector<std::string> parse_targets() {
    std::vector<std::string> names;
    const bool paren = accept_op("(");
    names.push_back(expect_name());
    while (accept_op(",")) {
      if (paren && is_op(")")) break;
      names.push_back(expect_name());
    }
    if (paren) expect_op(")");
    return names;
  }

  // A chain of filters applied to a value supplied later (filter blocks, block sets).
  ExprPtr parse_filter_chain(bool leading_bar = true) {
    ExprPtr node;
    bool first = true;
    while (first ? (!leading_bar || is_op("|")) : is_op("|")) {
      if (!first || leading_bar) expect_op("|");
      first = false;
      node = parse_filter(std::move(node));
    }
    return node;
  }

  bool is_tuple_end() const {
    const Token& t = cur();
    return t.type == TokenType::kVarEnd || t.type == TokenType::kBlockEnd ||
           (t.type == TokenType::kOp && t.text == ")");
  }

  ExprPtr parse_tuple(bool with_condexpr, bool stop_at_if = false, bool explicit_parens = false) {
    const int line = cur().line;
    std::vector<ExprPtr> items;
    bool saw_comma = false;
    while (true) {
      if (!items.empty()) {
        if (!accept_op(",")) break;
        saw_comma = true;
      }
      if (is_tuple_end() || (stop_at_if && is_name("if"))) break;
      items.push_back(parse_expression(with_condexpr));
      if (!is_op(",")) break;
    }
    if (items.empty()) {
      if (!explicit_parens) fail("expected an expression");
    } else if (items.size() == 1 && !saw_comma) {
      return std::move(items[0]);
    }
    auto e = make_expr(ExprKind::kTuple, line);
    e->items = std::move(items);
    return e;
  }

  ExprPtr parse_expression(bool with_condexpr) {
    if (!with_condexpr) return parse_or();
    const size_t unknowns_before = hard_unknowns_.size();
    ExprPtr expr = parse_or();
    while (is_name("if")) {
      const int line = cur().line;
      advance();
      hard_unknowns_.resize(unknowns_before);
      auto c = make_expr(ExprKind::kCondition, line);
      c->b = with_soft(true, [&] { return parse_or(); });
      c->a = std::move(expr);
      if (accept_name("else")) c->c = with_soft(true, [&] { return parse_expression(true); });
      expr = std::move(c);
    }
    return expr;
  }

  ExprPtr binary(ExprKind kind, std::string op, ExprPtr a, ExprPtr b, int line) {
    auto e = make_expr(kind, line);
    e->name = std::move(op);
    e->a = std::move(a);
    e->b = std::move(b);
    return e;
  }

  ExprPtr parse_or() {
    ExprPtr left = parse_and();
    while (is_name("or")) {
      const int line = cur().line;
      advance();
      left = binary(ExprKind::kOr, "or", std::move(left), parse_and(), line);
    }
    return left;
  }

  ExprPtr parse_and() {
    ExprPtr left = parse_not();
    while (is_name("and")) {
      const int line = cur().line;
      advance();
      left = binary(ExprKind::kAnd, "and", std::move(left), parse_not(), line);
    }
    return left;
  }

  ExprPtr parse_not() {
    if (is_name("not")) {
      const int line = cur().line;
      advance();
      auto e = make_expr(ExprKind::kNot, line);
      e->a = parse_not();
      return e;
    }
    return parse_compare();
  }

  ExprPtr parse_compare() {
    ExprPtr left = parse_math1();
    int count = 0;
    while (true) {
      const int line = cur().line;
      std::string op;
      if (cur().type == TokenType::kOp &&
          (cur().text == "==" || cur().text == "!=" || cur().text == "<" || cur().text == "<=" ||
           cur().text == ">" || cur().text == ">=")) {
        op = cur().text;
        advance();
      } else if (is_name("in")) {
        op = "in";
        advance();
      } else if (is_name("not") && peek().type == TokenType::kName && peek().text == "in") {
        op = "not in";
        advance();
        advance();
      } else {
        break;
      }
      if (++count > 1) unsupported("chained comparisons are not supported");
      left = binary(ExprKind::kCompare, op, std::move(left), parse_math1(), line);
    }
    return left;
  }

  ExprPtr parse_math1() {
    ExprPtr left = parse_concat();
    while (is_op("+") || is_op("-")) {
      const std::string op = cur().text;
      const int line = cur().line;
      advance();
      left = binary(ExprKind::kBinary, op, std::move(left), parse_concat(), line);
    }
    return left;
  }

  ExprPtr parse_concat() {
    ExprPtr left = parse_math2();
    while (is_op("~")) {
      const int line = cur().line;
      advance();
      left = binary(ExprKind::kBinary, "~", std::move(left), parse_math2(), line);
    }
    return left;
  }

  ExprPtr parse_math2() {
    ExprPtr left = parse_pow();
    while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
      const std::string op = cur().text;
      const int line = cur().line;
      advance();
      left = binary(ExprKind::kBinary, op, std::move(left), parse_pow(), line);
    }
    return left;
  }

  ExprPtr parse_pow() {
    ExprPtr left = parse_unary(true);
    while (is_op("**")) {
      const int line = cur().line;
      advance();
      left = binary(ExprKind::kBinary, "**", std::move(left), parse_unary(true), line);
    }
    return left;
  }

  ExprPtr parse_unary(bool with_filter) {
    DepthGuard guard(*this);
    const int line = cur().line;
    ExprPtr node;
    if (is_op("-") || is_op("+")) {
      const bool neg = is_op("-");
      advance();
      node = make_expr(neg ? ExprKind::kNeg : ExprKind::kPos, line);
      node->a = parse_unary(false);
    } else {
      node = parse_primary();
    }
    node = parse_postfix(std::move(node));
    if (with_filter) node = parse_filter_expr(std::move(node));
    return node;
  }

  ExprPtr parse_primary() {
    const Token& t = cur();
    const int line = t.line;
    if (t.type == TokenType::kName) {
      auto e = make_expr(ExprKind::kLiteral, line);
      if (t.text == "true" || t.text == "True") e->literal = Value(true);
      else if (t.text == "false" || t.text == "False") e->literal = Value(false);
      else if (t.text == "none" || t.text == "None") e->literal = Value::none();
      else {
        e->kind = ExprKind::kName;
        e->name = t.text;
        if (e->name == "loop") ++loop_refs_;
      }
      advance();
      return e;
    }
    if (t.type == TokenType::kString) {
      std::string s;
      while (cur().type == TokenType::kString) {
        s += cur().text;
        advance();
      }
      auto e = make_expr(ExprKind::kLiteral, line);
      e->literal = Value(std::move(s));
      return e;
    }
    if (t.type == TokenType::kInt) {
      auto e = make_expr(ExprKind::kLiteral, line);
      e->literal = Value(static_cast<int64_t>(std::strtoll(t.text.c_str(), nullptr, 10)));
      advance();
      return e;
    }
    if (t.type == TokenType::kFloat) {
      auto e = make_expr(ExprKind::kLiteral, line);
      e->literal = Value(std::strtod(t.text.c_str(), nullptr));
      advance();
      return e;
    }
    if (accept_op("(")) {
      ExprPtr e = parse_tuple(true, false, true);
      expect_op(")");
      return e;
    }
    if (accept_op("[")) {
      auto e = make_expr(ExprKind::kList, line);
      while (!accept_op("]")) {
        if (!e->items.empty()) expect_op(",");
        if (accept_op("]")) break;
        e->items.push_back(parse_expression(true));
      }
      return e;
    }
    if (accept_op("{")) {
      auto e = make_expr(ExprKind::kDict, line);
      while (!accept_op("}")) {
        if (!e->items.empty()) expect_op(",");
        if (accept_op("}")) break;
        e->items.push_back(parse_expression(true));
        expect_op(":");
        e->items.push_back(parse_expression(true));
      }
      return e;
    }
    fail("unexpected '" + t.text + "'");
  }

  ExprPtr parse_postfix(ExprPtr node) {
    while (true) {
      const int line = cur().line;
      if (accept_op(".")) {
        if (cur().type == TokenType::kInt) {
          auto e = make_expr(ExprKind::kGetItem, line);
          e->a = std::move(node);
          e->b = make_expr(ExprKind::kLiteral, line);
          e->b->literal = Value(static_cast<int64_t>(std::strtoll(cur().text.c_str(), nullptr, 10)));
          advance();
          node = std::move(e);
          continue;
        }
        auto e = make_expr(ExprKind::kGetAttr, line);
        e->a = std::move(node);
        e->name = expect_name();
        node = std::move(e);
      } else if (accept_op("[")) {
        node = parse_subscript(std::move(node), line);
      } else if (is_op("(")) {
        node = parse_call(std::move(node));
      } else {
        return node;
      }
    }
  }

  ExprPtr parse_subscript(ExprPtr target, int line) {
    ExprPtr parts[3];
    int colons = 0;
    while (!is_op("]")) {
      if (accept_op(":")) {
        if (++colons > 2) fail("bad slice");
        continue;
      }
      if (parts[colons]) fail("expected ']'");
      parts[colons] = parse_expression(true);
    }
    expect_op("]");
    if (colons == 0) {
      if (!parts[0]) fail("empty subscript");
      auto e = make_expr(ExprKind::kGetItem, line);
      e->a = std::move(target);
      e->b = std::move(parts[0]);
      return e;
    }
    auto e = make_expr(ExprKind::kSlice, line);
    e->a = std::move(target);
    e->items.resize(3);
    for (int k = 0; k < 3; ++k) e->items[k] = std::move(parts[k]);
    return e;
  }

  void parse_call_args(Expr& e) {
    expect_op("(");
    bool first = true;
    while (!accept_op(")")) {
      if (!first) {
        expect_op(",");
        if (accept_op(")")) break;
      }
      first = false;
      if (is_op("*") || is_op("**")) unsupported("*args and **kwargs in calls are not supported");
      if (cur().type == TokenType::kName && peek().type == TokenType::kOp && peek().text == "=") {
        std::string key = cur().text;
        advance();
        advance();
        e.kwargs.emplace_back(std::move(key), parse_expression(true));
      } else {
        if (!e.kwargs.empty()) fail("positional argument after keyword argument");
        e.items.push_back(parse_expression(true));
      }
    }
  }

  ExprPtr parse_call(ExprPtr callee) {
    auto e = make_expr(ExprKind::kCall, cur().line);
    e->a = std::move(callee);
    parse_call_args(*e);
    return e;
  }

  ExprPtr parse_filter(ExprPtr input) {
    auto e = make_expr(ExprKind::kFilter, cur().line);
    e->a = std::move(input);
    e->name = expect_name();
    if (!is_known_filter(e->name)) note_unknown("filter", e->name);
    if (is_op("(")) parse_call_args(*e);
    return e;
  }

  ExprPtr parse_filter_expr(ExprPtr node) {
    while (true) {
      if (accept_op("|")) {
        node = parse_filter(std::move(node));
      } else if (is_name("is")) {
        auto e = make_expr(ExprKind::kTest, cur().line);
        advance();
        e->negated = accept_name("not");
        e->name = expect_name();
        if (!is_known_test(e->name)) note_unknown("test", e->name);
        e->a = std::move(node);
        const Token& t = cur();
        if (is_op("(")) {
          parse_call_args(*e);
        } else if ((t.type == TokenType::kName || t.type == TokenType::kString ||
                    t.type == TokenType::kInt || t.type == TokenType::kFloat ||
                    (t.type == TokenType::kOp && (t.text == "[" || t.text == "{"))) &&
                   !(t.type == TokenType::kName &&
                     (t.text == "else" || t.text == "or" || t.text == "and"))) {
          if (is_name("is")) fail("tests cannot be chained with 'is'");
          e->items.push_back(parse_postfix(parse_primary()));
        }
        node = std::move(e);
      } else if (is_op("(")) {
        node = parse_call(std::move(node));
      } else {
        return node;
      }
    }
  }

  // jinja2 rejects an unknown filter or test when compiling, except inside an if statement or
  // a conditional expression, where it fails only if evaluated. The node then throws at run time.
  void note_unknown(const char* what, const std::string& name) {
    if (soft_) return;
    hard_unknowns_.emplace_back(cur().line, std::string("no ") + what + " named '" + name + "'");
  }

  // Runs `fn` with soft_ set to `soft`, restoring it afterwards.
  template <typename Fn>
  auto with_soft(bool soft, Fn fn) -> decltype(fn()) {
    const bool saved = soft_;
    soft_ = soft;
    auto r = fn();
    soft_ = saved;
    return r;
  }

  std::vector<Token> t_;
  size_t p_ = 0;
  bool soft_ = false;
  int depth_ = 0;
  size_t loop_refs_ = 0;  // how many times the name `loop` has been read so far
  std::vector<std::pair<int, std::string>> hard_unknowns_;
};

}  // namespace

Body parse_template(std::string_view source) { return Parser(tokenize(source)).parse_all(); }

}  // namespace woolly::engine::tmpl::detail
