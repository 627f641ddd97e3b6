// Chat sessions (/api/v1/sessions): conversations kept in the store, per tenant and user, and
// continued one turn at a time. A turn sends the stored history plus the new user message to the
// model, trimmed to fit its context (oldest turns first; the system prompt stays), and stores the
// user message and the answer once the answer is complete.
//
//   GET    /api/v1/sessions                 the caller's sessions (?after=<id>&limit=<n>)
//   POST   /api/v1/sessions                 {title?, system_prompt?} -> 201
//   GET    /api/v1/sessions/:id             the session and its messages (?after=<seq>&limit=<n>)
//   DELETE /api/v1/sessions/:id             -> 204, messages included
//   POST   /api/v1/sessions/:id/messages    {content, model?, stream?, sampling...}
//
// Every route needs the "sessions" scope and an identity bound to a user (a store key made for a
// user, or a token for one): 401 without credentials, 403 for a credential without a user. A
// session of another tenant or user is 404. At most `max_sessions` per user: 409 beyond.
//
// Threads: handlers parse on the I/O thread; every store call, the history's token count and the
// hand-over to the backend run on the store's pool; the answer is stored from there as well.
#pragma once

#include <memory>

#include "api/serving.h"
#include "common/result.h"
#include "net/router.h"

namespace woolly::store {
class Store;
}

namespace woolly::api {

struct SessionSettings {
  int max_sessions = 100;  // models.max_sessions: per user
  // store.zero_retention: no conversation text may be stored, so every session route answers
  // 501 instead of keeping the history anywhere.
  bool zero_retention = false;
  // The context assumed for models whose own is not known here (upstream providers), with
  // token counts estimated from the text (engine.context_length).
  int assumed_context = 4096;
};

// `store` must outlive the router's server.
Status install_session_routes(net::Router& router, std::shared_ptr<ServingContext> ctx,
                              store::Store& store, SessionSettings settings);

}  // namespace woolly::api
