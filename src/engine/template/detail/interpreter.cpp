// Expression evaluation: names, attributes, subscripts, calls, operators, filters and tests.
#include "engine/template/detail/interpreter.h"

#include <algorithm>
#include <cmath>

namespace woolly::engine::tmpl::detail {

namespace {

int64_t python_floordiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int64_t python_mod(int64_t a, int64_t b) {
  int64_t m = a % b;
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

Value repeat_sequence(const Value& seq, int64_t n) {
  if (seq.is_string()) {
    std::string out;
    for (int64_t k = 0; k < n; ++k) out += seq.as_string();
    return Value(std::move(out));
  }
  Array out;
  for (int64_t k = 0; k < n; ++k) out.insert(out.end(), seq.as_array().begin(), seq.as_array().end());
  return Value(std::move(out));
}

bool is_slice_index(const Value& v) { return v.is_int() || v.is_bool() || v.is_none() || v.is_undefined(); }

// Python slice bounds for a sequence of `len` items; all parts are ints or None.
std::vector<size_t> slice_indices(int64_t len, const Value& start_v, const Value& stop_v,
                                  const Value& step_v, int line) {
  auto as_index = [](const Value& v) { return v.as_int(); };
  const int64_t step = step_v.is_none() || step_v.is_undefined() ? 1 : as_index(step_v);
  if (step == 0) throw_error(Errc::kInvalidArgument, line, "slice step cannot be zero");
  auto norm = [&](const Value& v, int64_t dflt) {
    if (v.is_none() || v.is_undefined()) return dflt;
    int64_t i = as_index(v);
    if (i < 0) i += len;
    if (step > 0) return std::clamp<int64_t>(i, 0, len);
    return std::clamp<int64_t>(i, -1, len - 1);
  };
  const int64_t start = norm(start_v, step > 0 ? 0 : len - 1);
  const int64_t stop = norm(stop_v, step > 0 ? len : -1);
  std::vector<size_t> idx;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) idx.push_back(static_cast<size_t>(i));
  return idx;
}

}  // namespace

void throw_undefined(int line) {
  throw_error(Errc::kInvalidArgument, line, "undefined value used (UndefinedError)");
}

Array iterate(const Value& v, int line) {
  switch (v.kind()) {
    case Kind::kUndefined: return {};
    case Kind::kArray:
    case Kind::kIterator: return v.as_array();
    case Kind::kObject: {
      if (v.as_object().is_namespace()) break;
      Array keys;
      keys.reserve(v.as_object().size());
      for (size_t i = 0; i < v.as_object().size(); ++i) keys.push_back(v.as_object().key_at(i));
      return keys;
    }
    case Kind::kString: {
      Array chars;
      for (auto& c : utf8_chars(v.as_string())) chars.emplace_back(std::move(c));
      return chars;
    }
    default: break;
  }
  throw_error(Errc::kInvalidArgument, line, "value of type " + v.repr() + " is not iterable");
}

bool less_than(const Value& a, const Value& b, int line) {
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.as_double() < b.as_double();
    return a.as_int() < b.as_int();
  }
  if (a.is_string() && b.is_string()) return a.as_string() < b.as_string();
  if (a.is_array() && b.is_array()) {
    const Array& x = a.as_array();
    const Array& y = b.as_array();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (!(x[i] == y[i])) return less_than(x[i], y[i], line);
    }
    return x.size() < y.size();
  }
  if (a.is_undefined() || b.is_undefined()) throw_undefined(line);
  throw_error(Errc::kInvalidArgument, line, "values of these types cannot be ordered");
}

Value Interpreter::lookup(const std::string& name, const FramePtr& frame) const {
  for (const Frame* f = frame.get(); f != nullptr; f = f->parent.get()) {
    if (const Value* v = f->find_local(name)) return *v;
  }
  if (const Value* g = find_global(name)) return *g;
  return Value();
}

Value Interpreter::get_attr(const Value& obj, const std::string& name, int line) {
  if (obj.is_undefined()) throw_undefined(line);
  if (obj.is_object()) {
    if (!obj.as_object().is_namespace() && has_method(obj, name)) return bind_method(obj, name);
    const Value* v = obj.as_object().find(name);
    return v != nullptr ? *v : Value();
  }
  if ((obj.is_string() || obj.is_array()) && has_method(obj, name)) return bind_method(obj, name);
  return Value();
}

