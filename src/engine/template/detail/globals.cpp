// Global functions of the template context: jinja2's range/namespace/dict and the two that
// Hugging Face adds, raise_exception and strftime_now.
#include <unordered_map>

#include "engine/template/detail/builtins.h"
#include "engine/template/detail/interpreter.h"

namespace woolly::engine::tmpl::detail {

namespace {

// jinja2's sandbox refuses ranges longer than this.
constexpr int64_t kMaxRange = 100000;

template <typename Fn>
class NativeFunction final : public Callable {
 public:
  explicit NativeFunction(Fn fn) : fn_(std::move(fn)) {}
  Value call(Interpreter& interp, CallArgs& args) const override { return fn_(interp, args); }

 private:
  Fn fn_;
};

template <typename Fn>
Value native(Fn fn) {
  return Value::callable(std::make_shared<NativeFunction<Fn>>(std::move(fn)));
}

Value range_fn(Interpreter&, CallArgs& args) {
  if (!args.kw.empty() || args.pos.empty() || args.pos.size() > 3) {
    throw_error(Errc::kInvalidArgument, args.line, "range expects 1 to 3 integer arguments");
  }
  for (const Value& v : args.pos) {
    if (!v.is_int() && !v.is_bool()) throw_error(Errc::kInvalidArgument, args.line, "range arguments must be integers");
  }
  int64_t start = 0, stop, step = 1;
  if (args.pos.size() == 1) {
    stop = args.pos[0].as_int();
  } else {
    start = args.pos[0].as_int();
    stop = args.pos[1].as_int();
    if (args.pos.size() == 3) step = args.pos[2].as_int();
  }
  if (step == 0) throw_error(Errc::kInvalidArgument, args.line, "range() arg 3 must not be zero");
  Array out;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
    if (static_cast<int64_t>(out.size()) >= kMaxRange) {
      throw_error(Errc::kOutOfRange, args.line, "range too big");
    }
    out.emplace_back(i);
  }
  return Value(std::move(out));
}

Value namespace_fn(Interpreter& interp, CallArgs& args) {
  Object obj;
  for (const Value& v : args.pos) {
    if (!v.is_object()) throw_error(Errc::kInvalidArgument, args.line, "namespace() takes a mapping");
    for (const auto& [k, item] : v.as_object()) obj.set(k, item);
  }
  for (const auto& [k, v] : args.kw) obj.set(k, v);
  obj.mark_namespace();
  Value ns(std::move(obj));
  interp.track_namespace(ns);
  return ns;
}

Value dict_fn(Interpreter&, CallArgs& args) {
  Object obj;
  for (const Value& v : args.pos) {
    if (!v.is_object()) throw_error(Errc::kUnsupported, args.line, "dict() from a non-mapping is not supported");
    for (const auto& [k, item] : v.as_object()) obj.set(k, item);
  }
  for (const auto& [k, v] : args.kw) obj.set(k, v);
  return Value(std::move(obj));
}

Value raise_exception_fn(Interpreter&, CallArgs& args) {
  const std::string msg = args.pos.empty() ? std::string("template raised an exception") : args.pos[0].str();
  throw_error(Errc::kInvalidArgument, args.line, "template error: " + msg);
}

Value strftime_now_fn(Interpreter& interp, CallArgs& args) {
  auto a = bind_args(args, {"format"}, "strftime_now");
  const std::string fmt = a[0].str();
  if (fmt.empty()) return Value("");
  char buf[512];
  const size_t n = std::strftime(buf, sizeof buf, fmt.c_str(), &interp.now());
  if (n == 0) throw_error(Errc::kInvalidArgument, args.line, "strftime format too long or empty result");
  return Value(std::string(buf, n));
}

}  // namespace

const Value* find_global(std::string_view name) {
  static const std::unordered_map<std::string_view, Value> kGlobals = {
      {"range", native(range_fn)},
      {"namespace", native(namespace_fn)},
      {"dict", native(dict_fn)},
      {"raise_exception", native(raise_exception_fn)},
      {"strftime_now", native(strftime_now_fn)},
  };
  auto it = kGlobals.find(name);
  return it == kGlobals.end() ? nullptr : &it->second;
}

}  // namespace woolly::engine::tmpl::detail
