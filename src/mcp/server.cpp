#include "mcp/server.h"

#include <boost/json/serialize.hpp>
#include <thread>
#include <tuple>

#include "common/version.h"
#include "mcp/detail/worker_pool.h"

namespace woolly::mcp {

std::string id_key(const json::value& id) { return json::serialize(id); }

Server::Server(ServerOptions options, std::shared_ptr<ToolRegistry> tools,
               std::shared_ptr<ResourceRegistry> resources,
               std::shared_ptr<PromptRegistry> prompts)
    : options_(std::move(options)),
      metrics_(options_.metrics ? *options_.metrics : own_metrics_),
      tools_(tools ? std::move(tools) : std::make_shared<ToolRegistry>()),
      resources_(resources ? std::move(resources) : std::make_shared<ResourceRegistry>()),
      prompts_(prompts ? std::move(prompts) : std::make_shared<PromptRegistry>()),
      pool_(std::make_unique<detail::WorkerPool>(std::max<size_t>(1, options_.workers),
                                                 options_.max_queue)) {
  if (options_.version.empty()) options_.version = std::string(woolly::version());
  tools_sub_ = tools_->changes().subscribe(
      [this] { broadcast_list_changed("notifications/tools/list_changed", &Subscription::tools); });
  prompts_sub_ = prompts_->changes().subscribe([this] {
    broadcast_list_changed("notifications/prompts/list_changed", &Subscription::prompts);
  });
  resources_sub_ = resources_->list_changes().subscribe([this] {
    broadcast_list_changed("notifications/resources/list_changed", &Subscription::resources);
  });
}

Server::~Server() {
  {
    std::unique_lock lock(lifeline_->mutex);
    lifeline_->alive = false;
  }
  tools_->changes().unsubscribe(tools_sub_);
  prompts_->changes().unsubscribe(prompts_sub_);
  resources_->list_changes().unsubscribe(resources_sub_);
  std::vector<ClientReply> orphaned;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, s] : sessions_) {
      for (auto& [key, flag] : s.running) flag->store(true);
      for (auto& [key, out] : s.outgoing) orphaned.push_back(std::move(out.done));
      s.outgoing.clear();
    }
  }
  // A handler on a worker may be waiting for one of these answers; release it before joining.
  fail_outgoing(std::move(orphaned), "the server is shutting down");
  pool_.reset();  // joins the workers before the registries and sessions go away
}

void Server::close_session(SessionId session) {
  std::vector<ClientReply> orphaned;
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(session);
    if (it == sessions_.end()) return;
    for (auto& [key, flag] : it->second.running) flag->store(true);
    for (auto& [key, out] : it->second.outgoing) orphaned.push_back(std::move(out.done));
    it->second.metrics->open->dec();
    sessions_.erase(it);
  }
  fail_outgoing(std::move(orphaned), "the session closed");
}

std::optional<SessionInfo> Server::session_info(SessionId session) const {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(session);
  if (it == sessions_.end()) return std::nullopt;
  return it->second.info;
}

bool Server::wait_idle(SessionId session, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      auto it = sessions_.find(session);
      if (it == sessions_.end() || it->second.running.empty()) return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void Server::send(SessionId session, const json::object& message, const json::value& related) {
  std::shared_ptr<MessageSink> sink;
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(session);
    if (it == sessions_.end()) return;
    sink = it->second.sink;
  }
  if (!sink) return;
  count_errors(session, message);
  sink->send(json::serialize(message), related);
}

void Server::run_call(std::shared_ptr<Call> call) {
  if (call->cancel->load()) return call->reply(json::object{});
  const std::string& m = call->method;
  const bool modern = call->modern;
  Result<json::object> r = make_error(Errc::kInternal, "unreachable");
  if (m == "tools/call") return call_tool(call);
  if (m == "tools/list") {
    r = list_tools(*call);
  } else if (m == "resources/list") {
    r = list_resources(*call);
  } else if (m == "resources/templates/list") {
    r = list_resource_templates(*call);
  } else if (m == "resources/read") {
    r = read_resource(*call);
    if (!r.ok() && r.error().code == Errc::kNotFound && !modern) {
      // Legacy revisions have their own code for this; 2026-07-28 uses invalid params.
      const json::value* uri = call->params.if_contains("uri");
      return fail(*call, {rpc_code::kResourceNotFound, "Resource not found",
                          json::object{{"uri", uri ? *uri : json::value(nullptr)}}});
    }
  } else if ((m == "resources/subscribe" || m == "resources/unsubscribe") && !modern) {
    r = subscribe_resource(*call, m == "resources/subscribe");
  } else if (m == "prompts/list") {
    r = list_prompts(*call);
  } else if (m == "prompts/get") {
    r = get_prompt(*call);
  } else if (m == "completion/complete") {
    r = complete(*call);
  } else if (m == "logging/setLevel" && !modern) {
    r = set_log_level(*call);
  } else if (m == "server/discover") {
    r = discover(*call);
  } else {
    return fail(*call, RpcError::method_not_found(m));
  }
  finish(*call, std::move(r));
}

