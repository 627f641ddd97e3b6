// The one persistence interface of Woolly. `open_store` picks SQLite (embedded default) or
// PostgreSQL, applies the versioned migrations and returns a ready Store.
//
// Every call below blocks on the database. Never call them on an I/O thread: hand the work to the
// store's own pool with `post` and let the job post its result back (to a strand, a promise...).
// The synchronous calls are for that pool and for CLI tools.
//
// Every query is scoped by tenant: a row of another tenant is reported as kNotFound, exactly like
// a row that does not exist.
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/result.h"
#include "store/types.h"

namespace woolly::store {

enum class Backend { kSqlite, kPostgres };

struct StoreOptions {
  Backend backend = Backend::kSqlite;
  std::string sqlite_path;  // created with its directory on first start
  // false (default): synchronous=NORMAL, acknowledged writes survive kill -9 and crashes of
  // the server; true: synchronous=FULL, they also survive power loss, at one fsync per commit.
  bool sqlite_sync_full = false;
  std::string postgres_url;  // libpq URI or key=value string; may hold a password
  // PostgreSQL schema to use (created if missing); empty = the server's default search_path.
  std::string postgres_schema;
  int connections = 4;               // database connections, also the number of pool threads
  int max_queued_jobs = 4096;        // `post` refuses work beyond this many waiting jobs
  int busy_timeout_ms = 5000;        // how long a writer waits for a lock before kUnavailable
  int statement_timeout_ms = 30000;  // PostgreSQL: longest a statement may run (kUnavailable)
};

class Store {
 public:
  virtual ~Store() = default;

  // --- executor ---------------------------------------------------------------------------
  // Runs `job` on one of the store's threads. kUnavailable when the queue is full or the
  // store is shutting down (the job is then not run). The job must not throw (use `submit`
  // for that): an exception escaping a posted job ends the process.
  virtual Status post(std::function<void(Store&)> job) = 0;

  // Stops the pool: `post` refuses new jobs from then on (kUnavailable; jobs running on the pool
  // may still post their follow-ups), every job already queued runs, and stop() returns once
  // the pool's threads have ended. The synchronous calls keep working. A server calls it after
  // its drain and before destroying anything queued jobs reference (rate limiter, credit gate,
  // authenticator); the destructor does the same. Idempotent; never call it from a job.
  virtual void stop() = 0;

  // Convenience over `post`: the job's return value through a future.
  template <typename F>
  auto submit(F job) -> std::future<std::invoke_result_t<F, Store&>>;

  // --- health -----------------------------------------------------------------------------
  virtual Backend backend() const = 0;
  virtual Result<int64_t> schema_version() = 0;
  // SQLite: PRAGMA integrity_check and foreign_key_check. PostgreSQL: the ledger invariants.
  virtual Status check_integrity() = 0;

  // --- tenants and users ------------------------------------------------------------------
  virtual Result<Tenant> create_tenant(std::string_view name) = 0;
  virtual Result<Tenant> get_tenant(Id tenant_id) = 0;
  virtual Result<Tenant> find_tenant(std::string_view name) = 0;
  virtual Result<User> create_user(const User& user) = 0;  // id, created_at ignored
  virtual Result<User> get_user(Id tenant_id, Id user_id) = 0;
  virtual Result<std::vector<User>> list_users(Id tenant_id, PageRequest page) = 0;
  virtual Status delete_user(Id tenant_id, Id user_id) = 0;

  // --- API keys ---------------------------------------------------------------------------
  virtual Result<CreatedApiKey> create_api_key(const ApiKeySpec& spec) = 0;
  // Finds the key by its prefix and compares salted hashes in constant time. kUnauthenticated
  // for an unknown, malformed, wrong or revoked key (one message for all, to leak nothing).
  virtual Result<ApiKey> verify_api_key(std::string_view secret) = 0;
  virtual Result<ApiKey> get_api_key(Id tenant_id, Id key_id) = 0;
  virtual Result<std::vector<ApiKey>> list_api_keys(Id tenant_id, PageRequest page) = 0;
  virtual Status revoke_api_key(Id tenant_id, Id key_id) = 0;

