// The MCP server core, transport-agnostic: a transport opens a session per connection (or per
// stdio process, or per Streamable HTTP session), feeds it frames with handle(), and receives
// every outgoing message through the session's MessageSink. It serves the session-ful revisions
// (2025-03-26, 2025-06-18, 2025-11-25: initialize handshake) and the stateless 2026-07-28
// (protocol fields in each request's `_meta`) side by side, choosing per request as the spec's
// dual-era rules say.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>

#include "mcp/json_rpc.h"
#include "mcp/message_sink.h"
#include "mcp/prompt_registry.h"
#include "mcp/protocol.h"
#include "mcp/resource_registry.h"
#include "mcp/server_stats.h"
#include "mcp/tool_registry.h"
#include "obs/metrics/registry.h"

namespace woolly::mcp {

namespace detail {
class WorkerPool;
}

struct ServerOptions {
  std::string name = "woolly";
  std::string title;
  std::string version;  // empty = woolly::version()
  std::string instructions;
  size_t page_size = 50;     // items per tools/resources/prompts list page
  int64_t list_ttl_ms = 0;   // 2026-07-28 cache hint on list results (0: revalidate every time)
  size_t workers = 4;        // threads running requests
  size_t max_queue = 256;    // requests waiting for a worker before "server busy"
  // Where the woolly_mcp_* metrics go (the process registry behind /metrics); null = a registry
  // of the server's own, still read by stats(). Must outlive the server.
  obs::Registry* metrics = nullptr;
};

using SessionId = uint64_t;

struct SessionInfo {
  bool initialized = false;      // a legacy initialize was answered
  std::string protocol_version;  // negotiated legacy revision ("" before initialize)
  json::object client_info;
  json::object client_capabilities;
};

class Server {
 public:
  Server(ServerOptions options, std::shared_ptr<ToolRegistry> tools,
         std::shared_ptr<ResourceRegistry> resources, std::shared_ptr<PromptRegistry> prompts);
  ~Server();  // cancels running requests and waits for the workers
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // `caller` is who the transport authenticated for this session (net::Principal::detail), opaque
  // here; tool handlers see it as ToolContext::caller(). Null = nobody known (stdio).
  // `transport` names the connection kind in stats() and the metrics ("websocket", "http",
  // "stdio", ...).
  SessionId open_session(std::shared_ptr<MessageSink> sink,
                         std::shared_ptr<const void> caller = nullptr,
                         std::string_view transport = "other");
  // Cancels the session's running requests; nothing more is sent to its sink.
  void close_session(SessionId session);

  // One transport frame: a message or (where the revision allows) a batch. Returns at once;
  // requests run on the server's workers and answer through the sink.
  void handle(SessionId session, std::string_view frame);
  void handle_message(SessionId session, const Message& message);

  std::optional<SessionInfo> session_info(SessionId session) const;
  // Connections, messages and errors by transport; tool calls by tool and status.
  McpStats stats() const;
  // Waits until the session has no request running (subscriptions aside), up to `timeout`;
  // lets stdio answer what it already read before the process exits.
  bool wait_idle(SessionId session, std::chrono::milliseconds timeout) const;

  // Session-wide log line (notifications/message) to legacy sessions whose level admits it.
  void log(LogLevel level, json::value data, std::string_view logger = {});
  // Ends every subscriptions/listen stream gracefully (its final result), e.g. before shutdown.
  void end_subscriptions();
  // notifications/resources/updated to sessions subscribed to `uri`.
  void notify_resource_updated(std::string_view uri);

  ToolRegistry& tools() { return *tools_; }
  ResourceRegistry& resources() { return *resources_; }
  PromptRegistry& prompts() { return *prompts_; }
  const ServerOptions& options() const { return options_; }