void Server::finish(const Call& call, Result<json::object> result) {
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(call.session);
    if (it != sessions_.end()) it->second.running.erase(id_key(call.id));
  }
  if (call.cancel->load()) {
    call.reply(json::object{});  // lets a batch complete; single replies ignore empty objects
    return;
  }
  if (!result.ok()) return fail(call, to_rpc_error(result.error()));
  json::object out = std::move(result).value();
  if (call.modern) {
    if (!out.contains("resultType")) out["resultType"] = "complete";
    json::object& meta = out["_meta"].emplace_object();
    meta[kMetaServerInfo] = server_info();
  }
  call.reply(make_result(call.id, std::move(out)));
}

void Server::fail(const Call& call, const RpcError& error) {
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(call.session);
    if (it != sessions_.end()) it->second.running.erase(id_key(call.id));
  }
  call.reply(make_error(call.id, error));
}

json::object Server::server_info() const {
  json::object info{{"name", options_.name}, {"version", options_.version}};
  if (!options_.title.empty()) info["title"] = options_.title;
  return info;
}

json::object Server::capabilities() const {
  json::object caps;
  caps["tools"] = json::object{{"listChanged", true}};
  caps["resources"] = json::object{{"subscribe", true}, {"listChanged", true}};
  caps["prompts"] = json::object{{"listChanged", true}};
  caps["logging"] = json::object{};
  caps["completions"] = json::object{};
  return caps;
}

json::object Server::initialize(SessionId session, const Message& m,
                                std::optional<RpcError>& error) {
  const json::value* requested = m.params.if_contains("protocolVersion");
  if (!requested || !requested->is_string()) {
    error = RpcError::invalid_params("initialize: protocolVersion (string) is required",
                                     json::object{{"path", "/protocolVersion"}});
    return {};
  }
  std::string version = negotiate_legacy(requested->as_string());
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(session);
    if (it == sessions_.end()) return {};
    Session& s = it->second;
    if (s.info.initialized) {
      error = RpcError{rpc_code::kInvalidRequest, "Invalid Request: already initialized", nullptr};
      return {};
    }
    s.info.initialized = true;
    s.info.protocol_version = version;
    if (const json::value* c = m.params.if_contains("capabilities"); c && c->is_object()) {
      s.info.client_capabilities = c->as_object();
    }
    if (const json::value* c = m.params.if_contains("clientInfo"); c && c->is_object()) {
      s.info.client_info = c->as_object();
    }
  }
  json::object result;
  result["protocolVersion"] = version;
  result["capabilities"] = capabilities();
  result["serverInfo"] = server_info();
  if (!options_.instructions.empty()) result["instructions"] = options_.instructions;
  return result;
}

void Server::broadcast_list_changed(std::string_view method, bool Subscription::*flag) {
  std::vector<std::pair<std::shared_ptr<MessageSink>, json::object>> out;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, s] : sessions_) {
      if (s.ready) out.emplace_back(s.sink, make_notification(method, {}));
      for (auto& [key, sub] : s.subscriptions) {
        if (!(sub.*flag)) continue;
        json::object params{{"_meta", json::object{{kMetaSubscriptionId, sub.id}}}};
        out.emplace_back(s.sink, make_notification(method, std::move(params)));
      }
    }
  }
  for (auto& [sink, msg] : out) sink->send(json::serialize(msg), nullptr);
}

void Server::notify_resource_updated(std::string_view uri) {
  std::vector<std::pair<std::shared_ptr<MessageSink>, json::object>> out;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, s] : sessions_) {
      if (s.resource_subscriptions.count(std::string(uri))) {
        out.emplace_back(s.sink, make_notification("notifications/resources/updated",
                                                   json::object{{"uri", uri}}));
      }
      for (auto& [key, sub] : s.subscriptions) {
        if (!sub.uris.count(std::string(uri))) continue;
        json::object params{{"uri", uri}, {"_meta", json::object{{kMetaSubscriptionId, sub.id}}}};
        out.emplace_back(s.sink, make_notification("notifications/resources/updated", params));
      }
    }
  }
  for (auto& [sink, msg] : out) sink->send(json::serialize(msg), nullptr);
}

void Server::end_subscriptions() {
  std::vector<std::tuple<std::shared_ptr<MessageSink>, json::object, json::value>> out;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, s] : sessions_) {
      for (auto& [key, sub] : s.subscriptions) {
        json::object meta{{kMetaSubscriptionId, sub.id}, {kMetaServerInfo, server_info()}};
        json::object result{{"resultType", "complete"}, {"_meta", std::move(meta)}};
        out.emplace_back(s.sink, make_result(sub.id, std::move(result)), sub.id);
      }
      s.subscriptions.clear();
    }
  }
  for (auto& [sink, msg, related] : out) sink->send(json::serialize(msg), related);
}

void Server::log(LogLevel level, json::value data, std::string_view logger) {
  json::object params{{"level", log_level_name(level)}, {"data", std::move(data)}};
  if (!logger.empty()) params["logger"] = logger;
  json::object msg = make_notification("notifications/message", std::move(params));
  std::vector<std::shared_ptr<MessageSink>> sinks;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, s] : sessions_) {
      if (s.info.initialized && level >= s.log_level) sinks.push_back(s.sink);
    }
  }
  std::string text = json::serialize(msg);
  for (auto& sink : sinks) sink->send(text, nullptr);
}

}  // namespace woolly::mcp
