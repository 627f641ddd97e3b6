#include "mcp/server.h"

#include <boost/json/serialize.hpp>
#include <thread>

#include "common/version.h"
#include "mcp/detail/worker_pool.h"

namespace woolly::mcp {

std::string id_key(const json::value& id) { return json::serialize(id); }

namespace {

// Collects the responses of one batch and sends them as one array when the last one arrives.
class BatchReply {
 public:
  BatchReply(size_t expected, std::function<void(json::array)> done)
      : expected_(expected), done_(std::move(done)) {
    if (expected_ == 0) done_ = nullptr;  // all notifications: nothing is sent back
  }
  void add(json::object response) {
    std::function<void(json::array)> done;
    json::array out;
    {
      std::lock_guard lock(mutex_);
      responses_.push_back(std::move(response));
      if (responses_.size() < expected_) return;
      done = std::move(done_);
      out = std::move(responses_);
    }
    if (done) done(std::move(out));
  }
  // A cancelled request never answers; the batch still completes without it.
  void drop() { add_nothing(); }

 private:
  void add_nothing() {
    std::function<void(json::array)> done;
    json::array out;
    {
      std::lock_guard lock(mutex_);
      if (--expected_ > responses_.size()) return;
      done = std::move(done_);
      out = std::move(responses_);
    }
    if (done && !out.empty()) done(std::move(out));
  }

  std::mutex mutex_;  // guards all members
  size_t expected_;
  std::function<void(json::array)> done_;
  json::array responses_;
};

const json::object* meta_of(const json::object& params) {
  const json::value* meta = params.if_contains("_meta");
  return meta ? meta->if_object() : nullptr;
}

}  // namespace

Server::Server(ServerOptions options, std::shared_ptr<ToolRegistry> tools,
               std::shared_ptr<ResourceRegistry> resources,
               std::shared_ptr<PromptRegistry> prompts)
    : options_(std::move(options)),
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

SessionId Server::open_session(std::shared_ptr<MessageSink> sink) {
  std::lock_guard lock(mutex_);
  SessionId id = next_session_++;
  sessions_[id].sink = std::move(sink);
  return id;
}

void Server::close_session(SessionId session) {
  std::vector<ClientReply> orphaned;
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(session);
    if (it == sessions_.end()) return;
    for (auto& [key, flag] : it->second.running) flag->store(true);
    for (auto& [key, out] : it->second.outgoing) orphaned.push_back(std::move(out.done));
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
  if (sink) sink->send(json::serialize(message), related);
}

void Server::handle(SessionId session, std::string_view frame) {
  ParsedPayload payload = parse_payload(frame);
  auto send_raw = [this, session](const json::value& v) {
    std::shared_ptr<MessageSink> sink;
    {
      std::lock_guard lock(mutex_);
      auto it = sessions_.find(session);
      if (it == sessions_.end()) return;
      sink = it->second.sink;
    }
    sink->send(json::serialize(v), nullptr);
  };
  if (payload.parse_error || (payload.batch && payload.items.empty())) {
    send_raw(payload.error_response);
    return;
  }
  if (!payload.batch) {
    const ParsedItem& item = payload.items.front();
    if (!item.valid) {
      send_raw(item.error_response);
    } else if (item.message.is_request()) {
      json::value related = item.message.id;
      handle_request(session, item.message, [this, session, related](json::object r) {
        if (!r.empty()) send(session, r, related);
      });
    } else {
      handle_message(session, item.message);
    }
    return;
  }
  std::string version;
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(session);
    if (it == sessions_.end()) return;
    version = it->second.info.protocol_version;
  }
  if (!revision_allows_batch(version)) {
    send_raw(make_error(nullptr, {rpc_code::kInvalidRequest,
                                  "Invalid Request: batches are not supported by this protocol "
                                  "revision",
                                  nullptr}));
    return;
  }
  size_t answers = 0;
  for (const ParsedItem& item : payload.items) {
    answers += (!item.valid || item.message.is_request()) ? 1 : 0;
  }
  auto batch = std::make_shared<BatchReply>(answers, [send_raw](json::array a) { send_raw(a); });
  for (const ParsedItem& item : payload.items) {
    if (!item.valid) {
      batch->add(item.error_response.as_object());
    } else if (item.message.is_request() && item.message.method == "initialize") {
      batch->add(make_error(item.message.id, {rpc_code::kInvalidRequest,
                                              "Invalid Request: initialize cannot be batched",
                                              nullptr}));
    } else if (item.message.is_request()) {
      handle_request(session, item.message, [batch](json::object r) {
        if (r.empty()) {
          batch->drop();
        } else {
          batch->add(std::move(r));
        }
      });
    } else {
      handle_message(session, item.message);
    }
  }
}