Value Interpreter::get_item(const Value& obj, const Value& key, int line) {
  if (obj.is_undefined()) throw_undefined(line);
  if (obj.is_object()) {
    if (key.is_string()) {
      const Value* v = obj.as_object().find(key.as_string());
      if (v != nullptr) return *v;
      return obj.as_object().is_namespace() ? Value() : get_attr(obj, key.as_string(), line);
    }
    if (key.is_int()) {
      const Value* v = obj.as_object().find_int(key.as_int());
      if (v != nullptr) return *v;
    }
    return Value();
  }
  if ((obj.is_array() || obj.is_string()) && (key.is_int() || key.is_bool())) {
    int64_t i = key.as_int();
    if (obj.is_array()) {
      const auto n = static_cast<int64_t>(obj.as_array().size());
      if (i < 0) i += n;
      if (i < 0 || i >= n) return Value();
      return obj.as_array()[static_cast<size_t>(i)];
    }
    const std::string& s = obj.as_string();
    bool ascii = true;
    for (unsigned char c : s) ascii = ascii && c < 0x80;
    if (ascii) {
      const auto n = static_cast<int64_t>(s.size());
      if (i < 0) i += n;
      if (i < 0 || i >= n) return Value();
      return Value(std::string(1, s[static_cast<size_t>(i)]));
    }
    auto chars = utf8_chars(s);
    const auto n = static_cast<int64_t>(chars.size());
    if (i < 0) i += n;
    if (i < 0 || i >= n) return Value();
    return Value(chars[static_cast<size_t>(i)]);
  }
  if (key.is_string()) return get_attr(obj, key.as_string(), line);
  return Value();
}

Value Interpreter::call(const Value& fn, CallArgs& args, int line) {
  args.line = line;
  if (fn.is_undefined()) throw_undefined(line);
  if (!fn.is_callable()) throw_error(Errc::kInvalidArgument, line, "value is not callable");
  return fn.as_callable().call(*this, args);
}

void Interpreter::eval_args(const Expr& e, const FramePtr& frame, CallArgs& args) {
  args.line = e.line;
  args.pos.reserve(e.items.size());
  for (const auto& item : e.items) args.pos.push_back(eval(*item, frame));
  for (const auto& [key, item] : e.kwargs) args.kw.emplace_back(key, eval(*item, frame));
}

Value Interpreter::eval_call(const Expr& e, const FramePtr& frame) {
  CallArgs args;
  if (e.a->kind == ExprKind::kGetAttr) {
    Value self = eval(*e.a->a, frame);
    if (self.is_undefined()) throw_undefined(e.line);
    const bool plain_dict = self.is_object() && !self.as_object().is_namespace();
    if ((plain_dict || self.is_string() || self.is_array()) && has_method(self, e.a->name)) {
      eval_args(e, frame, args);
      return call_method(self, e.a->name, args);
    }
    Value fn = get_attr(self, e.a->name, e.line);
    eval_args(e, frame, args);
    return call(fn, args, e.line);
  }
  Value fn = eval(*e.a, frame);
  eval_args(e, frame, args);
  return call(fn, args, e.line);
}

Value Interpreter::apply_filter_chain(const Expr& filter, Value input, const FramePtr& frame) {
  if (filter.a) input = apply_filter_chain(*filter.a, std::move(input), frame);
  CallArgs args;
  eval_args(filter, frame, args);
  return apply_filter(*this, filter.name, input, args);
}

