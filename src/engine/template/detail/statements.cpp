// Statement execution: output, control flow, loops, assignments and macros.
#include "engine/template/detail/interpreter.h"

namespace woolly::engine::tmpl::detail {

namespace {

constexpr int kMaxCallDepth = 200;
// Limits on one render, so that a template cannot run away with time or memory.
constexpr int64_t kMaxLoopIterations = 1'000'000;
constexpr size_t kMaxOutputBytes = 64u << 20;

class Macro final : public Callable {
 public:
  Macro(const Stmt& def, FramePtr closure) : def_(def), closure_(std::move(closure)) {}

  Value call(Interpreter& interp, CallArgs& args) const override {
    if (args.pos.size() > def_.params.size()) {
      throw_error(Errc::kInvalidArgument, args.line, "macro '" + def_.text + "' takes " +
                  std::to_string(def_.params.size()) + " arguments");
    }
    auto frame = std::make_shared<Frame>();
    frame->parent = closure_;
    for (const auto& [key, value] : args.kw) {
      bool known = false;
      for (const auto& p : def_.params) known = known || p == key;
      if (!known) {
        throw_error(Errc::kInvalidArgument, args.line,
                    "macro '" + def_.text + "' takes no keyword argument '" + key + "'");
      }
    }
    for (size_t i = 0; i < def_.params.size(); ++i) {
      const std::string& param = def_.params[i];
      if (i < args.pos.size()) {
        frame->set(param, args.pos[i]);
        continue;
      }
      const Value* given = nullptr;
      for (const auto& [key, value] : args.kw) {
        if (key == param) given = &value;
      }
      if (given != nullptr) frame->set(param, *given);
      else if (def_.defaults[i]) frame->set(param, interp.eval(*def_.defaults[i], frame));
      else frame->set(param, Value());
    }
    if (++interp.call_depth() > kMaxCallDepth) {
      throw_error(Errc::kOutOfRange, args.line, "macro calls nested too deeply");
    }
    std::string out;
    interp.exec(def_.body, frame, out);
    --interp.call_depth();
    return Value(std::move(out));
  }

 private:
  const Stmt& def_;
  // The defining frame usually holds this macro too; Interpreter::render breaks that cycle.
  FramePtr closure_;
};

// loop.cycle("odd", "even") picks by the iteration index.
class LoopCycle final : public Callable {
 public:
  explicit LoopCycle(int64_t index0) : index0_(index0) {}
  Value call(Interpreter&, CallArgs& args) const override {
    if (args.pos.empty()) throw_error(Errc::kInvalidArgument, args.line, "no items for cycling given");
    return args.pos[static_cast<size_t>(index0_) % args.pos.size()];
  }

