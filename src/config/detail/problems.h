// Collects every problem a loader finds so that one run reports them all.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/loader.h"

namespace woolly::config::detail {

class Problems {
 public:
  void add(std::string_view key, std::string_view reason) {
    items_.push_back(std::string(key) + ": " + std::string(reason));
  }
  void add(const Error& error) { items_.push_back(error.message); }
  void add_line(std::string line) { items_.push_back(std::move(line)); }
  bool empty() const { return items_.empty(); }
  const std::vector<std::string>& items() const { return items_; }

  // One error whose message lists every problem, one per line.
  Error to_error() const {
    std::string message;
    for (const std::string& item : items_) {
      if (!message.empty()) message += '\n';
      message += item;
    }
    return make_error(Errc::kInvalidArgument, std::move(message));
  }

 private:
  std::vector<std::string> items_;
};

// Replaces every `${NAME}` in `value` (`$${` is a literal `${`); the error names NAME and `key`.
Result<std::string> substitute(std::string_view value, std::string_view key, const Variables& vars);

// Names of `fields` in `table`, plus `extra`, for did-you-mean hints.
template <typename FieldSpan>
std::vector<std::string> known_keys(FieldSpan fields, std::string_view table,
                                    std::vector<std::string> extra = {}) {
  for (const auto& f : fields) {
    if (f.table == table) extra.emplace_back(f.key);
  }
  return extra;
}

// "unknown key" with a did-you-mean hint when a known key is close.
std::string unknown_key_reason(std::string_view key, const std::vector<std::string>& known);

}  // namespace woolly::config::detail
