#include <charconv>

#include "store/detail/connection.h"

namespace woolly::store::detail {

const std::string& Row::text(size_t i) const {
  static const std::string kEmpty;
  return cols[i] ? *cols[i] : kEmpty;
}

int64_t Row::integer(size_t i) const { return opt_integer(i).value_or(0); }

std::optional<int64_t> Row::opt_integer(size_t i) const {
  if (!cols[i]) return std::nullopt;
  const std::string& s = *cols[i];
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

}  // namespace woolly::store::detail
