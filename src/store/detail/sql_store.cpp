#include "store/detail/sql_store.h"

#include <algorithm>
#include <chrono>

#include "store/detail/migrations.h"
#include "store/detail/postgres_connection.h"
#include "store/detail/sqlite_connection.h"

namespace woolly::store {

using detail::Connection;
using detail::query;

std::string_view ledger_kind_name(LedgerKind kind) {
  switch (kind) {
    case LedgerKind::kGrant:
      return "grant";
    case LedgerKind::kReserve:
      return "reserve";
    case LedgerKind::kCharge:
      return "charge";
    case LedgerKind::kRelease:
      return "release";
  }
  return "grant";
}

Result<std::unique_ptr<Store>> open_store(const StoreOptions& options) {
  const int n = std::clamp(options.connections, 1, 64);
  std::vector<std::unique_ptr<Connection>> conns;
  for (int i = 0; i < n; ++i) {
    Result<std::unique_ptr<Connection>> conn =
        options.backend == Backend::kSqlite
            ? detail::open_sqlite(options.sqlite_path, options.busy_timeout_ms,
                                  options.sqlite_sync_full)
            : detail::open_postgres(options.postgres_url, options.postgres_schema,
                                    options.busy_timeout_ms, options.statement_timeout_ms);
    if (!conn.ok()) return conn.take_error();
    if (i == 0) WOOLLY_TRY(detail::migrate(**conn, detail::now_ms()));
    conns.push_back(std::move(*conn));
  }
  return std::unique_ptr<Store>(std::make_unique<detail::SqlStore>(
      options.backend, std::move(conns), n,
      static_cast<size_t>(std::max(1, options.max_queued_jobs))));
}

namespace detail {

Millis now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string join_lines(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += '\n';
    out += items[i];
  }
  return out;
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  size_t start = 0;
  for (;;) {
    size_t nl = text.find('\n', start);
    out.emplace_back(text.substr(start, nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return out;
}

int clamp_limit(int limit) { return std::clamp(limit, 1, kMaxPageSize); }

Error not_found(std::string_view what) {
  return Error(Errc::kNotFound, std::string(what) + " not found");
}

SqlStore::SqlStore(Backend backend, std::vector<std::unique_ptr<Connection>> conns, int threads,
                   size_t max_queued)
    : backend_(backend), pool_(std::move(conns)), executor_(threads, max_queued) {}

Status SqlStore::post(std::function<void(Store&)> job) {
  return executor_.post([this, job = std::move(job)] { job(*this); });
}

Result<int64_t> SqlStore::schema_version() {
  return read([](Connection& c) { return current_schema_version(c); });
}

Status SqlStore::check_integrity() {
  return read([this](Connection& c) -> Status {
    if (backend_ == Backend::kSqlite) {
      WOOLLY_ASSIGN_OR_RETURN(auto r, query(c, "PRAGMA integrity_check"));
      if (r.rows.empty() || r.rows[0].text(0) != "ok") {
        return Error(Errc::kCorruptData,
                     "integrity_check: " + (r.rows.empty() ? "" : r.rows[0].text(0)));
      }
      WOOLLY_ASSIGN_OR_RETURN(auto fk, query(c, "PRAGMA foreign_key_check"));
      if (!fk.rows.empty()) return Error(Errc::kCorruptData, "foreign_key_check: dangling rows");
    }
    // Both: each account's balance row equals the sum of its ledger, and its reserved amount
    // equals the sum of its open reservations.
    WOOLLY_ASSIGN_OR_RETURN(auto bad, query(c, R"sql(
SELECT COUNT(*) FROM credit_accounts a
WHERE a.balance <> (SELECT COALESCE(SUM(CASE l.kind WHEN 'grant' THEN l.amount
                                                   WHEN 'charge' THEN -l.amount ELSE 0 END), 0)
                    FROM credit_ledger l
                    WHERE l.tenant_id = a.tenant_id AND l.principal = a.principal)
   OR a.reserved <> (SELECT COALESCE(SUM(r.amount), 0) FROM credit_reservations r
                     WHERE r.tenant_id = a.tenant_id AND r.principal = a.principal
                       AND r.state = 'open'))sql"));
    if (bad.rows.at(0).integer(0) != 0) {
      return Error(Errc::kCorruptData, "credit accounts disagree with their ledger");
    }
    // Each key's spending: held = its open reservations, spent = the charges of its others.
    WOOLLY_ASSIGN_OR_RETURN(auto keys, query(c, R"sql(
SELECT COUNT(*) FROM api_keys k
WHERE k.held <> (SELECT COALESCE(SUM(r.amount), 0) FROM credit_reservations r
                 WHERE r.api_key_id = k.id AND r.state = 'open')
   OR k.spent <> (SELECT COALESCE(SUM(l.amount), 0) FROM credit_ledger l
                  JOIN credit_reservations r ON r.id = l.reservation_id
                  WHERE r.api_key_id = k.id AND l.kind = 'charge'))sql"));
    if (keys.rows.at(0).integer(0) != 0) {
      return Error(Errc::kCorruptData, "API key spending disagrees with the ledger");
    }
    return {};
  });
}

// --- tenants ------------------------------------------------------------------------------

namespace {
Tenant tenant_from(const Row& r) { return Tenant{r.integer(0), r.text(1), r.integer(2)}; }
User user_from(const Row& r) {
  return User{r.integer(0), r.integer(1), r.text(2), r.text(3), r.text(4), r.integer(5)};
}
constexpr const char* kUserCols = "id, tenant_id, name, email, role, created_at";
}  // namespace

Result<Tenant> SqlStore::create_tenant(std::string_view name) {
  if (name.empty()) return Error(Errc::kInvalidArgument, "tenant name is empty");
  return write([&](Connection& c) -> Result<Tenant> {
    WOOLLY_ASSIGN_OR_RETURN(
        auto r,
        query(c,
              "INSERT INTO tenants (name, created_at) VALUES (?, ?) RETURNING id, name, created_at",
              {name, now_ms()}));
    return tenant_from(r.rows.at(0));
  });
}

Result<Tenant> SqlStore::get_tenant(Id tenant_id) {
  return read([&](Connection& c) -> Result<Tenant> {
    WOOLLY_ASSIGN_OR_RETURN(
        auto r, query(c, "SELECT id, name, created_at FROM tenants WHERE id = ?", {tenant_id}));
    if (r.rows.empty()) return not_found("tenant");
    return tenant_from(r.rows[0]);
  });
}

Result<Tenant> SqlStore::find_tenant(std::string_view name) {
  return read([&](Connection& c) -> Result<Tenant> {
    WOOLLY_ASSIGN_OR_RETURN(
        auto r, query(c, "SELECT id, name, created_at FROM tenants WHERE name = ?", {name}));
    if (r.rows.empty()) return not_found("tenant");
    return tenant_from(r.rows[0]);
  });
}

// --- users --------------------------------------------------------------------------------

Result<User> SqlStore::create_user(const User& user) {
  if (user.name.empty()) return Error(Errc::kInvalidArgument, "user name is empty");
  return write([&](Connection& c) -> Result<User> {
    WOOLLY_ASSIGN_OR_RETURN(
        auto r, query(c,
                      std::string("INSERT INTO users (tenant_id, name, email, role, created_at) "
                                  "VALUES (?, ?, ?, ?, ?) RETURNING ") +
                          kUserCols,
                      {user.tenant_id, user.name, user.email, user.role, now_ms()}));
    return user_from(r.rows.at(0));
  });
}

Result<User> SqlStore::get_user(Id tenant_id, Id user_id) {
  return read([&](Connection& c) -> Result<User> {
    WOOLLY_ASSIGN_OR_RETURN(
        auto r,
        query(c, std::string("SELECT ") + kUserCols + " FROM users WHERE tenant_id = ? AND id = ?",
              {tenant_id, user_id}));
    if (r.rows.empty()) return not_found("user");
    return user_from(r.rows[0]);
  });
}

Result<std::vector<User>> SqlStore::list_users(Id tenant_id, PageRequest page) {
  return read([&](Connection& c) -> Result<std::vector<User>> {
    WOOLLY_ASSIGN_OR_RETURN(
        auto r, query(c,
                      std::string("SELECT ") + kUserCols +
                          " FROM users WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?",
                      {tenant_id, page.after_id, clamp_limit(page.limit)}));
    std::vector<User> out;
    for (const Row& row : r.rows) out.push_back(user_from(row));
    return out;
  });
}

Status SqlStore::delete_user(Id tenant_id, Id user_id) {
  return write([&](Connection& c) -> Status {
    WOOLLY_ASSIGN_OR_RETURN(
        auto r, query(c, "DELETE FROM users WHERE tenant_id = ? AND id = ?", {tenant_id, user_id}));
    if (r.affected == 0) return not_found("user");
    return {};
  });
}

}  // namespace detail
}  // namespace woolly::store
