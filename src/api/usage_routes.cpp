// GET /api/v1/usage: usage records, newest pages by id. A caller sees its own records (its user,
// or its key when it has no user); an admin sees its whole tenant's. Never another tenant's.
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "api/auth_routes.h"
#include "store/store.h"

namespace woolly::api {

Status install_usage_routes(net::Router& router, std::shared_ptr<AuthServices> services) {
  if (!services->store) return {};
  store::Store& st = *services->store;
  net::RouteMeta meta;
  meta.scope = std::string(auth::kScopeInference);
  return router.add(net::Method::kGet, "/api/v1/usage", [&st](net::Request req, net::Responder res) {
    auto who = identity_of(req);
    if (!who || !who->authenticated) {
      return res.send_error(Error(Errc::kUnauthenticated, "usage needs a credential"));
    }
    store::UsageQuery q;
    q.tenant_id = who->tenant_id;
    const bool admin = who->has_scope(auth::kScopeAdmin);
    if (!admin) q.user_id = who->user_id;
    std::optional<store::Id> only_key = admin || who->user_id ? std::nullopt : who->key_id;
    if (auto a = req.query_param("after")) q.page.after_id = std::atoll(std::string(*a).c_str());
    if (auto l = req.query_param("limit")) q.page.limit = std::atoi(std::string(*l).c_str());
    if (auto s = req.query_param("since")) q.since = std::atoll(std::string(*s).c_str());
    if (auto u = req.query_param("until")) q.until = std::atoll(std::string(*u).c_str());
    if (!admin && !who->user_id && !only_key) {
      // A config key or token without user or key: nothing of its own to show.
      return res.send(net::Response::json(200, R"({"usage":[]})"));
    }
    answer_from_store(st, std::move(res), [q, only_key](store::Store& s) -> Result<net::Response> {
      WOOLLY_ASSIGN_OR_RETURN(auto rows, s.list_usage(q));
      boost::json::array a;
      for (const auto& u : rows) {
        if (only_key && u.api_key_id != only_key) continue;
        boost::json::object o{{"id", u.id}, {"model", u.model}, {"backend", u.backend},
                              {"prompt_tokens", u.prompt_tokens},
                              {"completion_tokens", u.completion_tokens}, {"cost", u.cost},
                              {"latency_ms", u.latency_ms}, {"status", u.status},
                              {"created_at", u.created_at}};
        if (u.user_id) o["user_id"] = *u.user_id;
        if (u.api_key_id) o["api_key_id"] = *u.api_key_id;
        a.emplace_back(std::move(o));
      }
      return net::Response::json(200, boost::json::serialize(boost::json::object{{"usage", std::move(a)}}));
    });
  }, meta);
}

}  // namespace woolly::api