void Server::handle_message(SessionId session, const Message& m) {
  if (m.is_request()) {
    json::value related = m.id;
    handle_request(session, m, [this, session, related](json::object r) {
      if (!r.empty()) send(session, r, related);
    });
  } else if (m.is_notification()) {
    handle_notification(session, m);
  } else {
    take_response(session, m);
  }
}

void Server::handle_notification(SessionId session, const Message& m) {
  std::vector<ClientReply> orphaned;
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(session);
    if (it == sessions_.end()) return;
    Session& s = it->second;
    if (m.method == "notifications/initialized") {
      if (s.info.initialized) s.ready = true;
    } else if (m.method == "notifications/cancelled") {
      const json::value* id = m.params.if_contains("requestId");
      if (!id || !is_valid_id(*id)) return;
      std::string key = id_key(*id);
      if (auto r = s.running.find(key); r != s.running.end()) {
        r->second->store(true);
        s.running.erase(r);
      }
      s.subscriptions.erase(key);  // cancelling subscriptions/listen ends the subscription
      for (auto o = s.outgoing.begin(); o != s.outgoing.end();) {
        if (o->second.call_key != key) {
          ++o;
          continue;
        }
        orphaned.push_back(std::move(o->second.done));
        o = s.outgoing.erase(o);
      }
    }
    // Other notifications (roots/list_changed, progress) need no action from this server.
  }
  fail_outgoing(std::move(orphaned), "the tool call was cancelled");
}

void Server::handle_request(SessionId session, const Message& m, Reply reply) {
  auto call = std::make_shared<Call>();
  call->session = session;
  call->id = m.id;
  call->method = m.method;
  call->params = m.params;
  call->reply = std::move(reply);
  call->cancel = std::make_shared<std::atomic<bool>>(false);

  std::optional<RpcError> error;
  if (m.method == "initialize") {
    json::object result = initialize(session, m, error);
    if (error) return fail(*call, *error);
    return call->reply(make_result(m.id, std::move(result)));
  }

  std::optional<std::string> declared = declared_protocol_version(m.params);
  const json::object* meta = meta_of(m.params);
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(session);
    if (it == sessions_.end()) return;
    Session& s = it->second;
    if (declared) {
      call->modern = true;
      call->version = *declared;
    } else if (s.info.initialized) {
      call->version = s.info.protocol_version;
      call->log_threshold = s.log_level;
    }
    std::string key = id_key(m.id);
    if (s.running.count(key) || s.subscriptions.count(key)) {
      error = RpcError{rpc_code::kInvalidRequest, "Invalid Request: duplicate request id", nullptr};
    } else {
      s.running[key] = call->cancel;
    }
  }
  if (error) return call->reply(make_error(m.id, *error));
  if (meta) {
    if (const json::value* token = meta->if_contains("progressToken");
        token && (token->is_string() || token->is_int64() || token->is_uint64())) {
      call->progress_token = *token;
    }
  }

  if (call->modern) {
    if (!is_modern_revision(call->version)) {
      json::array supported;
      for (auto v : modern_revisions()) supported.emplace_back(v);
      for (auto v : legacy_revisions()) supported.emplace_back(v);
      return fail(*call, {rpc_code::kUnsupportedProtocolVersion, "Unsupported protocol version",
                          json::object{{"supported", supported}, {"requested", call->version}}});
    }
    const json::value* caps = meta->if_contains(kMetaClientCapabilities);
    if (!caps || !caps->is_object()) {
      return fail(*call, RpcError::invalid_params(
                             "Missing required _meta field: " +
                             std::string(kMetaClientCapabilities)));
    }
    if (const json::value* level = meta->if_contains(kMetaLogLevel)) {
      auto parsed = level->is_string() ? parse_log_level(level->as_string()) : std::nullopt;
      if (!parsed) return fail(*call, RpcError::invalid_params("Invalid log level"));
      call->log_threshold = parsed;
    }
  } else if (call->version.empty() && m.method != "ping") {
    if (m.method == "server/discover" || m.method == "subscriptions/listen") {
      return fail(*call, RpcError::invalid_params("Missing required _meta field: " +
                                                  std::string(kMetaProtocolVersion)));
    }
    return fail(*call, {rpc_code::kInvalidRequest,
                        "Server not initialized: send initialize first (or declare " +
                            std::string(kMetaProtocolVersion) + " in _meta)",
                        nullptr});
  }

  if (m.method == "ping" && !call->modern) return finish(*call, json::object{});
  if (m.method == "subscriptions/listen" && call->modern) return listen(*call);
  if (!pool_->post([this, call] { run_call(call); })) {
    fail(*call, {rpc_code::kInternalError, "Server busy, retry later", nullptr});
  }
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
    out["resultType"] = "complete";
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
