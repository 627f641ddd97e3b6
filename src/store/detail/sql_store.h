// The Store over SQL: one implementation for both databases. The drivers (SqliteConnection,
// PostgresConnection) differ; the SQL is shared, with the few dialect differences (row locks,
// advisory locks, id columns) chosen explicitly where they occur. The operations are split by
// domain over sql_store*.cpp.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/detail/connection_pool.h"
#include "store/detail/executor.h"
#include "store/store.h"

namespace woolly::store::detail {

Millis now_ms();
std::string join_lines(const std::vector<std::string>& items);
std::vector<std::string> split_lines(std::string_view text);
int clamp_limit(int limit);
Error not_found(std::string_view what);
// INSERTs one usage record inside the caller's transaction (record_usage, settle_and_record).
Result<Id> insert_usage(Connection& c, const UsageRecord& u);

class SqlStore final : public Store {
 public:
  SqlStore(Backend backend, std::vector<std::unique_ptr<Connection>> conns, int threads,
           size_t max_queued);

  Status post(std::function<void(Store&)> job) override;
  void stop() override { executor_.stop(); }
  Backend backend() const override { return backend_; }
  Result<int64_t> schema_version() override;
  Status check_integrity() override;

  Result<Tenant> create_tenant(std::string_view name) override;
  Result<Tenant> get_tenant(Id tenant_id) override;
  Result<Tenant> find_tenant(std::string_view name) override;
  Result<User> create_user(const User& user) override;
  Result<User> get_user(Id tenant_id, Id user_id) override;
  Result<std::vector<User>> list_users(Id tenant_id, PageRequest page) override;
  Status delete_user(Id tenant_id, Id user_id) override;

  Result<CreatedApiKey> create_api_key(const ApiKeySpec& spec) override;
  Result<ApiKey> verify_api_key(std::string_view secret) override;
  Result<ApiKey> get_api_key(Id tenant_id, Id key_id) override;
  Result<std::vector<ApiKey>> list_api_keys(Id tenant_id, PageRequest page) override;
  Status revoke_api_key(Id tenant_id, Id key_id) override;

  Result<ChatSession> create_session(Id tenant_id, Id user_id, std::string_view title,
                                     int64_t max_sessions) override;
  Result<ChatSession> get_session(Id tenant_id, Id session_id) override;
  Result<std::vector<ChatSession>> list_sessions(Id tenant_id, Id user_id,
                                                 PageRequest page) override;
  Result<int64_t> count_sessions(Id tenant_id, Id user_id) override;
  Status delete_session(Id tenant_id, Id session_id) override;
  Result<ChatMessage> append_message(Id tenant_id, Id session_id, std::string_view role,
                                     std::string_view content) override;
  Result<ChatMessage> get_message(Id tenant_id, Id message_id) override;
  Result<std::vector<ChatMessage>> list_messages(Id tenant_id, Id session_id,
                                                 PageRequest page) override;

  Result<ModelRecord> put_model(const ModelRecord& model) override;
  Result<ModelRecord> get_model(Id tenant_id, std::string_view name) override;
  Result<std::vector<ModelRecord>> list_models(Id tenant_id) override;
  Status delete_model(Id tenant_id, std::string_view name) override;

  Result<Id> record_usage(const UsageRecord& usage) override;
  Result<std::vector<UsageRecord>> list_usage(const UsageQuery& query) override;
  Result<UsageTotals> sum_usage(const UsageQuery& query) override;

  Result<CreditBalance> grant(const Principal& who, Micros amount, std::string_view note) override;
  using Store::reserve;
  Result<Reservation> reserve(const Principal& who, Micros amount,
                              std::optional<Id> api_key_id) override;
  Result<CreditBalance> settle(Id tenant_id, Id reservation_id, Micros actual) override;
  Result<CreditBalance> release(Id tenant_id, Id reservation_id) override;
  Result<Id> settle_and_record(std::optional<Id> reservation_id, Micros actual,
                               const UsageRecord& usage) override;
  Result<CreditBalance> balance(const Principal& who) override;
  Result<std::vector<LedgerEntry>> list_ledger(const Principal& who, PageRequest page) override;

 private:
  // Runs `fn(conn)` on a borrowed connection, outside any explicit transaction. A read that
  // failed because the connection died (database restarted) is run again once on a new one.
  template <typename F>
  auto read(F&& fn) -> decltype(fn(std::declval<Connection&>())) {
    WOOLLY_ASSIGN_OR_RETURN(Lease lease, pool_.acquire());
    auto result = fn(*lease);
    if (!result.ok() && !lease->healthy()) {
      WOOLLY_TRY(lease->reconnect());
      result = fn(*lease);
    }
    return result;
  }

  // Runs `fn(conn)` inside one write transaction: committed if it returns a value, rolled back
  // if it returns an error. The acknowledgement (the return) comes only after COMMIT succeeded.
  template <typename F>
  auto write(F&& fn) -> decltype(fn(std::declval<Connection&>())) {
    WOOLLY_ASSIGN_OR_RETURN(Lease lease, pool_.acquire());
    Status begun = lease->begin_write();
    if (!begun.ok() && !lease->healthy()) {
      // Nothing ran yet, so a dead connection can be replaced safely (unlike mid-transaction).
      WOOLLY_TRY(lease->reconnect());
      begun = lease->begin_write();
    }
    WOOLLY_TRY(begun);
    auto result = fn(*lease);
    if (!result.ok()) {
      lease->rollback();
      return result;
    }
    Status committed = lease->commit();
    if (!committed.ok()) {
      lease->rollback();
      return committed.take_error();
    }
    return result;
  }

  // " FOR UPDATE" where rows must be locked explicitly; SQLite's BEGIN IMMEDIATE already holds
  // the database's single write lock for the whole transaction.
  const char* for_update() const { return backend_ == Backend::kPostgres ? " FOR UPDATE" : ""; }

  Result<CreditBalance> close_reservation(Id tenant_id, Id reservation_id,
                                          std::optional<Micros> actual);
  // The body of close_reservation inside the caller's write transaction.
  Result<CreditBalance> close_reservation_on(Connection& c, Id tenant_id, Id reservation_id,
                                             std::optional<Micros> actual);

  Backend backend_;
  ConnectionPool pool_;
  // Last member: destroyed first, so its threads finish their jobs while the pool still exists.
  Executor executor_;
};

}  // namespace woolly::store::detail
