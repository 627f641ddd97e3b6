#include "mcp/client.h"

#include <boost/json/serialize.hpp>

#include "common/version.h"

namespace woolly::mcp {

using Clock = std::chrono::steady_clock;

Error from_rpc_error(const RpcError& error) {
  std::string text = error.message + " (" + std::to_string(error.code) + ")";
  switch (error.code) {
    case rpc_code::kInvalidParams:
    case rpc_code::kInvalidRequest:
      return Error(Errc::kInvalidArgument, std::move(text));
    case rpc_code::kMethodNotFound:
      return Error(Errc::kUnsupported, std::move(text));
    case rpc_code::kResourceNotFound:
      return Error(Errc::kNotFound, std::move(text));
    default:
      return Error(Errc::kUpstream, std::move(text));
  }
}

Client::Client(ClientOptions options, std::shared_ptr<MessageSink> out)
    : options_(std::move(options)), out_(std::move(out)) {
  if (options_.version.empty()) options_.version = std::string(woolly::version());
}

Client::~Client() { close(Error(Errc::kCancelled, "MCP client closed")); }

void Client::on_notification(std::function<void(const Message&)> handler) {
  std::lock_guard lock(mutex_);
  notification_handler_ = std::move(handler);
}

void Client::send(const json::object& message) { out_->send(json::serialize(message), nullptr); }

void Client::close(Error why) {
  std::lock_guard lock(mutex_);
  if (!closed_) closed_ = why;
  for (auto& [id, p] : pending_) {
    p->done = true;
    p->result = why;
    p->cv.notify_all();
  }
  pending_.clear();
}

bool Client::pending(int64_t id) const {
  std::lock_guard lock(mutex_);
  return pending_.count(id) > 0;
}

void Client::fail_request(int64_t id, Error why) {
  std::lock_guard lock(mutex_);
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  it->second->done = true;
  it->second->result = std::move(why);
  it->second->cv.notify_all();
  pending_.erase(it);
}

void Client::handle(std::string_view frame) {
  ParsedPayload payload = parse_payload(frame);
  if (payload.parse_error) return;  // nothing to answer: a server never sends us requests in bad JSON
  for (const ParsedItem& item : payload.items) {
    if (!item.valid) continue;
    const Message& m = item.message;
    if (m.is_request()) {
      answer_server_request(m);
      continue;
    }
    if (m.is_notification()) {
      if (m.method == "notifications/progress") {
        const json::value* token = m.params.if_contains("progressToken");
        if (!token || !token->is_int64()) continue;
        std::function<void(const json::object&)> cb;
        {
          std::lock_guard lock(mutex_);
          auto it = pending_.find(token->as_int64());
          if (it == pending_.end()) continue;
          it->second->deadline = Clock::now() + it->second->idle;  // progress means alive
          cb = it->second->on_progress;
        }
        if (cb) cb(m.params);
        continue;
      }
      std::function<void(const Message&)> handler;
      {
        std::lock_guard lock(mutex_);
        handler = notification_handler_;
      }
      if (handler) handler(m);
      continue;
    }
    // A response.
    if (!m.id.is_int64()) continue;
    std::lock_guard lock(mutex_);
    auto it = pending_.find(m.id.as_int64());
    if (it == pending_.end()) continue;  // late answer to a call we gave up on
    Pending& p = *it->second;
    p.done = true;
    if (m.kind == MessageKind::kResult) {
      if (m.result.is_object()) {
        p.result = m.result.as_object();
      } else {
        p.result = Error(Errc::kUpstream, "MCP server sent a non-object result");
      }
    } else {
      p.result = from_rpc_error(m.error);
      if (m.error.code == rpc_code::kUnsupportedProtocolVersion) {
        p.result = Error(Errc::kUnsupported, boost::json::serialize(m.error.data));
      }
    }
    p.cv.notify_all();
    pending_.erase(it);
  }
}

void Client::answer_server_request(const Message& m) {
  if (m.method == "ping") {
    send(make_result(m.id, json::object{}));
    return;
  }
  if (m.method == "roots/list" && !options_.roots.empty()) {
    json::array roots;
    for (const auto& [uri, name] : options_.roots) {
      json::object r{{"uri", uri}};
      if (!name.empty()) r["name"] = name;
      roots.push_back(std::move(r));
    }
    send(make_result(m.id, json::object{{"roots", std::move(roots)}}));
    return;
  }
  if (m.method != "roots/list" && options_.request_handler) {
    Result<json::object> r = options_.request_handler(m.method, m.params);
    if (r.ok()) {
      send(make_result(m.id, std::move(r).value()));
    } else {
      send(make_error(m.id, to_rpc_error(r.error())));
    }
    return;
  }
  send(make_error(m.id, RpcError::method_not_found(m.method)));
}

json::object Client::modern_meta() const {
  json::object caps = options_.extra_capabilities;
  if (!options_.roots.empty()) caps["roots"] = json::object{};
  return json::object{{kMetaProtocolVersion, server_.protocol_version.empty()
                                                 ? std::string(kRev20260728)
                                                 : server_.protocol_version},
                      {kMetaClientCapabilities, std::move(caps)},
                      {kMetaClientInfo,
                       json::object{{"name", options_.name}, {"version", options_.version}}}};
}

Result<json::object> Client::request_once(std::string method, json::object params,
                                          const CallOptions& options, bool add_meta,
                                          std::optional<std::chrono::milliseconds> timeout) {
  auto p = std::make_shared<Pending>();
  p->idle = timeout ? *timeout : options.timeout.value_or(options_.request_timeout);
  p->on_progress = options.on_progress;
  const auto start = Clock::now();
  const auto hard_deadline = start + std::max(options_.max_total_timeout, p->idle);
  p->deadline = start + p->idle;
  int64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return *closed_;
    id = next_id_++;
    pending_[id] = p;
  }
  if (add_meta || options.on_progress) {
    json::object& meta = params["_meta"].is_object() ? params["_meta"].as_object()
                                                     : params["_meta"].emplace_object();
    if (add_meta) {
      for (auto& [k, v] : modern_meta()) meta[k] = v;
    }
    if (options.on_progress) meta["progressToken"] = id;
  }
  send(make_request(id, method, std::move(params)));

