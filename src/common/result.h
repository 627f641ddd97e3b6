// Result<T>: a value or an Error, in the manner of C++23 std::expected (g++ 12 in C++20 mode has
// none). Use it for every expected failure; exceptions are reserved for aborting a request.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "common/error.h"

namespace woolly {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }
  Error&& take_error() { assert(!ok()); return std::get<1>(std::move(v_)); }

  template <typename U>
  T value_or(U&& fallback) const& { return ok() ? value() : static_cast<T>(std::forward<U>(fallback)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }
  Error&& take_error() { assert(!ok_); return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

inline Error make_error(Errc code, std::string message) { return Error(code, std::move(message)); }

}  // namespace woolly

// Propagates an error from an expression returning Result<...>; evaluates to nothing.
#define WOOLLY_TRY(expr)                                   \
  do {                                                     \
    auto&& woolly_try_r_ = (expr);                         \
    if (!woolly_try_r_.ok()) return woolly_try_r_.take_error(); \
  } while (0)

// Assigns the value of a Result<T> expression to `lhs` or returns its error.
#define WOOLLY_ASSIGN_OR_RETURN(lhs, expr) WOOLLY_ASSIGN_OR_RETURN_IMPL_(WOOLLY_CAT_(r_, __LINE__), lhs, expr)
#define WOOLLY_CAT_(a, b) WOOLLY_CAT2_(a, b)
#define WOOLLY_CAT2_(a, b) a##b
#define WOOLLY_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.take_error();             \
  lhs = std::move(tmp).value()