  // --- chat sessions ----------------------------------------------------------------------
  // With `max_sessions` > 0: kConflict when the user already has that many. The count and the
  // insert are one transaction holding the user's row, so concurrent creates (also from other
  // instances) never take a user past the limit.
  virtual Result<ChatSession> create_session(Id tenant_id, Id user_id, std::string_view title,
                                             int64_t max_sessions = 0) = 0;
  virtual Result<ChatSession> get_session(Id tenant_id, Id session_id) = 0;
  virtual Result<std::vector<ChatSession>> list_sessions(Id tenant_id, Id user_id,
                                                         PageRequest page) = 0;
  virtual Result<int64_t> count_sessions(Id tenant_id, Id user_id) = 0;
  virtual Status delete_session(Id tenant_id, Id session_id) = 0;  // and its messages
  virtual Result<ChatMessage> append_message(Id tenant_id, Id session_id, std::string_view role,
                                             std::string_view content) = 0;
  virtual Result<ChatMessage> get_message(Id tenant_id, Id message_id) = 0;
  // In seq order; `page.after_id` is a seq here.
  virtual Result<std::vector<ChatMessage>> list_messages(Id tenant_id, Id session_id,
                                                         PageRequest page) = 0;

  // --- registered models ------------------------------------------------------------------
  virtual Result<ModelRecord> put_model(const ModelRecord& model) = 0;  // insert or update by name
  virtual Result<ModelRecord> get_model(Id tenant_id, std::string_view name) = 0;
  virtual Result<std::vector<ModelRecord>> list_models(Id tenant_id) = 0;
  virtual Status delete_model(Id tenant_id, std::string_view name) = 0;

  // --- usage ------------------------------------------------------------------------------
  virtual Result<Id> record_usage(const UsageRecord& usage) = 0;
  virtual Result<std::vector<UsageRecord>> list_usage(const UsageQuery& query) = 0;
  virtual Result<UsageTotals> sum_usage(const UsageQuery& query) = 0;

  // --- credits: each call is one transaction ----------------------------------------------
  virtual Result<CreditBalance> grant(const Principal& who, Micros amount,
                                      std::string_view note) = 0;
  // Succeeds only if balance - reserved >= amount and, when `api_key_id` names a stored key of
  // who's tenant with a budget, spent + held + amount <= budget; kInsufficientCredits otherwise,
  // saying which. The key's `held` grows by `amount` until the reservation is closed, when its
  // charge moves to `spent`: concurrent requests with one key can never pass its budget.
  virtual Result<Reservation> reserve(const Principal& who, Micros amount,
                                      std::optional<Id> api_key_id) = 0;
  Result<Reservation> reserve(const Principal& who, Micros amount) {
    return reserve(who, amount, std::nullopt);
  }
  // Charges `actual` (which may exceed the reservation: the work is done) and releases the
  // reservation. kConflict if it was already settled or released.
  virtual Result<CreditBalance> settle(Id tenant_id, Id reservation_id, Micros actual) = 0;
  virtual Result<CreditBalance> release(Id tenant_id, Id reservation_id) = 0;
  // The end of a metered request in ONE transaction: settles `reservation_id` (when there is
  // one) with `actual`, as settle() does, and writes `usage`, in usage.tenant_id. Either both
  // are committed or neither (a crash between them can neither charge without a record nor
  // record without a charge). Without a reservation (free models, refused requests) only the
  // record is written. Returns the record's id.
  virtual Result<Id> settle_and_record(std::optional<Id> reservation_id, Micros actual,
                                       const UsageRecord& usage) = 0;
  virtual Result<CreditBalance> balance(const Principal& who) = 0;
  virtual Result<std::vector<LedgerEntry>> list_ledger(const Principal& who, PageRequest page) = 0;
};

// Opens (creating on first start) and migrates the database named by `options`.
Result<std::unique_ptr<Store>> open_store(const StoreOptions& options);

std::string_view ledger_kind_name(LedgerKind kind);

template <typename F>
auto Store::submit(F job) -> std::future<std::invoke_result_t<F, Store&>> {
  using R = std::invoke_result_t<F, Store&>;
  auto promise = std::make_shared<std::promise<R>>();
  auto future = promise->get_future();
  Status posted = post([promise, job = std::move(job)](Store& store) mutable {
    // Like std::packaged_task: an exception escaping the job reaches the future's owner
    // instead of ending the store thread.
    try {
      if constexpr (std::is_void_v<R>) {
        job(store);
        promise->set_value();
      } else {
        promise->set_value(job(store));
      }
    } catch (...) {
      promise->set_exception(std::current_exception());
    }
  });
  if (!posted.ok()) {
    // A Result-returning job gets the refusal as its value; other jobs as an exception.
    if constexpr (std::is_constructible_v<R, Error>) {
      promise->set_value(R(posted.take_error()));
    } else {
      promise->set_exception(std::make_exception_ptr(std::runtime_error(posted.error().message)));
    }
  }
  return future;
}

}  // namespace woolly::store