  std::unique_lock lock(mutex_);
  for (;;) {
    if (p->done) return std::move(p->result);
    const auto now = Clock::now();
    const bool cancelled = options.cancel && options.cancel->load();
    if (cancelled || now >= p->deadline || now >= hard_deadline) {
      pending_.erase(id);
      lock.unlock();
      send(make_notification("notifications/cancelled",
                             json::object{{"requestId", id},
                                          {"reason", cancelled ? "cancelled by the client"
                                                               : "timed out"}}));
      if (cancelled) return Error(Errc::kCancelled, method + " cancelled");
      return Error(Errc::kTimeout, method + " timed out");
    }
    // Short waits so a cancel flag set by another thread is noticed promptly.
    auto until = std::min({p->deadline, hard_deadline, now + std::chrono::milliseconds(20)});
    p->cv.wait_until(lock, until);
  }
}

Result<json::object> Client::request(std::string method, json::object params,
                                     const CallOptions& options) {
  Result<json::object> r =
      request_once(std::move(method), std::move(params), options, server_.modern, std::nullopt);
  if (r.ok() && server_.modern) {
    const json::value* type = r->if_contains("resultType");
    if (type && type->is_string() && type->as_string() != "complete") {
      // Multi round-trip requests need input this client cannot give.
      return make_error(Errc::kUnsupported, "MCP server asked for client input (input_required)");
    }
  }
  return r;
}

Status Client::notify(std::string method, json::object params) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return *closed_;
  }
  send(make_notification(method, std::move(params)));
  return {};
}

