// Registered models and usage records.
#include "store/detail/sql_store.h"

namespace woolly::store::detail {
namespace {

constexpr const char* kModelCols =
    "id, tenant_id, name, backend_type, capabilities, config, created_at, updated_at";
constexpr const char* kUsageCols =
    "id, tenant_id, user_id, api_key_id, model, backend, prompt_tokens, completion_tokens, cost, "
    "latency_ms, status, created_at";

ModelRecord model_from(const Row& r) {
  return ModelRecord{r.integer(0),           r.integer(1), r.text(2),    r.text(3),
                     split_lines(r.text(4)), r.text(5),    r.integer(6), r.integer(7)};
}

UsageRecord usage_from(const Row& r) {
  UsageRecord u;
  u.id = r.integer(0);
  u.tenant_id = r.integer(1);
  u.user_id = r.opt_integer(2);
  u.api_key_id = r.opt_integer(3);
  u.model = r.text(4);
  u.backend = r.text(5);
  u.prompt_tokens = r.integer(6);
  u.completion_tokens = r.integer(7);
  u.cost = r.integer(8);
  u.latency_ms = r.integer(9);
  u.status = r.text(10);
  u.created_at = r.integer(11);
  return u;
}

}  // namespace

Result<ModelRecord> SqlStore::put_model(const ModelRecord& m) {
  if (m.name.empty()) return Error(Errc::kInvalidArgument, "model name is empty");
  for (const auto& cap : m.capabilities) {
    if (cap.empty() || cap.find('\n') != std::string::npos) {
      return Error(Errc::kInvalidArgument, "capabilities must be non-empty, one line");
    }
  }
  return write([&](Connection& c) -> Result<ModelRecord> {
    const Millis now = now_ms();
    // ON CONFLICT ... DO UPDATE is the same in SQLite (3.24+) and PostgreSQL.
    WOOLLY_ASSIGN_OR_RETURN(
        auto r,
        query(
            c,
            std::string(
                "INSERT INTO models (tenant_id, name, backend_type, capabilities, config, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (tenant_id, name) DO UPDATE SET "
                "backend_type = excluded.backend_type, capabilities = excluded.capabilities, "
                "config = excluded.config, updated_at = excluded.updated_at RETURNING ") +
                kModelCols,
            {m.tenant_id, m.name, m.backend_type, join_lines(m.capabilities), m.config, now, now}));
    return model_from(r.rows.at(0));
  });
}

Result<ModelRecord> SqlStore::get_model(Id tenant_id, std::string_view name) {
  return read([&](Connection& c) -> Result<ModelRecord> {
    WOOLLY_ASSIGN_OR_RETURN(auto r, query(c,
                                          std::string("SELECT ") + kModelCols +
                                              " FROM models WHERE tenant_id = ? AND name = ?",
                                          {tenant_id, name}));
    if (r.rows.empty()) return not_found("model");
    return model_from(r.rows[0]);
  });
}

Result<std::vector<ModelRecord>> SqlStore::list_models(Id tenant_id) {
  return read([&](Connection& c) -> Result<std::vector<ModelRecord>> {
    WOOLLY_ASSIGN_OR_RETURN(auto r, query(c,
                                          std::string("SELECT ") + kModelCols +
                                              " FROM models WHERE tenant_id = ? ORDER BY name",
                                          {tenant_id}));
    std::vector<ModelRecord> out;
    for (const Row& row : r.rows) out.push_back(model_from(row));
    return out;
  });
}

Status SqlStore::delete_model(Id tenant_id, std::string_view name) {
  return write([&](Connection& c) -> Status {
    WOOLLY_ASSIGN_OR_RETURN(
        auto r, query(c, "DELETE FROM models WHERE tenant_id = ? AND name = ?", {tenant_id, name}));
    if (r.affected == 0) return not_found("model");
    return {};
  });
}

Result<Id> insert_usage(Connection& c, const UsageRecord& u) {
  WOOLLY_ASSIGN_OR_RETURN(
      auto r, query(c,
                    "INSERT INTO usage_records (tenant_id, user_id, api_key_id, model, backend, "
                    "prompt_tokens, "
                    "completion_tokens, cost, latency_ms, status, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    {u.tenant_id, u.user_id, u.api_key_id, u.model, u.backend, u.prompt_tokens,
                     u.completion_tokens, u.cost, u.latency_ms, u.status,
                     u.created_at ? u.created_at : now_ms()}));
  return r.rows.at(0).integer(0);
}

Result<Id> SqlStore::record_usage(const UsageRecord& u) {
  return write([&](Connection& c) -> Result<Id> { return insert_usage(c, u); });
}

// Optional filters are written as "(? IS NULL OR col = ?)" so the SQL stays one fixed text (one
// prepared statement) whatever the caller filters on. The CASTs tell PostgreSQL the type of a
// parameter that is compared only with NULL.
constexpr const char* kUsageFilter =
    " FROM usage_records WHERE tenant_id = ? AND id > ?"
    " AND (CAST(? AS BIGINT) IS NULL OR user_id = ?)"
    " AND (CAST(? AS BIGINT) IS NULL OR created_at >= ?)"
    " AND (CAST(? AS BIGINT) IS NULL OR created_at < ?)";

Result<std::vector<UsageRecord>> SqlStore::list_usage(const UsageQuery& q) {
  return read([&](Connection& c) -> Result<std::vector<UsageRecord>> {
    WOOLLY_ASSIGN_OR_RETURN(
        auto r,
        query(c, std::string("SELECT ") + kUsageCols + kUsageFilter + " ORDER BY id LIMIT ?",
              {q.tenant_id, q.page.after_id, q.user_id, q.user_id, q.since, q.since, q.until,
               q.until, clamp_limit(q.page.limit)}));
    std::vector<UsageRecord> out;
    for (const Row& row : r.rows) out.push_back(usage_from(row));
    return out;
  });
}

Result<UsageTotals> SqlStore::sum_usage(const UsageQuery& q) {
  return read([&](Connection& c) -> Result<UsageTotals> {
    WOOLLY_ASSIGN_OR_RETURN(
        auto r,
        query(c,
              std::string("SELECT COUNT(*), COALESCE(SUM(prompt_tokens), 0), "
                          "COALESCE(SUM(completion_tokens), 0), COALESCE(SUM(cost), 0)") +
                  kUsageFilter,
              {q.tenant_id, Id{0}, q.user_id, q.user_id, q.since, q.since, q.until, q.until}));
    const Row& row = r.rows.at(0);
    return UsageTotals{row.integer(0), row.integer(1), row.integer(2), row.integer(3)};
  });
}

}  // namespace woolly::store::detail