 private:
  struct Subscription {
    json::value id;  // the subscriptions/listen request id, tags every notification
    bool tools = false, prompts = false, resources = false;
    std::set<std::string> uris;
  };
  struct Outgoing {
    std::string call_key;  // the tools/call it serves; its cancellation fails this request
    ClientReply done;
  };
  // The metric children of one transport, looked up once (server_stats.cpp).
  struct TransportMetrics {
    obs::Gauge* open = nullptr;
    obs::Counter* total = nullptr;
    obs::Counter* in = nullptr;
    obs::Counter* out = nullptr;
    obs::Counter* errors = nullptr;
  };
  struct Session {
    std::shared_ptr<MessageSink> sink;  // counts what it sends into `metrics`
    std::shared_ptr<const void> caller;  // see open_session
    TransportMetrics* metrics = nullptr;
    SessionInfo info;
    bool ready = false;  // notifications/initialized received
    LogLevel log_level = LogLevel::kDebug;
    std::set<std::string> resource_subscriptions;     // legacy resources/subscribe
    std::map<std::string, Subscription> subscriptions;  // modern, by serialized request id
    std::map<std::string, CancelFlag> running;         // by serialized request id
    std::map<std::string, Outgoing> outgoing;          // our requests to the client, by id
    std::shared_ptr<SessionStore> store = std::make_shared<SessionStore>();  // tools' state
  };
  // Everything a method handler needs to know about the request it is answering.
  struct Call {
    SessionId session = 0;
    json::value id;
    std::string method;
    json::object params;
    std::string version;  // the protocol revision this request is served under
    bool modern = false;
    std::optional<LogLevel> log_threshold;
    json::value progress_token;
    json::object client_capabilities;  // from `_meta` (stateless) or initialize (session)
    CancelFlag cancel;
    std::shared_ptr<const void> caller;        // the session's (open_session)
    std::function<void(json::object)> reply;  // sends (or batches) the response
  };
  using Reply = std::function<void(json::object)>;

  void dispatch(SessionId session, const Message& m);  // one message, already counted
  void handle_request(SessionId session, const Message& m, Reply reply);
  void handle_notification(SessionId session, const Message& m);
  void run_call(std::shared_ptr<Call> call);
  void finish(const Call& call, Result<json::object> result);
  void fail(const Call& call, const RpcError& error);
  void send(SessionId session, const json::object& message, const json::value& related);
  void request_client(const Call& call, std::string method, json::object params,
                      ClientReply done);
  void take_response(SessionId session, const Message& m);
  static void fail_outgoing(std::vector<ClientReply> replies, const char* why);
  void broadcast_list_changed(std::string_view method, bool Subscription::*flag);

  json::object initialize(SessionId session, const Message& m, std::optional<RpcError>& error);
  json::object capabilities() const;
  json::object server_info() const;

  // Method handlers (server_methods.cpp); a returned error becomes a JSON-RPC error.
  Result<json::object> list_tools(const Call& call);
  void call_tool(std::shared_ptr<Call> call);
  Result<json::object> list_resources(const Call& call);
  Result<json::object> list_resource_templates(const Call& call);
  Result<json::object> read_resource(const Call& call);
  Result<json::object> subscribe_resource(const Call& call, bool subscribe);
  Result<json::object> list_prompts(const Call& call);
  Result<json::object> get_prompt(const Call& call);
  Result<json::object> complete(const Call& call);
  Result<json::object> set_log_level(const Call& call);
  Result<json::object> discover(const Call& call);
  void listen(const Call& call);

  TransportMetrics* transport_metrics(std::string_view transport);  // call under mutex_
  void count_errors(SessionId session, const json::value& sent);
  void count_tool_call(std::string_view tool, std::string_view status);

  ServerOptions options_;
  obs::Registry own_metrics_;  // used when options_.metrics is null
  obs::Registry& metrics_;
  std::map<std::string, TransportMetrics, std::less<>> transport_metrics_;  // under mutex_
  std::shared_ptr<ToolRegistry> tools_;
  std::shared_ptr<ResourceRegistry> resources_;
  std::shared_ptr<PromptRegistry> prompts_;
  int tools_sub_ = 0, resources_sub_ = 0, prompts_sub_ = 0;

  mutable std::mutex mutex_;  // guards sessions_, next_session_, next_outgoing_, transport_metrics_
  std::map<SessionId, Session> sessions_;
  SessionId next_session_ = 1;
  uint64_t next_outgoing_ = 1;  // ids of server-to-client requests
  // Tool handlers may finish from their own threads after the server is gone; their hooks hold
  // this and reach the server only while `alive` is true (shared lock), which the destructor
  // clears under the exclusive lock.
  struct Lifeline {
    std::shared_mutex mutex;
    bool alive = true;
  };
  std::shared_ptr<Lifeline> lifeline_ = std::make_shared<Lifeline>();
  std::unique_ptr<detail::WorkerPool> pool_;  // last: destroyed first, while the rest is alive
};

// Key for maps of request ids: the id's JSON text, so 1 and "1" stay distinct.
std::string id_key(const json::value& id);

}  // namespace woolly::mcp
