// Chat sessions and their ordered messages, per tenant and user.
#include "store/detail/sql_store.h"

namespace woolly::store::detail {
namespace {

constexpr const char* kSessionCols = "id, tenant_id, user_id, title, created_at, updated_at";
constexpr const char* kMessageCols = "id, session_id, seq, role, content, created_at";

ChatSession session_from(const Row& r) {
  return ChatSession{r.integer(0), r.integer(1), r.integer(2),
                     r.text(3),    r.integer(4), r.integer(5)};
}

ChatMessage message_from(const Row& r) {
  return ChatMessage{r.integer(0), r.integer(1), r.integer(2), r.text(3), r.text(4), r.integer(5)};
}

}  // namespace

Result<ChatSession> SqlStore::create_session(Id tenant_id, Id user_id, std::string_view title,
                                             int64_t max_sessions) {
  return write([&](Connection& c) -> Result<ChatSession> {
    // Locking the user's row serializes this user's creates on PostgreSQL (SQLite serializes
    // every writer), so the count below cannot be outdated by a concurrent create.
    WOOLLY_ASSIGN_OR_RETURN(
        auto u, query(c, std::string("SELECT id FROM users WHERE tenant_id = ? AND id = ?") +
                             for_update(),
                      {tenant_id, user_id}));
    if (u.rows.empty()) return not_found("user");
    if (max_sessions > 0) {
      WOOLLY_ASSIGN_OR_RETURN(
          auto n, query(c, "SELECT COUNT(*) FROM chat_sessions WHERE tenant_id = ? AND user_id = ?",
                        {tenant_id, user_id}));
      if (n.rows.at(0).integer(0) >= max_sessions) {
        return Error(Errc::kConflict, "session limit reached: a user may keep at most " +
                                          std::to_string(max_sessions) +
                                          " sessions; delete one first");
      }
    }
    const Millis now = now_ms();
    WOOLLY_ASSIGN_OR_RETURN(
        auto r,
        query(c,
              std::string(
                  "INSERT INTO chat_sessions (tenant_id, user_id, title, created_at, updated_at) "
                  "VALUES (?, ?, ?, ?, ?) RETURNING ") +
                  kSessionCols,
              {tenant_id, user_id, title, now, now}));
    return session_from(r.rows.at(0));
  });
}

Result<ChatSession> SqlStore::get_session(Id tenant_id, Id session_id) {
  return read([&](Connection& c) -> Result<ChatSession> {
    WOOLLY_ASSIGN_OR_RETURN(auto r, query(c,
                                          std::string("SELECT ") + kSessionCols +
                                              " FROM chat_sessions WHERE tenant_id = ? AND id = ?",
                                          {tenant_id, session_id}));
    if (r.rows.empty()) return not_found("session");
    return session_from(r.rows[0]);
  });
}

Result<std::vector<ChatSession>> SqlStore::list_sessions(Id tenant_id, Id user_id,
                                                         PageRequest page) {
  return read([&](Connection& c) -> Result<std::vector<ChatSession>> {
    WOOLLY_ASSIGN_OR_RETURN(
        auto r, query(c,
                      std::string("SELECT ") + kSessionCols +
                          " FROM chat_sessions WHERE tenant_id = ? AND user_id = ? AND id > ? "
                          "ORDER BY id LIMIT ?",
                      {tenant_id, user_id, page.after_id, clamp_limit(page.limit)}));
    std::vector<ChatSession> out;
    for (const Row& row : r.rows) out.push_back(session_from(row));
    return out;
  });
}

Result<int64_t> SqlStore::count_sessions(Id tenant_id, Id user_id) {
  return read([&](Connection& c) -> Result<int64_t> {
    WOOLLY_ASSIGN_OR_RETURN(
        auto r, query(c, "SELECT COUNT(*) FROM chat_sessions WHERE tenant_id = ? AND user_id = ?",
                      {tenant_id, user_id}));
    return r.rows.at(0).integer(0);
  });
}

Status SqlStore::delete_session(Id tenant_id, Id session_id) {
  return write([&](Connection& c) -> Status {
    WOOLLY_ASSIGN_OR_RETURN(auto r,
                            query(c, "DELETE FROM chat_sessions WHERE tenant_id = ? AND id = ?",
                                  {tenant_id, session_id}));
    if (r.affected == 0) return not_found("session");
    return {};
  });
}

Result<ChatMessage> SqlStore::append_message(Id tenant_id, Id session_id, std::string_view role,
                                             std::string_view content) {
  if (role.empty()) return Error(Errc::kInvalidArgument, "message role is empty");
  return write([&](Connection& c) -> Result<ChatMessage> {
    // Locking the session row serializes appends to one session on PostgreSQL, so two writers
    // never pick the same next seq.
    WOOLLY_ASSIGN_OR_RETURN(
        auto s, query(c,
                      std::string("SELECT id FROM chat_sessions WHERE tenant_id = ? AND id = ?") +
                          for_update(),
                      {tenant_id, session_id}));
    if (s.rows.empty()) return not_found("session");
    const Millis now = now_ms();
    WOOLLY_ASSIGN_OR_RETURN(
        auto r,
        query(c,
              std::string("INSERT INTO chat_messages (session_id, tenant_id, seq, role, content, "
                          "created_at) VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM "
                          "chat_messages WHERE session_id = ?), ?, ?, ?) RETURNING ") +
                  kMessageCols,
              {session_id, tenant_id, session_id, role, content, now}));
    WOOLLY_TRY(query(c, "UPDATE chat_sessions SET updated_at = ? WHERE id = ?", {now, session_id}));
    return message_from(r.rows.at(0));
  });
}

Result<ChatMessage> SqlStore::get_message(Id tenant_id, Id message_id) {
  return read([&](Connection& c) -> Result<ChatMessage> {
    WOOLLY_ASSIGN_OR_RETURN(auto r, query(c,
                                          std::string("SELECT ") + kMessageCols +
                                              " FROM chat_messages WHERE tenant_id = ? AND id = ?",
                                          {tenant_id, message_id}));
    if (r.rows.empty()) return not_found("message");
    return message_from(r.rows[0]);
  });
}

Result<std::vector<ChatMessage>> SqlStore::list_messages(Id tenant_id, Id session_id,
                                                         PageRequest page) {
  return read([&](Connection& c) -> Result<std::vector<ChatMessage>> {
    WOOLLY_ASSIGN_OR_RETURN(auto s,
                            query(c, "SELECT id FROM chat_sessions WHERE tenant_id = ? AND id = ?",
                                  {tenant_id, session_id}));
    if (s.rows.empty()) return not_found("session");
    WOOLLY_ASSIGN_OR_RETURN(
        auto r,
        query(c,
              std::string("SELECT ") + kMessageCols +
                  " FROM chat_messages WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?",
              {session_id, page.after_id, clamp_limit(page.limit)}));
    std::vector<ChatMessage> out;
    for (const Row& row : r.rows) out.push_back(message_from(row));
    return out;
  });
}

}  // namespace woolly::store::detail
