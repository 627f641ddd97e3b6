// What the session routes (session_routes.cpp) and a session turn (session_turn.cpp) share: who
// the caller is as a session owner, the owner check, and the JSON shapes of sessions and messages.
#pragma once

#include <boost/json/object.hpp>
#include <memory>

#include "api/serving.h"
#include "api/session_routes.h"
#include "common/result.h"
#include "net/http_types.h"
#include "net/responder.h"
#include "store/store.h"

namespace woolly::api::detail {

// A session owner: the tenant the request acts in and the caller's user.
struct Owner {
  store::Id tenant_id = 0;
  store::Id user_id = 0;
};

// kUnauthenticated without an authenticated identity; kPermissionDenied when the credential is
// not bound to a user (config keys, keys made without --user).
Result<Owner> owner_of(const net::Request& req);

// The session `id` of `owner`; kNotFound for another tenant's or user's session alike.
Result<store::ChatSession> owned_session(store::Store& store, const Owner& owner, store::Id id);

// The ":id" path parameter; kNotFound for anything that is not a positive integer.
Result<store::Id> session_id_param(const net::Request& req);

boost::json::object session_json(const store::ChatSession& s);
boost::json::object message_json(const store::ChatMessage& m);

// POST /api/v1/sessions/:id/messages.
void post_session_message(const std::shared_ptr<ServingContext>& ctx, store::Store& store,
                          const SessionSettings& settings, net::Request req, net::Responder res);

}  // namespace woolly::api::detail