 private:
  int64_t index0_;
};

void bind_targets(Frame& frame, const std::vector<std::string>& targets, const Value& item, int line) {
  if (targets.size() == 1) {
    frame.set(targets[0], item);
    return;
  }
  Array parts = iterate(item, line);
  if (parts.size() != targets.size()) {
    throw_error(Errc::kInvalidArgument, line, "cannot unpack " + std::to_string(parts.size()) +
                " values into " + std::to_string(targets.size()) + " names");
  }
  for (size_t k = 0; k < targets.size(); ++k) frame.set(targets[k], parts[k]);
}

}  // namespace

std::string Interpreter::render(const Body& body, FramePtr root) {
  // Macros and the frames they were defined in point at each other, and namespaces may hold
  // macros or themselves; emptying those when the render ends (normally or by an error) frees
  // everything.
  struct CycleBreaker {
    std::vector<FramePtr>& frames;
    std::vector<Value>& namespaces;
    ~CycleBreaker() {
      for (auto& f : frames) {
        f->vars.clear();
        f->parent.reset();
      }
      frames.clear();
      for (auto& ns : namespaces) ns.mutable_object().clear();
      namespaces.clear();
    }
  } breaker{captured_frames_, namespaces_};
  std::string out;
  out.reserve(4096);
  exec(body, root, out);
  return out;
}


Flow Interpreter::exec(const Body& body, const FramePtr& frame, std::string& out) {
  for (const auto& sp : body) {
    if (out.size() > kMaxOutputBytes) throw_error(Errc::kOutOfRange, sp->line, "template output too large");
    const Stmt& s = *sp;
    switch (s.kind) {
      case StmtKind::kText: out += s.text; break;
      case StmtKind::kOutput: {
        Value v = eval(*s.expr, frame);
        if (v.is_iterator() || v.is_callable()) {
          throw_error(Errc::kUnsupported, s.line, "printing a generator or function has no stable text");
        }
        v.append_str(out);
        break;
      }
      case StmtKind::kIf: {
        const Body* chosen = &s.else_body;
        for (const auto& [cond, branch] : s.branches) {
          if (eval(*cond, frame).truthy()) {
            chosen = &branch;
            break;
          }
        }
        const Flow f = exec(*chosen, frame, out);
        if (f != Flow::kNormal) return f;
        break;
      }
      case StmtKind::kFor: {
        const Flow f = exec_for(s, frame, out);
        if (f != Flow::kNormal) return f;
        break;
      }
      case StmtKind::kSet: exec_set(s, frame); break;
      case StmtKind::kSetBlock: {
        std::string text;
        exec(s.body, frame, text);
        Value v(std::move(text));
        if (s.filter) v = apply_filter_chain(*s.filter, std::move(v), frame);
        frame->set(s.targets[0], std::move(v));
        break;
      }
      case StmtKind::kMacro:
        captured_frames_.push_back(frame);
        frame->set(s.text, Value::callable(std::make_shared<Macro>(s, frame)));
        break;
      case StmtKind::kFilterBlock: {
        std::string text;
        exec(s.body, frame, text);
        apply_filter_chain(*s.filter, Value(std::move(text)), frame).append_str(out);
        break;
      }
      case StmtKind::kBreak: return Flow::kBreak;
      case StmtKind::kContinue: return Flow::kContinue;
      case StmtKind::kScope: {
        const Flow f = exec(s.body, frame, out);
        if (f != Flow::kNormal) return f;
        break;
      }
    }
  }
  return Flow::kNormal;
}

Flow Interpreter::exec_for(const Stmt& s, const FramePtr& frame, std::string& out) {
  Value iterable = eval(*s.expr, frame);
  Array items = iterate(iterable, s.line);
  if (s.cond) {
    Array kept;
    auto probe = std::make_shared<Frame>();
    probe->parent = frame;
    for (auto& item : items) {
      bind_targets(*probe, s.targets, item, s.line);
      if (eval(*s.cond, probe).truthy()) kept.push_back(std::move(item));
    }
    items = std::move(kept);
  }
  if (items.empty()) {
    auto scope = std::make_shared<Frame>();
    scope->parent = frame;
    exec(s.else_body, scope, out);
    return Flow::kNormal;
  }
  const auto n = static_cast<int64_t>(items.size());
  // One scope for the whole loop, emptied at each iteration: what an iteration sets is gone in
  // the next, and a macro defined in the body sees the current iteration, as in jinja2.
  auto scope = std::make_shared<Frame>();
  scope->parent = frame;
  for (int64_t i = 0; i < n; ++i) {
    if (++loop_iterations_ > kMaxLoopIterations) throw_error(Errc::kOutOfRange, s.line, "template loops too long");
    scope->vars.clear();
    bind_targets(*scope, s.targets, items[static_cast<size_t>(i)], s.line);
    if (s.uses_loop) {
      Object loop;
      loop.set("index", Value(i + 1));
      loop.set("index0", Value(i));
      loop.set("revindex", Value(n - i));
      loop.set("revindex0", Value(n - i - 1));
      loop.set("first", Value(i == 0));
      loop.set("last", Value(i == n - 1));
      loop.set("length", Value(n));
      loop.set("depth", Value(1));
      loop.set("depth0", Value(0));
      loop.set("previtem", i > 0 ? items[static_cast<size_t>(i - 1)] : Value());
      loop.set("nextitem", i + 1 < n ? items[static_cast<size_t>(i + 1)] : Value());
      loop.set("cycle", Value::callable(std::make_shared<LoopCycle>(i)));
      scope->set("loop", Value(std::move(loop)));
    }
    if (exec(s.body, scope, out) == Flow::kBreak) break;
  }
  return Flow::kNormal;
}

void Interpreter::exec_set(const Stmt& s, const FramePtr& frame) {
  Value v = eval(*s.expr, frame);
  if (!s.attr.empty()) {
    Value target = lookup(s.targets[0], frame);
    if (!target.is_object() || !target.as_object().is_namespace()) {
      throw_error(Errc::kInvalidArgument, s.line, "cannot assign attribute on non-namespace object");
    }
    target.mutable_object().set(s.attr, std::move(v));
    return;
  }
  bind_targets(*frame, s.targets, v, s.line);
}

}  // namespace woolly::engine::tmpl::detail
