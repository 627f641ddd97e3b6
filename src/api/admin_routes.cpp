// /api/v1/admin/keys, /api/v1/admin/users and /api/v1/admin/credits: operators manage API keys,
// users and credits of their
// tenant (or, acting through X-Tenant-ID, of any tenant when they hold a default-tenant admin
// credential). Every store call runs on the store's pool.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>
#include <optional>
#include <vector>

#include "api/auth_routes.h"
#include "store/store.h"

namespace woolly::api {
namespace {

namespace json = boost::json;

json::array to_array(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

Result<std::vector<std::string>> strings(const json::object& o, std::string_view name) {
  std::vector<std::string> out;
  const json::value* v = o.if_contains(name);
  if (!v) return out;
  if (!v->is_array()) return make_error(Errc::kInvalidArgument, std::string(name) + " must be an array");
  for (const auto& e : v->as_array()) {
    if (!e.is_string()) return make_error(Errc::kInvalidArgument, std::string(name) + " must hold strings");
    out.emplace_back(e.as_string());
  }
  return out;
}

// An optional non-negative integer field; absent or null is none, anything else a 400.
Result<std::optional<int64_t>> int_field(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (!v || v->is_null()) return std::optional<int64_t>{};
  if (v->is_int64() && v->as_int64() >= 0) return std::optional<int64_t>{v->as_int64()};
  return make_error(Errc::kInvalidArgument,
                    std::string(name) + " must be a non-negative integer below 2^63");
}

json::object key_json(const store::ApiKey& k) {
  json::object o{{"id", k.id},
                 {"prefix", k.prefix},
                 {"name", k.spec.name},
                 {"tenant_id", k.spec.tenant_id},
                 {"scopes", to_array(k.spec.scopes)},
                 {"allowed_models", to_array(k.spec.allowed_models)},
                 {"allowed_tools", to_array(k.spec.allowed_tools)},
                 {"created_at", k.created_at},
                 {"revoked", k.revoked_at.has_value()},
                 {"spent", k.spent},
                 {"held", k.held}};
  if (k.spec.user_id) o["user_id"] = *k.spec.user_id;
  if (k.spec.rpm) o["rpm"] = *k.spec.rpm;
  if (k.spec.tpm) o["tpm"] = *k.spec.tpm;
  if (k.spec.budget) o["budget"] = *k.spec.budget;
  return o;
}

// The :id of a path (/api/v1/admin/keys/:id, ...): one that is not a number names nothing,
// exactly like an unknown one.
std::optional<store::Id> path_id(const net::Request& req) {
  std::string_view text = req.param("id");
  store::Id id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return id;
}

Result<store::ApiKeySpec> parse_key_spec(const std::string& body, store::Id tenant) {
  json::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return make_error(Errc::kInvalidArgument, "body must be a JSON object");
  const json::object& o = v.as_object();
  store::ApiKeySpec spec;
  spec.tenant_id = tenant;
  if (const json::value* n = o.if_contains("name"); n && n->is_string()) spec.name = n->as_string();
  WOOLLY_ASSIGN_OR_RETURN(spec.scopes, strings(o, "scopes"));
  if (spec.scopes.empty()) spec.scopes = {std::string(auth::kScopeInference)};
  for (const auto& s : spec.scopes) {
    if (!auth::is_known_scope(s)) return make_error(Errc::kInvalidArgument, "unknown scope: " + s);
  }
  WOOLLY_ASSIGN_OR_RETURN(spec.allowed_models, strings(o, "allowed_models"));
  WOOLLY_ASSIGN_OR_RETURN(spec.allowed_tools, strings(o, "allowed_tools"));
  WOOLLY_ASSIGN_OR_RETURN(spec.user_id, int_field(o, "user_id"));
  WOOLLY_ASSIGN_OR_RETURN(spec.rpm, int_field(o, "rpm"));
  WOOLLY_ASSIGN_OR_RETURN(spec.tpm, int_field(o, "tpm"));
  WOOLLY_ASSIGN_OR_RETURN(spec.budget, int_field(o, "budget"));
  return spec;
}

json::object user_json(const store::User& u) {
  return json::object{{"id", u.id},       {"tenant_id", u.tenant_id}, {"name", u.name},
                      {"email", u.email}, {"role", u.role},           {"created_at", u.created_at}};
}

Result<store::User> parse_user(const std::string& body, store::Id tenant) {
  json::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return make_error(Errc::kInvalidArgument, "body must be a JSON object");
  const json::object& o = v.as_object();
  store::User u;
  u.tenant_id = tenant;
  for (auto [name, field] : {std::pair{"name", &u.name}, {"email", &u.email}, {"role", &u.role}}) {
    const json::value* f = o.if_contains(name);
    if (!f) continue;
    if (!f->is_string()) return make_error(Errc::kInvalidArgument, std::string(name) + " must be a string");
    *field = std::string(f->as_string());
  }
  if (u.name.empty()) return make_error(Errc::kInvalidArgument, "name is required");
  if (u.name.size() > 256 || u.email.size() > 256 || u.role.size() > 64) {
    return make_error(Errc::kInvalidArgument, "name and email are at most 256 bytes, role 64");
  }
  return u;
}

store::PageRequest page_of(const net::Request& req) {
  store::PageRequest page;
  if (auto a = req.query_param("after")) page.after_id = std::atoll(std::string(*a).c_str());
  if (auto l = req.query_param("limit")) page.limit = std::atoi(std::string(*l).c_str());
  return page;
}

store::Id tenant_of(const net::Request& req) {
  auto who = identity_of(req);
  return who ? who->tenant_id : 0;
}

net::RouteMeta admin_meta() {
  net::RouteMeta m;
  m.scope = std::string(auth::kScopeAdmin);
  return m;
}

}  // namespace

Status install_admin_routes(net::Router& router, std::shared_ptr<AuthServices> services) {
  if (!services->store) return {};
  store::Store& st = *services->store;
  WOOLLY_TRY(router.add(net::Method::kPost, "/api/v1/admin/keys",
      [&st](net::Request req, net::Responder res) {
        auto spec = parse_key_spec(req.body, tenant_of(req));
        if (!spec.ok()) return res.send_error(spec.error());
        answer_from_store(st, std::move(res), [spec = *spec](store::Store& s) -> Result<net::Response> {
          WOOLLY_ASSIGN_OR_RETURN(store::CreatedApiKey k, s.create_api_key(spec));
          json::object o = key_json(k.key);
          o["key"] = k.secret;  // shown once; only its hash is kept
          return net::Response::json(201, json::serialize(o));
        });
      }, admin_meta()));
  WOOLLY_TRY(router.add(net::Method::kGet, "/api/v1/admin/keys",
      [&st](net::Request req, net::Responder res) {
        store::PageRequest page;
        if (auto a = req.query_param("after")) page.after_id = std::atoll(std::string(*a).c_str());
        if (auto l = req.query_param("limit")) page.limit = std::atoi(std::string(*l).c_str());
        answer_from_store(st, std::move(res), [t = tenant_of(req), page](store::Store& s) -> Result<net::Response> {
          WOOLLY_ASSIGN_OR_RETURN(auto keys, s.list_api_keys(t, page));
          json::array a;
          for (const auto& k : keys) a.emplace_back(key_json(k));
          return net::Response::json(200, json::serialize(json::object{{"keys", std::move(a)}}));
        });
      }, admin_meta()));
  WOOLLY_TRY(router.add(net::Method::kGet, "/api/v1/admin/keys/:id",
      [&st](net::Request req, net::Responder res) {
        auto id = path_id(req);
        if (!id) return res.send_error(Error(Errc::kNotFound, "no such key"));
        answer_from_store(st, std::move(res), [t = tenant_of(req), id = *id](store::Store& s) -> Result<net::Response> {
          WOOLLY_ASSIGN_OR_RETURN(auto k, s.get_api_key(t, id));
          return net::Response::json(200, json::serialize(key_json(k)));
        });
      }, admin_meta()));
  WOOLLY_TRY(router.add(net::Method::kDelete, "/api/v1/admin/keys/:id",
      [&st, services](net::Request req, net::Responder res) {
        auto parsed = path_id(req);
        if (!parsed) return res.send_error(Error(Errc::kNotFound, "no such key"));
        const store::Id id = *parsed;
        answer_from_store(st, std::move(res), [services, t = tenant_of(req), id](store::Store& s) -> Result<net::Response> {
          WOOLLY_TRY(s.revoke_api_key(t, id));
          services->authenticator->forget_key(id);
          return net::Response::empty(204);
        });
      }, admin_meta()));
  WOOLLY_TRY(router.add(net::Method::kPost, "/api/v1/admin/users",
      [&st](net::Request req, net::Responder res) {
        auto user = parse_user(req.body, tenant_of(req));
        if (!user.ok()) return res.send_error(user.error());
        answer_from_store(st, std::move(res), [user = *user](store::Store& s) -> Result<net::Response> {
          auto u = s.create_user(user);
          // The store's own message names its SQL constraint; the client gets the reason.
          if (!u.ok() && u.error().code == Errc::kAlreadyExists) {
            return make_error(Errc::kAlreadyExists, "a user named " + user.name + " already exists");
          }
          if (!u.ok()) return u.error();
          return net::Response::json(201, json::serialize(user_json(*u)));
        });
      }, admin_meta()));
  WOOLLY_TRY(router.add(net::Method::kGet, "/api/v1/admin/users",
      [&st](net::Request req, net::Responder res) {
        answer_from_store(st, std::move(res), [t = tenant_of(req), page = page_of(req)](store::Store& s) -> Result<net::Response> {
          WOOLLY_ASSIGN_OR_RETURN(auto users, s.list_users(t, page));
          json::array a;
          for (const auto& u : users) a.emplace_back(user_json(u));
          return net::Response::json(200, json::serialize(json::object{{"users", std::move(a)}}));
        });
      }, admin_meta()));
  WOOLLY_TRY(router.add(net::Method::kDelete, "/api/v1/admin/users/:id",
      [&st, services](net::Request req, net::Responder res) {
        auto id = path_id(req);
        if (!id) return res.send_error(Error(Errc::kNotFound, "no such user"));
        // The user's keys and sessions go with it (foreign keys cascade). Its keys are dropped
        // from this instance's key cache at once, like revoked ones.
        answer_from_store(st, std::move(res), [services, t = tenant_of(req), id = *id](store::Store& s) -> Result<net::Response> {
          std::vector<store::Id> keys;
          store::PageRequest page;
          page.limit = store::kMaxPageSize;
          while (true) {
            WOOLLY_ASSIGN_OR_RETURN(auto batch, s.list_api_keys(t, page));
            for (const auto& k : batch) {
              if (k.spec.user_id == id) keys.push_back(k.id);
            }
            if (batch.size() < static_cast<size_t>(page.limit)) break;
            page.after_id = batch.back().id;
          }
          WOOLLY_TRY(s.delete_user(t, id));
          for (store::Id k : keys) services->authenticator->forget_key(k);
          return net::Response::empty(204);
        });
      }, admin_meta()));
  WOOLLY_TRY(router.add(net::Method::kPost, "/api/v1/admin/credits/grant",
      [&st](net::Request req, net::Responder res) {
        json::error_code ec;
        json::value v = json::parse(req.body, ec);
        if (ec || !v.is_object() || !v.as_object().contains("principal") ||
            !v.as_object().at("principal").is_string() || !v.as_object().contains("amount") ||
            !v.as_object().at("amount").is_number()) {
          return res.send_error(Error(Errc::kInvalidArgument,
                                      "body must be {\"principal\": \"key:7\", \"amount\": credits}"));
        }
        const json::object& o = v.as_object();
        double credits = o.at("amount").to_number<double>();
        if (!(credits > 0)) return res.send_error(Error(Errc::kInvalidArgument, "amount must be positive"));
        store::Principal who{tenant_of(req), std::string(o.at("principal").as_string())};
        std::string note = o.contains("note") && o.at("note").is_string() ? std::string(o.at("note").as_string()) : "";
        auto micros = static_cast<store::Micros>(std::llround(credits * 1e6));
        answer_from_store(st, std::move(res), [who, micros, note](store::Store& s) -> Result<net::Response> {
          WOOLLY_ASSIGN_OR_RETURN(store::CreditBalance b, s.grant(who, micros, note));
          return net::Response::json(200, json::serialize(json::object{
              {"principal", who.name}, {"balance", b.balance}, {"reserved", b.reserved},
              {"available", b.available()}}));
        });
      }, admin_meta()));
  WOOLLY_TRY(router.add(net::Method::kGet, "/api/v1/admin/credits/:principal",
      [&st](net::Request req, net::Responder res) {
        store::Principal who{tenant_of(req), std::string(req.param("principal"))};
        answer_from_store(st, std::move(res), [who](store::Store& s) -> Result<net::Response> {
          WOOLLY_ASSIGN_OR_RETURN(store::CreditBalance b, s.balance(who));
          return net::Response::json(200, json::serialize(json::object{
              {"principal", who.name}, {"balance", b.balance}, {"reserved", b.reserved},
              {"available", b.available()}}));
        });
      }, admin_meta()));
  return {};
}

}  // namespace woolly::api
