// What the store-managing commands (`keys`, `users`) share: failing with the store's message
// and exit status 1, and the tenant a `--tenant NAME` option names.
#pragma once

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <utility>

#include "common/result.h"
#include "store/store.h"

namespace woolly::app::detail {

[[noreturn]] inline void fail(const Error& e) {
  std::cerr << "error: " << e.message << "\n";
  throw CLI::RuntimeError(1);
}

template <typename T>
T must(Result<T> r) {
  if (!r.ok()) fail(r.error());
  return std::move(*r);
}

// The tenant by name, created on first use so a fresh install can mint its first key or user.
inline Result<store::Tenant> tenant_named(store::Store& s, const std::string& name) {
  auto t = s.find_tenant(name);
  if (t.ok() || t.error().code != Errc::kNotFound) return t;
  return s.create_tenant(name);
}

}  // namespace woolly::app::detail
