// The MCP client core, used by the MCP host (the agent loop) to talk to servers Woolly launched or
// connected to. Transport-agnostic like the server: outgoing frames go to a MessageSink, incoming
// ones are fed to handle(), and the transport calls close() when the connection is gone.
// Calls block the calling thread (never an I/O thread) until the answer, a timeout, a
// cancellation or the end of the connection; a progress notification restarts the timeout.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "mcp/json_rpc.h"
#include "mcp/message_sink.h"
#include "mcp/protocol.h"
#include "mcp/tool_context.h"

namespace woolly::mcp {

struct ClientOptions {
  std::string name = "woolly";
  std::string version;  // empty = woolly::version()
  bool try_modern = true;  // probe with server/discover before falling back to initialize
  std::string legacy_version = std::string(kRev20251125);  // asked for in initialize
  std::chrono::milliseconds request_timeout{60000};  // idle time allowed between progress
  std::chrono::milliseconds max_total_timeout{600000};  // hard cap, progress or not
  std::chrono::milliseconds probe_timeout{5000};  // server/discover on a silent legacy server
  // Roots offered to servers (roots/list); empty = the capability is not declared.
  std::vector<std::pair<std::string, std::string>> roots;  // (uri, name)
  // Other server->client requests (sampling/createMessage, elicitation/create): the declared
  // capabilities and a handler. Without a handler they answer "method not found".
  json::object extra_capabilities;
  std::function<Result<json::object>(const std::string& method, const json::object& params)>
      request_handler;
};

struct CallOptions {
  std::optional<std::chrono::milliseconds> timeout;  // default: ClientOptions::request_timeout
  // Gets each notifications/progress params object, on the transport's reader thread: keep it short.
  std::function<void(const json::object& progress)> on_progress;
  CancelFlag cancel;  // set it to give up; the server is told with notifications/cancelled
};

struct ServerDescription {
  bool modern = false;           // 2026-07-28 per-request metadata, no session
  std::string protocol_version;  // the revision in use
  json::object capabilities;
  json::object server_info;
  std::string instructions;
};

class Client {
 public:
  Client(ClientOptions options, std::shared_ptr<MessageSink> out);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // --- the transport side ---
  void handle(std::string_view frame);
  // The connection ended: every waiting call fails with `why` and later calls fail at once.
  void close(Error why);
  // Whether request `id` still waits for its answer (a transport resuming a broken stream asks).
  bool pending(int64_t id) const;
  // Fails one waiting request: its answer cannot come (an HTTP error status, a stream that ended
  // without it). No-op when it is not waiting any more.
  void fail_request(int64_t id, Error why);

  // --- the caller side ---
  // Detects the server's era and performs the handshake (initialize + initialized for legacy).
  Result<ServerDescription> connect();
  const ServerDescription& server() const { return server_; }

  Result<json::object> request(std::string method, json::object params,
                               const CallOptions& options = {});
  Status notify(std::string method, json::object params = {});

  Result<std::vector<json::object>> list_tools();  // follows nextCursor to the end
  Result<json::object> call_tool(const std::string& name, json::object arguments,
                                 const CallOptions& options = {});
  Result<std::vector<json::object>> list_resources();
  Result<std::vector<json::object>> list_resource_templates();
  Result<json::object> read_resource(const std::string& uri);
  Result<std::vector<json::object>> list_prompts();
  Result<json::object> get_prompt(const std::string& name, json::object arguments);
  Status ping();

  // Server notifications other than progress (list_changed, message, resources/updated, ...).
  void on_notification(std::function<void(const Message&)> handler);

 private:
  struct Pending {
    std::condition_variable cv;
    bool done = false;
    Result<json::object> result = Error(Errc::kInternal, "no answer");
    std::chrono::steady_clock::time_point deadline;
    std::chrono::milliseconds idle{0};
    std::function<void(const json::object&)> on_progress;
  };

  Result<json::object> request_once(std::string method, json::object params,
                                    const CallOptions& options, bool add_meta,
                                    std::optional<std::chrono::milliseconds> timeout);
  Result<std::vector<json::object>> list_all(const std::string& method, const std::string& key);
  void answer_server_request(const Message& m);
  void send(const json::object& message);
  json::object modern_meta() const;

  ClientOptions options_;
  std::shared_ptr<MessageSink> out_;
  ServerDescription server_;  // written by connect() before concurrent use

  mutable std::mutex mutex_;  // guards pending_, next_id_, closed_, notification_handler_
  std::map<int64_t, std::shared_ptr<Pending>> pending_;
  int64_t next_id_ = 1;
  std::optional<Error> closed_;
  std::function<void(const Message&)> notification_handler_;
};

// Maps a JSON-RPC error received from a server to Woolly's error model for the caller.
Error from_rpc_error(const RpcError& error);

}  // namespace woolly::mcp