Value Interpreter::eval(const Expr& e, const FramePtr& frame) {
  switch (e.kind) {
    case ExprKind::kLiteral: return e.literal;
    case ExprKind::kName: return lookup(e.name, frame);
    case ExprKind::kList:
    case ExprKind::kTuple: {
      Array items;
      items.reserve(e.items.size());
      for (const auto& item : e.items) items.push_back(eval(*item, frame));
      return e.kind == ExprKind::kTuple ? Value::tuple(std::move(items)) : Value(std::move(items));
    }
    case ExprKind::kDict: {
      Object obj;
      for (size_t i = 0; i + 1 < e.items.size(); i += 2) {
        Value key = eval(*e.items[i], frame);
        if (key.is_int()) obj.set_int(key.as_int(), eval(*e.items[i + 1], frame));
        else if (key.is_string()) obj.set(key.as_string(), eval(*e.items[i + 1], frame));
        else throw_error(Errc::kUnsupported, e.line, "dict keys must be strings or integers");
      }
      return Value(std::move(obj));
    }
    case ExprKind::kGetAttr: return get_attr(eval(*e.a, frame), e.name, e.line);
    case ExprKind::kGetItem: return get_item(eval(*e.a, frame), eval(*e.b, frame), e.line);
    case ExprKind::kSlice: return eval_slice(e, frame);
    case ExprKind::kCall: return eval_call(e, frame);
    case ExprKind::kFilter: {
      Value input = eval(*e.a, frame);
      CallArgs args;
      eval_args(e, frame, args);
      return apply_filter(*this, e.name, input, args);
    }
    case ExprKind::kTest: {
      Value input = eval(*e.a, frame);
      CallArgs args;
      eval_args(e, frame, args);
      return Value(apply_test(*this, e.name, input, args) != e.negated);
    }
    case ExprKind::kNeg:
    case ExprKind::kPos: {
      Value v = eval(*e.a, frame);
      if (v.is_undefined()) throw_undefined(e.line);
      if (!v.is_number()) throw_error(Errc::kInvalidArgument, e.line, "bad operand type for unary " + std::string(e.kind == ExprKind::kNeg ? "-" : "+"));
      if (e.kind == ExprKind::kPos) return v.is_bool() ? Value(v.as_int()) : v;
      return v.is_float() ? Value(-v.as_double()) : Value(-v.as_int());
    }
    case ExprKind::kNot: return Value(!eval(*e.a, frame).truthy());
    case ExprKind::kAnd: {
      Value a = eval(*e.a, frame);
      return a.truthy() ? eval(*e.b, frame) : a;
    }
    case ExprKind::kOr: {
      Value a = eval(*e.a, frame);
      return a.truthy() ? a : eval(*e.b, frame);
    }
    case ExprKind::kBinary: return eval_binary(e, frame);
    case ExprKind::kCompare: return eval_compare(e, frame);
    case ExprKind::kCondition:
      if (eval(*e.b, frame).truthy()) return eval(*e.a, frame);
      return e.c ? eval(*e.c, frame) : Value();
  }
  throw_error(Errc::kInternal, e.line, "unknown expression");
}

Value Interpreter::eval_slice(const Expr& e, const FramePtr& frame) {
  Value target = eval(*e.a, frame);
  Value parts[3];
  for (int k = 0; k < 3; ++k) parts[k] = e.items[k] ? eval(*e.items[k], frame) : Value::none();
  if (target.is_undefined()) throw_undefined(e.line);
  // Python's TypeError for a non-integer bound becomes Undefined in jinja2, like other failed
  // subscripts; a zero step is a ValueError and propagates.
  if (!is_slice_index(parts[0]) || !is_slice_index(parts[1]) || !is_slice_index(parts[2])) return Value();
  if (target.is_string()) {
    auto chars = utf8_chars(target.as_string());
    std::string out;
    for (size_t i : slice_indices(static_cast<int64_t>(chars.size()), parts[0], parts[1], parts[2], e.line)) out += chars[i];
    return Value(std::move(out));
  }
  if (target.is_array()) {
    const Array& a = target.as_array();
    Array out;
    for (size_t i : slice_indices(static_cast<int64_t>(a.size()), parts[0], parts[1], parts[2], e.line)) out.push_back(a[i]);
    return Value(std::move(out));
  }
  return Value();  // jinja2 turns the TypeError of an unsliceable value into Undefined
}

