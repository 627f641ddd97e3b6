// The credit ledger. Each principal has one account row (balance, reserved) kept in the same
// transaction as the ledger entries that explain it, so reading a balance is one row and the
// invariant "row == sum of ledger" is checkable (check_integrity).
//
// Concurrency: every operation is one write transaction that first locks the account row.
// SQLite: BEGIN IMMEDIATE takes the database write lock, so transactions run one at a time.
// PostgreSQL: SELECT ... FOR UPDATE on the account row; a concurrent reservation waits for the
// lock and then sees the committed balance (READ COMMITTED re-reads the locked row).
#include "store/detail/sql_store.h"

namespace woolly::store::detail {
namespace {

Status check_principal(const Principal& who) {
  if (who.name.empty() || who.name.size() > 200) {
    return Error(Errc::kInvalidArgument, "credit principal name must be 1..200 characters");
  }
  return {};
}

// Creates the account if missing (a principal with no grants has balance 0), then locks it.
Result<CreditBalance> lock_account(Connection& c, const Principal& who, const char* for_update) {
  WOOLLY_TRY(query(
      c,
      "INSERT INTO credit_accounts (tenant_id, principal, balance, reserved) VALUES (?, ?, 0, 0) "
      "ON CONFLICT (tenant_id, principal) DO NOTHING",
      {who.tenant_id, who.name}));
  WOOLLY_ASSIGN_OR_RETURN(
      auto r,
      query(c,
            std::string("SELECT balance, reserved FROM credit_accounts WHERE tenant_id = ? AND "
                        "principal = ?") +
                for_update,
            {who.tenant_id, who.name}));
  return CreditBalance{r.rows.at(0).integer(0), r.rows.at(0).integer(1)};
}

Status add_entry(Connection& c, const Principal& who, LedgerKind kind, Micros amount,
                 std::optional<Id> reservation, std::string_view note, Millis now) {
  WOOLLY_TRY(
      query(c,
            "INSERT INTO credit_ledger (tenant_id, principal, kind, amount, reservation_id, note, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            {who.tenant_id, who.name, ledger_kind_name(kind), amount, reservation, note, now}));
  return {};
}

Status store_account(Connection& c, const Principal& who, const CreditBalance& b) {
  WOOLLY_TRY(query(
      c,
      "UPDATE credit_accounts SET balance = ?, reserved = ? WHERE tenant_id = ? AND principal = ?",
      {b.balance, b.reserved, who.tenant_id, who.name}));
  return {};
}

LedgerKind kind_from(std::string_view s) {
  if (s == "reserve") return LedgerKind::kReserve;
  if (s == "charge") return LedgerKind::kCharge;
  if (s == "release") return LedgerKind::kRelease;
  return LedgerKind::kGrant;
}

}  // namespace

Result<CreditBalance> SqlStore::grant(const Principal& who, Micros amount, std::string_view note) {
  WOOLLY_TRY(check_principal(who));
  if (amount <= 0) return Error(Errc::kInvalidArgument, "grant amount must be positive");
  return write([&](Connection& c) -> Result<CreditBalance> {
    WOOLLY_ASSIGN_OR_RETURN(CreditBalance b, lock_account(c, who, for_update()));
    b.balance += amount;
    WOOLLY_TRY(store_account(c, who, b));
    WOOLLY_TRY(add_entry(c, who, LedgerKind::kGrant, amount, std::nullopt, note, now_ms()));
    return b;
  });
}

Result<Reservation> SqlStore::reserve(const Principal& who, Micros amount,
                                      std::optional<Id> api_key_id) {
  WOOLLY_TRY(check_principal(who));
  if (amount <= 0) return Error(Errc::kInvalidArgument, "reservation amount must be positive");
  return write([&](Connection& c) -> Result<Reservation> {
    WOOLLY_ASSIGN_OR_RETURN(CreditBalance b, lock_account(c, who, for_update()));
    if (b.available() < amount) {
      return Error(Errc::kInsufficientCredits,
                   "insufficient credits: " + std::to_string(b.available()) + " available, " +
                       std::to_string(amount) + " needed");
    }
    // Lock order: account, then key (close_reservation_on: account, reservation, key). One
    // statement checks the budget and holds the amount; the row's lock makes concurrent ones wait
    // and re-check (PostgreSQL re-evaluates the WHERE on the updated row).
    std::optional<Id> key;
    if (api_key_id) {
      WOOLLY_ASSIGN_OR_RETURN(
          auto held, query(c,
                           "UPDATE api_keys SET held = held + ? WHERE tenant_id = ? AND id = ? "
                           "AND (budget IS NULL OR spent + held + ? <= budget)",
                           {amount, who.tenant_id, *api_key_id, amount}));
      if (held.affected == 1) {
        key = api_key_id;
      } else {
        // Nothing held: a key of another tenant, or none at all (no budget here to count
        // against), or a budget that cannot cover the amount.
        WOOLLY_ASSIGN_OR_RETURN(
            auto k,
            query(c, "SELECT budget, spent, held FROM api_keys WHERE tenant_id = ? AND id = ?",
                  {who.tenant_id, *api_key_id}));
        if (!k.rows.empty()) {
          const Micros budget = k.rows[0].integer(0);
          const Micros used = k.rows[0].integer(1) + k.rows[0].integer(2);
          return Error(Errc::kInsufficientCredits,
                       "API key budget: " + std::to_string(std::max<Micros>(0, budget - used)) +
                           " of " + std::to_string(budget) + " left, " + std::to_string(amount) +
                           " needed");
        }
      }
    }
    const Millis now = now_ms();
    WOOLLY_ASSIGN_OR_RETURN(
        auto r, query(c,
                      "INSERT INTO credit_reservations (tenant_id, principal, amount, state, "
                      "created_at, api_key_id) VALUES (?, ?, ?, 'open', ?, ?) RETURNING id",
                      {who.tenant_id, who.name, amount, now, key}));
    const Id id = r.rows.at(0).integer(0);
    b.reserved += amount;
    WOOLLY_TRY(store_account(c, who, b));
    WOOLLY_TRY(add_entry(c, who, LedgerKind::kReserve, amount, id, "", now));
    return Reservation{id, who, amount, key};
  });
}

Result<CreditBalance> SqlStore::settle(Id tenant_id, Id reservation_id, Micros actual) {
  if (actual < 0) return Error(Errc::kInvalidArgument, "charge must not be negative");
  return close_reservation(tenant_id, reservation_id, actual);
}

Result<CreditBalance> SqlStore::release(Id tenant_id, Id reservation_id) {
  return close_reservation(tenant_id, reservation_id, std::nullopt);
}

Result<CreditBalance> SqlStore::close_reservation(Id tenant_id, Id reservation_id,
                                                  std::optional<Micros> actual) {
  return write([&](Connection& c) -> Result<CreditBalance> {
    return close_reservation_on(c, tenant_id, reservation_id, actual);
  });
}

Result<Id> SqlStore::settle_and_record(std::optional<Id> reservation_id, Micros actual,
                                       const UsageRecord& usage) {
  if (actual < 0) return Error(Errc::kInvalidArgument, "charge must not be negative");
  return write([&](Connection& c) -> Result<Id> {
    if (reservation_id) {
      WOOLLY_TRY(close_reservation_on(c, usage.tenant_id, *reservation_id, actual));
    }
    // A failing insert returns its error, so write() rolls the charge above back with it.
    return insert_usage(c, usage);
  });
}

Result<CreditBalance> SqlStore::close_reservation_on(Connection& c, Id tenant_id,
                                                     Id reservation_id,
                                                     std::optional<Micros> actual) {
  WOOLLY_ASSIGN_OR_RETURN(
      auto r, query(c, "SELECT principal FROM credit_reservations WHERE tenant_id = ? AND id = ?",
                    {tenant_id, reservation_id}));
  if (r.rows.empty()) return not_found("reservation");
  const Principal who{tenant_id, r.rows[0].text(0)};
  // Lock order is account, then reservation, as in reserve(): no deadlock between the two.
  WOOLLY_ASSIGN_OR_RETURN(CreditBalance b, lock_account(c, who, for_update()));
  WOOLLY_ASSIGN_OR_RETURN(
      auto res,
      query(c,
            std::string("SELECT amount, state, api_key_id FROM credit_reservations WHERE id = ?") +
                for_update(),
            {reservation_id}));
  if (res.rows.at(0).text(1) != "open") {
    return Error(Errc::kConflict, "reservation already " + res.rows[0].text(1));
  }
  const Micros reserved = res.rows[0].integer(0);
  const Millis now = now_ms();
  b.reserved -= reserved;
  if (actual) {
    b.balance -= *actual;
    WOOLLY_TRY(add_entry(c, who, LedgerKind::kCharge, *actual, reservation_id, "", now));
  }
  // What was held and not charged goes back; an overrun releases nothing.
  const Micros released = actual ? std::max<Micros>(0, reserved - *actual) : reserved;
  WOOLLY_TRY(add_entry(c, who, LedgerKind::kRelease, released, reservation_id, "", now));
  WOOLLY_TRY(query(c, "UPDATE credit_reservations SET state = ?, closed_at = ? WHERE id = ?",
                   {actual ? "settled" : "released", now, reservation_id}));
  WOOLLY_TRY(store_account(c, who, b));
  if (std::optional<Id> key = res.rows[0].opt_integer(2)) {
    WOOLLY_TRY(query(c, "UPDATE api_keys SET held = held - ?, spent = spent + ? WHERE id = ?",
                     {reserved, actual.value_or(0), *key}));
  }
  return b;
}

Result<CreditBalance> SqlStore::balance(const Principal& who) {
  return read([&](Connection& c) -> Result<CreditBalance> {
    WOOLLY_ASSIGN_OR_RETURN(
        auto r,
        query(c,
              "SELECT balance, reserved FROM credit_accounts WHERE tenant_id = ? AND principal = ?",
              {who.tenant_id, who.name}));
    if (r.rows.empty()) return CreditBalance{};
    return CreditBalance{r.rows[0].integer(0), r.rows[0].integer(1)};
  });
}

Result<std::vector<LedgerEntry>> SqlStore::list_ledger(const Principal& who, PageRequest page) {
  return read([&](Connection& c) -> Result<std::vector<LedgerEntry>> {
    WOOLLY_ASSIGN_OR_RETURN(
        auto r,
        query(c,
              "SELECT id, kind, amount, reservation_id, note, created_at FROM credit_ledger "
              "WHERE tenant_id = ? AND principal = ? AND id > ? ORDER BY id LIMIT ?",
              {who.tenant_id, who.name, page.after_id, clamp_limit(page.limit)}));
    std::vector<LedgerEntry> out;
    for (const Row& row : r.rows) {
      out.push_back(LedgerEntry{row.integer(0), who, kind_from(row.text(1)), row.integer(2),
                                row.opt_integer(3), row.text(4), row.integer(5)});
    }
    return out;
  });
}

}  // namespace woolly::store::detail
