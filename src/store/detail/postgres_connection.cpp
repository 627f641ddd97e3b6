#include "store/detail/postgres_connection.h"

#include <libpq-fe.h>

#include <cstring>
#include <string>
#include <vector>

namespace woolly::store::detail {
namespace {

// Rewrites `?` placeholders to $1, $2... outside quoted literals and identifiers.
std::string renumber_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

Error result_error(PGconn* conn, PGresult* res, std::string_view what) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = std::string(what) + ": " + PQerrorMessage(conn);
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  if (PQstatus(conn) != CONNECTION_OK) return Error(Errc::kUnavailable, std::move(msg));
  if (!state) return Error(Errc::kInternal, std::move(msg));
  if (std::strcmp(state, "23505") == 0) return Error(Errc::kAlreadyExists, std::move(msg));
  if (std::strcmp(state, "23503") == 0) return Error(Errc::kNotFound, std::move(msg));
  if (std::strncmp(state, "23", 2) == 0) return Error(Errc::kInvalidArgument, std::move(msg));
  if (std::strncmp(state, "22", 2) == 0) return Error(Errc::kInvalidArgument, std::move(msg));
  if (std::strcmp(state, "40001") == 0 || std::strcmp(state, "40P01") == 0 ||
      std::strcmp(state, "57014") == 0 || std::strcmp(state, "55P03") == 0 ||
      std::strncmp(state, "08", 2) == 0 || std::strcmp(state, "53300") == 0) {
    return Error(Errc::kUnavailable, std::move(msg));
  }
  return Error(Errc::kInternal, std::move(msg));
}

void ignore_notice(void*, const char*) {}

class PostgresConnection final : public Connection {
 public:
  PostgresConnection(std::string url, std::string schema, int lock_timeout_ms,
                     int statement_timeout_ms)
      : url_(std::move(url)),
        schema_(std::move(schema)),
        lock_timeout_ms_(lock_timeout_ms),
        statement_timeout_ms_(statement_timeout_ms) {}
  ~PostgresConnection() override { close(); }

  Status open() {
    close();
    // Keywords before the expanded URL are defaults the URL may override.
    const char* keys[] = {"connect_timeout", "dbname", nullptr};
    const char* values[] = {"10", url_.c_str(), nullptr};
    conn_ = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
      std::string msg = conn_ ? PQerrorMessage(conn_) : "out of memory";
      while (!msg.empty() && msg.back() == '\n') msg.pop_back();
      close();
      // The URL may hold a password: name the failure, never the URL.
      return Error(Errc::kUnavailable, "cannot connect to PostgreSQL: " + msg);
    }
    // "relation already exists, skipping" and friends would otherwise go to stderr.
    PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
    WOOLLY_TRY(exec_script("SET client_min_messages = warning; SET lock_timeout = " +
                           std::to_string(lock_timeout_ms_) +
                           "; SET statement_timeout = " + std::to_string(statement_timeout_ms_)));
    if (!schema_.empty()) {
      char* ident = PQescapeIdentifier(conn_, schema_.data(), schema_.size());
      if (!ident) return Error(Errc::kInvalidArgument, "bad PostgreSQL schema name");
      std::string quoted(ident);
      PQfreemem(ident);
      // CREATE SCHEMA IF NOT EXISTS is not safe against itself (two creators can both pass
      // the check); the advisory lock makes concurrent first starts take turns.
      WOOLLY_TRY(
          exec_script("BEGIN; SELECT pg_advisory_xact_lock(7079434); "
                      "CREATE SCHEMA IF NOT EXISTS " +
                      quoted + "; COMMIT"));
      WOOLLY_TRY(exec_script("SET search_path TO " + quoted));
    }
    return {};
  }

  Dialect dialect() const override { return Dialect::kPostgres; }

  Result<QueryResult> query(std::string_view sql, std::span<const Param> params) override {
    std::string text = renumber_placeholders(sql);
    std::vector<const char*> values(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      values[i] = params[i].text() ? params[i].text()->c_str() : nullptr;
    }
    PGresult* res = PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr,
                                 values.data(), nullptr, nullptr, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
      Error e = result_error(conn_, res, "query");
      PQclear(res);
      return e;
    }
    QueryResult out;
    int nrows = PQntuples(res);
    int ncols = PQnfields(res);
    out.rows.resize(nrows);
    for (int r = 0; r < nrows; ++r) {
      out.rows[r].cols.resize(ncols);
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(res, r, c)) continue;
        out.rows[r].cols[c] = std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c));
      }
    }
    const char* tuples = PQcmdTuples(res);
    out.affected = (tuples && *tuples) ? std::stoll(tuples) : 0;
    PQclear(res);
    return out;
  }

  Status exec_script(std::string_view sql) override {
    std::string s(sql);
    PGresult* res = PQexec(conn_, s.c_str());
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
      Error e = result_error(conn_, res, "exec");
      PQclear(res);
      return e;
    }
    PQclear(res);
    return {};
  }

  Status begin_write() override { return exec_script("BEGIN"); }
  Status commit() override { return exec_script("COMMIT"); }
  void rollback() override {
    if (conn_ && PQtransactionStatus(conn_) != PQTRANS_IDLE) (void)exec_script("ROLLBACK");
  }
  bool healthy() override { return conn_ && PQstatus(conn_) == CONNECTION_OK; }
  Status reconnect() override { return open(); }

 private:
  void close() {
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
  }

  std::string url_;
  std::string schema_;
  int lock_timeout_ms_;
  int statement_timeout_ms_;
  PGconn* conn_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<Connection>> open_postgres(const std::string& url, const std::string& schema,
                                                  int lock_timeout_ms, int statement_timeout_ms) {
  auto conn =
      std::make_unique<PostgresConnection>(url, schema, lock_timeout_ms, statement_timeout_ms);
  WOOLLY_TRY(conn->open());
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace woolly::store::detail