Value Interpreter::eval_binary(const Expr& e, const FramePtr& frame) {
  Value a = eval(*e.a, frame);
  Value b = eval(*e.b, frame);
  const std::string& op = e.name;
  if (op == "~") {
    std::string s = a.str();
    b.append_str(s);
    return Value(std::move(s));
  }
  if (a.is_undefined() || b.is_undefined()) throw_undefined(e.line);
  auto bad = [&]() -> Value {
    throw_error(Errc::kInvalidArgument, e.line, "unsupported operand types for " + op);
  };
  if (a.is_number() && b.is_number()) {
    const bool fl = a.is_float() || b.is_float();
    if (op == "+") return fl ? Value(a.as_double() + b.as_double()) : Value(a.as_int() + b.as_int());
    if (op == "-") return fl ? Value(a.as_double() - b.as_double()) : Value(a.as_int() - b.as_int());
    if (op == "*") return fl ? Value(a.as_double() * b.as_double()) : Value(a.as_int() * b.as_int());
    if (op == "/") {
      if (b.as_double() == 0) throw_error(Errc::kInvalidArgument, e.line, "division by zero");
      return Value(a.as_double() / b.as_double());
    }
    if (op == "//" || op == "%") {
      if (b.as_double() == 0) throw_error(Errc::kInvalidArgument, e.line, "division by zero");
      if (!fl) return Value(op == "//" ? python_floordiv(a.as_int(), b.as_int()) : python_mod(a.as_int(), b.as_int()));
      const double x = a.as_double(), y = b.as_double();
      const double q = std::floor(x / y);
      return op == "//" ? Value(q) : Value(x - q * y);
    }
    if (op == "**") {
      if (!fl && b.as_int() >= 0) {
        int64_t r = 1;
        for (int64_t k = 0; k < b.as_int(); ++k) r *= a.as_int();
        return Value(r);
      }
      return Value(std::pow(a.as_double(), b.as_double()));
    }
    return bad();
  }
  if (op == "+") {
    if (a.is_string() && b.is_string()) {
      if (a.is_markup() || b.is_markup()) {
        return Value::markup((a.is_markup() ? a.as_string() : html_escape(a.as_string())) +
                             (b.is_markup() ? b.as_string() : html_escape(b.as_string())));
      }
      return Value(a.as_string() + b.as_string());
    }
    if (a.is_array() && b.is_array() && !a.is_iterator() && !b.is_iterator()) {
      Array out = a.as_array();
      out.insert(out.end(), b.as_array().begin(), b.as_array().end());
      return Value(std::move(out));
    }
  }
  if (op == "*") {
    if ((a.is_string() || a.is_array()) && (b.is_int() || b.is_bool())) return repeat_sequence(a, b.as_int());
    if ((b.is_string() || b.is_array()) && (a.is_int() || a.is_bool())) return repeat_sequence(b, a.as_int());
  }
  if (op == "%" && a.is_string()) return Value(py_percent_format(a.as_string(), b, e.line));
  return bad();
}

Value Interpreter::eval_compare(const Expr& e, const FramePtr& frame) {
  Value a = eval(*e.a, frame);
  Value b = eval(*e.b, frame);
  const std::string& op = e.name;
  if (op == "==") return Value(a == b);
  if (op == "!=") return Value(!(a == b));
  if (op == "in" || op == "not in") {
    bool found = false;
    if (b.is_string()) {
      if (!a.is_string()) {
        if (a.is_undefined()) throw_undefined(e.line);
        throw_error(Errc::kInvalidArgument, e.line, "'in <string>' requires string as left operand");
      }
      found = b.as_string().find(a.as_string()) != std::string::npos;
    } else if (b.is_object() && !b.as_object().is_namespace()) {
      found = (a.is_string() && b.as_object().contains(a.as_string())) ||
              (a.is_int() && b.as_object().find_int(a.as_int()) != nullptr);
    } else if (b.is_array() || b.is_undefined()) {
      for (const Value& item : iterate(b, e.line)) found = found || item == a;
    } else {
      throw_error(Errc::kInvalidArgument, e.line, "argument of 'in' is not a container");
    }
    return Value(op == "in" ? found : !found);
  }
  if (op == "<") return Value(less_than(a, b, e.line));
  if (op == ">") return Value(less_than(b, a, e.line));
  if (op == "<=") return Value(!less_than(b, a, e.line));
  if (op == ">=") return Value(!less_than(a, b, e.line));
  throw_error(Errc::kInternal, e.line, "unknown comparison");
}

}  // namespace woolly::engine::tmpl::detail
