// Value: the data model of the chat-template engine. It mirrors the Python objects a Jinja2
// template sees under Hugging Face transformers (None, bool, int, float, str, list, dict), plus
// Jinja's Undefined, one-shot iterators (what `select`/`map` return) and callables (macros,
// globals). Lists and dicts are shared immutably, as in an immutable sandbox; only namespace()
// objects are mutable. Dicts keep insertion order because templates print them in that order.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/result.h"

namespace woolly::engine::tmpl {

class Value;
class Object;
class Callable;
using Array = std::vector<Value>;

enum class Kind : uint8_t {
  kUndefined,  // a missing variable or attribute: renders empty, is falsy, fails when used
  kNone,
  kBool,
  kInt,
  kFloat,
  kString,
  kArray,
  kObject,
  kIterator,  // a lazy sequence in Python (generator): always truthy, no length, no printing
  kCallable,
};

// Options of Python's json.dumps as Hugging Face's `tojson` filter exposes them.
struct JsonOptions {
  int indent = -1;  // < 0: None (one line)
  bool ensure_ascii = false;
  bool sort_keys = false;
  // Empty: Python's defaults, (", ", ": ") without indent and (",", ": ") with one.
  std::string item_separator;
  std::string key_separator;
};

class Value {
 public:
  Value() = default;  // Undefined
  Value(bool b) : v_(b) {}                                   // NOLINT: implicit by design
  Value(int i) : v_(static_cast<int64_t>(i)) {}              // NOLINT
  Value(int64_t i) : v_(i) {}                                // NOLINT
  Value(double d) : v_(d) {}                                 // NOLINT
  Value(std::string s) : v_(std::move(s)) {}                 // NOLINT
  Value(std::string_view s) : v_(std::string(s)) {}          // NOLINT
  Value(const char* s) : v_(std::string(s)) {}               // NOLINT
  Value(Array a);                                            // NOLINT
  Value(Object o);                                           // NOLINT
  static Value none() { Value v; v.v_ = nullptr; return v; }
  static Value iterator(Array items);
  static Value callable(std::shared_ptr<const Callable> fn);
  // A string marked safe (jinja2's Markup, made by the safe and escape filters): `+` with a plain
  // string HTML-escapes the plain side, as Python's markupsafe does.
  static Value markup(std::string s) {
    Value v(std::move(s));
    v.markup_ = true;
    return v;
  }
  bool is_markup() const { return markup_; }
  // A Python tuple: a list that prints as (a, b) and never equals a list.
  static Value tuple(Array items) {
    Value v(std::move(items));
    v.tuple_ = true;
    return v;
  }
  bool is_tuple() const { return tuple_; }

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_undefined() const { return kind() == Kind::kUndefined; }
  bool is_none() const { return kind() == Kind::kNone; }
  bool is_bool() const { return kind() == Kind::kBool; }
  bool is_int() const { return kind() == Kind::kInt; }
  bool is_float() const { return kind() == Kind::kFloat; }
  // Python's bool is an int, so True + 1 == 2 and True == 1.
  bool is_number() const { return is_int() || is_float() || is_bool(); }
  bool is_string() const { return kind() == Kind::kString; }
  bool is_array() const { return kind() == Kind::kArray; }
  bool is_object() const { return kind() == Kind::kObject; }
  bool is_iterator() const { return kind() == Kind::kIterator; }
  bool is_callable() const { return kind() == Kind::kCallable; }

  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const;     // bool or int
  double as_double() const;   // bool, int or float
  const std::string& as_string() const { return std::get<std::string>(v_); }
  // The items of an array or an iterator.
  const Array& as_array() const;
  const Object& as_object() const { return *std::get<std::shared_ptr<Object>>(v_); }
  // Only namespace() objects may be changed; the interpreter checks that first.
  Object& mutable_object() const { return *std::get<std::shared_ptr<Object>>(v_); }
  const Callable& as_callable() const { return *std::get<std::shared_ptr<const Callable>>(v_); }

  // Python truthiness (Undefined is falsy, iterators and callables are truthy).
  bool truthy() const;
  // Python str(): what `{{ value }}` prints. Undefined prints nothing.
  std::string str() const;
  void append_str(std::string& out) const;
  // Python repr(), used for items inside printed lists and dicts.
  std::string repr() const;
  void append_repr(std::string& out) const;
  // Python json.dumps; fails for Undefined, iterators and callables, as Python does.
  Result<std::string> to_json(const JsonOptions& options = {}) const;
  static Result<Value> parse_json(std::string_view text);

  // Python ==: numbers compare by value across int/float/bool; Undefined equals only Undefined.
  friend bool operator==(const Value& a, const Value& b);

 private:
  using Storage = std::variant<std::monostate, std::nullptr_t, bool, int64_t, double, std::string,
                               std::shared_ptr<const Array>, std::shared_ptr<Object>,
                               std::shared_ptr<const Array>, std::shared_ptr<const Callable>>;
  Storage v_;
  bool markup_ = false;
  bool tuple_ = false;
};

class Object {
 public:
  Object() = default;
  Object(std::initializer_list<std::pair<std::string, Value>> entries);

  const Value* find(std::string_view key) const;
  // Replaces the value of an existing key in place (keeping its position) or appends the key.
  void set(std::string key, Value value);
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // Entries in insertion order; an integer key appears as its decimal text (see key_at).
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

  // Python dicts may have integer keys ({512: 128}); they are stored as decimal text and
  // flagged, so that lookups by integer, iteration and printing keep Python's behaviour.
  void set_int(int64_t key, Value value);
  const Value* find_int(int64_t key) const;
  bool key_is_int(size_t index) const { return index < int_keys_.size() && int_keys_[index]; }
  // The key of entry `index` as a template sees it: an int for integer keys, else a string.
  Value key_at(size_t index) const;

  // namespace() objects: the one mutable kind, printed as <Namespace {...}>.
  bool is_namespace() const { return is_namespace_; }
  void mark_namespace() { is_namespace_ = true; }
  void clear() {
    entries_.clear();
    int_keys_.clear();
  }

 private:
  std::vector<std::pair<std::string, Value>> entries_;
  std::vector<bool> int_keys_;  // parallel to entries_, empty while all keys are strings
  bool is_namespace_ = false;
};

// Python's repr() of a float ("1.0", "2.5", "1e+16", "1.5e-05", "inf").
std::string format_python_float(double d);

}  // namespace woolly::engine::tmpl
