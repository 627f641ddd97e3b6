// The syntax tree of a parsed template. Nodes are plain structs owned by their parent; the
// interpreter walks them directly.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/template/value.h"

namespace woolly::engine::tmpl::detail {

struct Expr;
struct Stmt;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

enum class ExprKind {
  kLiteral,    // literal
  kName,       // name
  kList,       // items
  kTuple,      // items (behaves as a list)
  kDict,       // items as key, value pairs
  kGetAttr,    // a.name
  kGetItem,    // a[b]
  kSlice,      // a[b:c:d]; missing parts are null pointers
  kCall,       // a(items, kwargs)
  kFilter,     // a | name(items, kwargs); a is null inside {% filter %}
  kTest,       // a is [not] name(items)
  kNeg,        // -a
  kPos,        // +a
  kNot,        // not a
  kBinary,     // a op b for + - * / // % ** ~
  kAnd,        // a and b
  kOr,         // a or b
  kCompare,    // a op b for == != < <= > >= in, "not in"
  kCondition,  // a if b else c (c may be null)
};

struct Expr {
  ExprKind kind;
  int line = 0;
  Value literal;
  std::string name;  // variable, attribute, filter, test or operator
  bool negated = false;
  ExprPtr a, b, c;
  std::vector<ExprPtr> items;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
};

enum class StmtKind {
  kText,       // text
  kOutput,     // {{ expr }}
  kIf,         // branches, else_body
  kFor,        // targets, expr (iterable), cond, body, else_body
  kSet,        // targets (or target + attr for ns.attr), expr
  kSetBlock,   // targets[0], body, optional filter
  kMacro,      // name, params, defaults, body
  kFilterBlock,// filter (Expr with null input), body
  kBreak,
  kContinue,
  kScope,      // body rendered in place ({% generation %} of Hugging Face)
};

struct Stmt {
  StmtKind kind;
  int line = 0;
  std::string text;
  ExprPtr expr;
  ExprPtr cond;
  ExprPtr filter;
  std::vector<std::pair<ExprPtr, Body>> branches;
  Body body;
  Body else_body;
  std::vector<std::string> targets;
  std::string attr;  // {% set ns.attr = ... %}
  std::vector<std::string> params;
  std::vector<ExprPtr> defaults;  // one per param, null when none
  bool uses_loop = false;  // kFor: the body mentions `loop`, so the loop object must be built
};

}  // namespace woolly::engine::tmpl::detail
