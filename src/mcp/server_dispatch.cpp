// Request intake: parsing a frame, batches, notifications, and choosing the era and revision each
// request is served under before it goes to a worker.
#include <boost/json/serialize.hpp>

#include "mcp/detail/worker_pool.h"
#include "mcp/server.h"

namespace woolly::mcp {

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

void Server::handle(SessionId session, std::string_view frame) {
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(session);
    if (it == sessions_.end()) return;
    it->second.metrics->in->inc();
  }
  ParsedPayload payload = parse_payload(frame);
  auto send_raw = [this, session](const json::value& v) {
    std::shared_ptr<MessageSink> sink;
    {
      std::lock_guard lock(mutex_);
      auto it = sessions_.find(session);
      if (it == sessions_.end()) return;
      sink = it->second.sink;
    }
    count_errors(session, v);
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
      dispatch(session, item.message);
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
      dispatch(session, item.message);
    }
  }
}

void Server::handle_message(SessionId session, const Message& m) {
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(session);
    if (it == sessions_.end()) return;
    it->second.metrics->in->inc();
  }
  dispatch(session, m);
}

void Server::dispatch(SessionId session, const Message& m) {
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
  std::optional<std::string> declared = declared_protocol_version(m.params);
  if (m.method == "initialize" && !(declared && is_modern_revision(*declared))) {
    json::object result = initialize(session, m, error);
    if (error) return fail(*call, *error);
    return call->reply(make_result(m.id, std::move(result)));
  }

  const json::object* meta = meta_of(m.params);
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(session);
    if (it == sessions_.end()) return;
    Session& s = it->second;
    call->caller = s.caller;
    if (declared) {
      call->modern = true;
      call->version = *declared;
    } else if (s.info.initialized) {
      call->version = s.info.protocol_version;
      call->log_threshold = s.log_level;
      call->client_capabilities = s.info.client_capabilities;
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
    call->client_capabilities = caps->as_object();
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

}  // namespace woolly::mcp
