// One database connection, as the SQL store sees it. SQL is written once with `?` placeholders;
// the PostgreSQL driver renumbers them to $1, $2... Values travel as text (or NULL) both ways,
// which keeps the drivers small and the results identical on both databases.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace woolly::store::detail {

enum class Dialect { kSqlite, kPostgres };

// A bound parameter: NULL, an integer or text.
class Param {
 public:
  Param() = default;                                    // NULL
  Param(int64_t v) : text_(std::to_string(v)) {}        // NOLINT: implicit by design
  Param(int v) : text_(std::to_string(v)) {}            // NOLINT
  Param(std::string_view v) : text_(std::string(v)) {}  // NOLINT
  Param(const std::string& v) : text_(v) {}             // NOLINT
  Param(const char* v) : text_(std::string(v)) {}       // NOLINT
  Param(std::optional<int64_t> v) {                     // NOLINT
    if (v) text_ = std::to_string(*v);
  }
  const std::optional<std::string>& text() const { return text_; }

 private:
  std::optional<std::string> text_;
};

struct Row {
  std::vector<std::optional<std::string>> cols;

  bool is_null(size_t i) const { return !cols[i].has_value(); }
  const std::string& text(size_t i) const;  // "" for NULL
  int64_t integer(size_t i) const;          // 0 for NULL
  std::optional<int64_t> opt_integer(size_t i) const;
};

struct QueryResult {
  std::vector<Row> rows;
  int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  virtual Result<QueryResult> query(std::string_view sql, std::span<const Param> params) = 0;
  // Several statements without parameters (migrations).
  virtual Status exec_script(std::string_view sql) = 0;
  // Starts a transaction that will write, taking the write lock up front where the database
  // needs it (SQLite: BEGIN IMMEDIATE, so two writers never deadlock upgrading read locks).
  virtual Status begin_write() = 0;
  virtual Status commit() = 0;
  virtual void rollback() = 0;
  // False once the connection is unusable; the pool then reconnects it.
  virtual bool healthy() = 0;
  virtual Status reconnect() = 0;
};

inline Result<QueryResult> query(Connection& c, std::string_view sql,
                                 std::initializer_list<Param> params = {}) {
  return c.query(sql, std::span<const Param>(params.begin(), params.size()));
}

}  // namespace woolly::store::detail
