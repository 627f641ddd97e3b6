// /api/v1/sessions: listing, creating, reading and deleting sessions. A turn inside a session is
// in detail/session_turn.cpp. Every store call runs on the store's pool (answer_from_store).
#include "api/session_routes.h"

#include <boost/json/serialize.hpp>
#include <algorithm>
#include <charconv>
#include <limits>

#include "api/auth_routes.h"
#include "api/detail/request_parse.h"
#include "api/detail/session_common.h"
#include "store/store.h"

namespace woolly::api {
namespace {

namespace json = boost::json;
using detail::Owner;

constexpr size_t kMaxTitleBytes = 256;
constexpr int kMaxListLimit = 500;  // one more is fetched to tell has_more

// ?name=<positive integer> bounded to [1, max]; `fallback` when absent.
Result<int64_t> query_int(const net::Request& req, std::string_view name, int64_t fallback,
                          int64_t max) {
  auto v = req.query_param(name);
  if (!v) return fallback;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size() || n < 0 || n > max) {
    return make_error(Errc::kInvalidArgument, "query parameter '" + std::string(name) +
                                                  "' must be an integer from 0 to " +
                                                  std::to_string(max));
  }
  return n;
}

struct Page {
  store::PageRequest request;
  int limit = 0;
};

Result<Page> page_of(const net::Request& req, int default_limit) {
  Page p;
  WOOLLY_ASSIGN_OR_RETURN(p.request.after_id,
                          query_int(req, "after", 0, std::numeric_limits<int64_t>::max()));
  WOOLLY_ASSIGN_OR_RETURN(int64_t limit, query_int(req, "limit", default_limit, kMaxListLimit));
  p.limit = static_cast<int>(std::max<int64_t>(limit, 1));
  p.request.limit = p.limit + 1;
  return p;
}

// Refuses every session route when the store may hold no conversation text.
Status check_retention(const SessionSettings& settings) {
  if (!settings.zero_retention) return {};
  return make_error(Errc::kUnsupported,
                    "sessions are disabled on this server: store.zero_retention keeps conversation "
                    "text out of the store, and a session is its stored history");
}

Result<net::Response> list_sessions(store::Store& s, const Owner& who, const Page& page) {
  WOOLLY_ASSIGN_OR_RETURN(auto rows, s.list_sessions(who.tenant_id, who.user_id, page.request));
  const bool more = static_cast<int>(rows.size()) > page.limit;
  if (more) rows.resize(static_cast<size_t>(page.limit));
  json::array data;
  for (const auto& r : rows) data.push_back(detail::session_json(r));
  return net::Response::json(
      200, json::serialize(json::object{{"sessions", std::move(data)}, {"has_more", more}}));
}

struct NewSession {
  std::string title;
  std::optional<std::string> system_prompt;
};

Result<NewSession> parse_new_session(const std::string& body) {
  NewSession n;
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return n;  // no body: defaults
  WOOLLY_ASSIGN_OR_RETURN(json::object o, detail::parse_object(body));
  WOOLLY_ASSIGN_OR_RETURN(auto title, detail::optional_string(o, "title"));
  if (title && title->size() > kMaxTitleBytes) {
    return make_error(Errc::kInvalidArgument,
                      "'title' is longer than " + std::to_string(kMaxTitleBytes) + " bytes");
  }
  n.title = title.value_or("");
  WOOLLY_ASSIGN_OR_RETURN(n.system_prompt, detail::optional_string(o, "system_prompt"));
  if (n.system_prompt && n.system_prompt->empty()) n.system_prompt.reset();
  return n;
}

// The store checks the limit and inserts in one transaction (see Store::create_session).
Result<net::Response> create_session(store::Store& s, const Owner& who, const NewSession& n,
                                     int max_sessions) {
  WOOLLY_ASSIGN_OR_RETURN(store::ChatSession made,
                          s.create_session(who.tenant_id, who.user_id, n.title,
                                           std::max(max_sessions, 1)));
  json::object out = detail::session_json(made);
  if (n.system_prompt) {
    WOOLLY_ASSIGN_OR_RETURN(store::ChatMessage m, s.append_message(who.tenant_id, made.id,
                                                                   "system", *n.system_prompt));
    out["messages"] = json::array{detail::message_json(m)};
  } else {
    out["messages"] = json::array{};
  }
  return net::Response::json(201, json::serialize(out));
}

Result<net::Response> get_session(store::Store& s, const Owner& who, store::Id id,
                                  const Page& page) {
  WOOLLY_ASSIGN_OR_RETURN(store::ChatSession session, detail::owned_session(s, who, id));
  WOOLLY_ASSIGN_OR_RETURN(auto rows, s.list_messages(who.tenant_id, id, page.request));
  const bool more = static_cast<int>(rows.size()) > page.limit;
  if (more) rows.resize(static_cast<size_t>(page.limit));
  json::object out = detail::session_json(session);
  json::array messages;
  for (const auto& m : rows) messages.push_back(detail::message_json(m));
  out["messages"] = std::move(messages);
  out["has_more"] = more;
  return net::Response::json(200, json::serialize(out));
}

Result<net::Response> delete_session(store::Store& s, const Owner& who, store::Id id) {
  WOOLLY_TRY(detail::owned_session(s, who, id));
  WOOLLY_TRY(s.delete_session(who.tenant_id, id));
  return net::Response::empty(204);
}

}  // namespace

