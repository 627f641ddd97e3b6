// Walks the syntax tree and renders it, with Jinja2's scoping: a for loop gives each iteration
// its own scope, a macro call gets a fresh scope over the one it was defined in, and namespace()
// objects are the way to carry values out of a loop.
#pragma once

#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/template/detail/ast.h"
#include "engine/template/detail/builtins.h"
#include "engine/template/detail/template_error.h"

namespace woolly::engine::tmpl::detail {

struct Frame {
  std::vector<std::pair<std::string, Value>> vars;
  std::shared_ptr<Frame> parent;

  const Value* find_local(std::string_view name) const {
    for (const auto& v : vars) {
      if (v.first == name) return &v.second;
    }
    return nullptr;
  }
  void set(std::string_view name, Value value) {
    for (auto& v : vars) {
      if (v.first == name) {
        v.second = std::move(value);
        return;
      }
    }
    vars.emplace_back(std::string(name), std::move(value));
  }
};
using FramePtr = std::shared_ptr<Frame>;

enum class Flow { kNormal, kBreak, kContinue };

class Interpreter {
 public:
  explicit Interpreter(std::tm now) : now_(now) {}

  std::string render(const Body& body, FramePtr root);

  Value eval(const Expr& e, const FramePtr& frame);
  Flow exec(const Body& body, const FramePtr& frame, std::string& out);
  Value call(const Value& fn, CallArgs& args, int line);
  Value get_attr(const Value& obj, const std::string& name, int line);
  Value get_item(const Value& obj, const Value& key, int line);

  const std::tm& now() const { return now_; }
  // namespace() objects are mutable and may come to hold themselves or macros; render()
  // empties them at the end so that no reference cycle outlives the render.
  void track_namespace(const Value& ns) { namespaces_.push_back(ns); }
  // Macro calls nest; a template recursing without end must fail rather than overflow.
  int& call_depth() { return call_depth_; }

 private:
  Value lookup(const std::string& name, const FramePtr& frame) const;
  Value eval_call(const Expr& e, const FramePtr& frame);
  Value eval_binary(const Expr& e, const FramePtr& frame);
  Value eval_compare(const Expr& e, const FramePtr& frame);
  Value eval_slice(const Expr& e, const FramePtr& frame);
  Value apply_filter_chain(const Expr& filter, Value input, const FramePtr& frame);
  void eval_args(const Expr& e, const FramePtr& frame, CallArgs& args);
  Flow exec_for(const Stmt& s, const FramePtr& frame, std::string& out);
  void exec_set(const Stmt& s, const FramePtr& frame);

  std::tm now_;
  int call_depth_ = 0;
  int64_t loop_iterations_ = 0;
  std::vector<FramePtr> captured_frames_;  // frames that define macros, see render()
  std::vector<Value> namespaces_;          // namespace() objects made, see render()
};

// Items a for loop or a filter walks: list items, dict keys, string characters; Undefined
// walks as empty. Throws for values Python cannot iterate.
Array iterate(const Value& v, int line);

// Python's <, for sorting and comparisons; throws when the types do not compare.
bool less_than(const Value& a, const Value& b, int line);

[[noreturn]] void throw_undefined(int line);

}  // namespace woolly::engine::tmpl::detail