Result<ServerDescription> Client::connect() {
  if (options_.try_modern) {
    server_.protocol_version = std::string(kRev20260728);
    auto r = request_once("server/discover", {}, {}, true, options_.probe_timeout);
    if (r.ok()) {
      const json::value* versions = r->if_contains("supportedVersions");
      bool ok = false;
      if (versions && versions->is_array()) {
        for (const json::value& v : versions->as_array()) ok |= v == json::value(kRev20260728);
      }
      if (ok) {
        server_.modern = true;
        if (const json::value* c = r->if_contains("capabilities"); c && c->is_object()) {
          server_.capabilities = c->as_object();
        }
        if (const json::value* meta = r->if_contains("_meta"); meta && meta->is_object()) {
          if (const json::value* info = meta->as_object().if_contains(kMetaServerInfo);
              info && info->is_object()) {
            server_.server_info = info->as_object();
          }
        }
        if (const json::value* i = r->if_contains("instructions"); i && i->is_string()) {
          server_.instructions = std::string(i->as_string());
        }
        return server_;
      }
    } else {
      std::lock_guard lock(mutex_);
      if (closed_) return *closed_;  // the connection is gone; no point in falling back
    }
    // Any other outcome (an error that is not modern, silence) marks a legacy server.
  }
  server_ = ServerDescription{};
  json::object caps = options_.extra_capabilities;
  if (!options_.roots.empty()) caps["roots"] = json::object{{"listChanged", false}};
  json::object params{{"protocolVersion", options_.legacy_version},
                      {"capabilities", std::move(caps)},
                      {"clientInfo", json::object{{"name", options_.name},
                                                  {"version", options_.version}}}};
  WOOLLY_ASSIGN_OR_RETURN(json::object r,
                          request_once("initialize", std::move(params), {}, false, std::nullopt));
  const json::value* version = r.if_contains("protocolVersion");
  if (!version || !version->is_string() || !is_legacy_revision(version->as_string())) {
    return make_error(Errc::kUnsupported, "MCP server speaks an unsupported protocol version");
  }
  server_.protocol_version = std::string(version->as_string());
  if (const json::value* c = r.if_contains("capabilities"); c && c->is_object()) {
    server_.capabilities = c->as_object();
  }
  if (const json::value* s = r.if_contains("serverInfo"); s && s->is_object()) {
    server_.server_info = s->as_object();
  }
  if (const json::value* i = r.if_contains("instructions"); i && i->is_string()) {
    server_.instructions = std::string(i->as_string());
  }
  WOOLLY_TRY(notify("notifications/initialized"));
  return server_;
}

Result<std::vector<json::object>> Client::list_all(const std::string& method,
                                                   const std::string& key) {
  std::vector<json::object> out;
  json::object params;
  constexpr int kMaxPages = 1000;  // a server returning cursors forever must not hang us
  for (int page = 0; page < kMaxPages; ++page) {
    WOOLLY_ASSIGN_OR_RETURN(json::object r, request(method, params));
    if (const json::value* items = r.if_contains(key); items && items->is_array()) {
      for (const json::value& v : items->as_array()) {
        if (v.is_object()) out.push_back(v.as_object());
      }
    }
    const json::value* cursor = r.if_contains("nextCursor");
    if (!cursor || !cursor->is_string()) return out;
    params["cursor"] = *cursor;
  }
  return make_error(Errc::kUpstream, method + ": too many pages");
}

Result<std::vector<json::object>> Client::list_tools() { return list_all("tools/list", "tools"); }
Result<std::vector<json::object>> Client::list_resources() {
  return list_all("resources/list", "resources");
}
Result<std::vector<json::object>> Client::list_resource_templates() {
  return list_all("resources/templates/list", "resourceTemplates");
}
Result<std::vector<json::object>> Client::list_prompts() {
  return list_all("prompts/list", "prompts");
}

Result<json::object> Client::call_tool(const std::string& name, json::object arguments,
                                       const CallOptions& options) {
  return request("tools/call", json::object{{"name", name}, {"arguments", std::move(arguments)}},
                 options);
}

Result<json::object> Client::read_resource(const std::string& uri) {
  return request("resources/read", json::object{{"uri", uri}});
}

Result<json::object> Client::get_prompt(const std::string& name, json::object arguments) {
  return request("prompts/get", json::object{{"name", name}, {"arguments", std::move(arguments)}});
}

Status Client::ping() {
  if (server_.modern) return {};  // 2026-07-28 has no ping; liveness is a request's answer
  WOOLLY_TRY(request("ping", {}));
  return {};
}

}  // namespace woolly::mcp