Status install_session_routes(net::Router& router, std::shared_ptr<ServingContext> ctx,
                              store::Store& store, SessionSettings settings) {
  net::RouteMeta meta;
  meta.scope = "sessions";
  store::Store* st = &store;
  // The checks every route starts with, on the I/O thread: retention, then the caller.
  auto admit = [settings](const net::Request& req) -> Result<Owner> {
    WOOLLY_TRY(check_retention(settings));
    return detail::owner_of(req);
  };
  WOOLLY_TRY(router.add(net::Method::kGet, "/api/v1/sessions",
      [st, admit](net::Request req, net::Responder res) {
        auto who = admit(req);
        if (!who.ok()) return res.send_error(who.error());
        auto page = page_of(req, 50);
        if (!page.ok()) return res.send_error(page.error());
        answer_from_store(*st, std::move(res), [who = *who, page = *page](store::Store& s) {
          return list_sessions(s, who, page);
        });
      }, meta));
  WOOLLY_TRY(router.add(net::Method::kPost, "/api/v1/sessions",
      [st, admit, max = settings.max_sessions](net::Request req, net::Responder res) {
        auto who = admit(req);
        if (!who.ok()) return res.send_error(who.error());
        auto n = parse_new_session(req.body);
        if (!n.ok()) return res.send_error(n.error());
        answer_from_store(*st, std::move(res), [who = *who, n = std::move(*n), max](store::Store& s) {
          return create_session(s, who, n, max);
        });
      }, meta));
  WOOLLY_TRY(router.add(net::Method::kGet, "/api/v1/sessions/:id",
      [st, admit](net::Request req, net::Responder res) {
        auto who = admit(req);
        if (!who.ok()) return res.send_error(who.error());
        auto id = detail::session_id_param(req);
        if (!id.ok()) return res.send_error(id.error());
        auto page = page_of(req, 100);
        if (!page.ok()) return res.send_error(page.error());
        answer_from_store(*st, std::move(res), [who = *who, id = *id, page = *page](store::Store& s) {
          return get_session(s, who, id, page);
        });
      }, meta));
  WOOLLY_TRY(router.add(net::Method::kDelete, "/api/v1/sessions/:id",
      [st, admit](net::Request req, net::Responder res) {
        auto who = admit(req);
        if (!who.ok()) return res.send_error(who.error());
        auto id = detail::session_id_param(req);
        if (!id.ok()) return res.send_error(id.error());
        answer_from_store(*st, std::move(res), [who = *who, id = *id](store::Store& s) {
          return delete_session(s, who, id);
        });
      }, meta));
  WOOLLY_TRY(router.add(net::Method::kPost, "/api/v1/sessions/:id/messages",
      [ctx, st, settings](net::Request req, net::Responder res) {
        if (Status r = check_retention(settings); !r.ok()) return res.send_error(r.error());
        detail::post_session_message(ctx, *st, settings, std::move(req), std::move(res));
      }, meta));
  return {};
}

}  // namespace woolly::api
