#include "api/detail/session_common.h"

#include <charconv>

#include "api/auth_routes.h"
#include "auth/identity.h"

namespace woolly::api::detail {

Result<Owner> owner_of(const net::Request& req) {
  auto who = identity_of(req);
  if (!who || !who->authenticated) {
    return make_error(Errc::kUnauthenticated, "sessions need an authenticated caller");
  }
  if (!who->user_id) {
    return make_error(Errc::kPermissionDenied,
                      "sessions belong to a user and this credential has none: use an API key "
                      "created for a user (keys create --user) or a token issued for one");
  }
  return Owner{who->tenant_id, *who->user_id};
}

Result<store::ChatSession> owned_session(store::Store& store, const Owner& owner, store::Id id) {
  WOOLLY_ASSIGN_OR_RETURN(store::ChatSession s, store.get_session(owner.tenant_id, id));
  // Another user's session is reported exactly like a missing one: its existence is not told.
  if (s.user_id != owner.user_id) return make_error(Errc::kNotFound, "session not found");
  return s;
}

Result<store::Id> session_id_param(const net::Request& req) {
  std::string_view v = req.param("id");
  store::Id id = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), id);
  if (ec != std::errc() || end != v.data() + v.size() || id <= 0) {
    return make_error(Errc::kNotFound, "session not found");
  }
  return id;
}

boost::json::object session_json(const store::ChatSession& s) {
  return {{"id", s.id}, {"title", s.title}, {"created_at", s.created_at},
          {"updated_at", s.updated_at}};
}

boost::json::object message_json(const store::ChatMessage& m) {
  return {{"id", m.id}, {"seq", m.seq}, {"role", m.role}, {"content", m.content},
          {"created_at", m.created_at}};
}

}  // namespace woolly::api::detail
