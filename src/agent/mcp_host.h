// The MCP host: Woolly's connections to the MCP servers named in the configuration
// (mcp.servers). A stdio server is a child process in its own process group (mcp::StdioClient);
// an "http" server is a Streamable HTTP endpoint (mcp::transport::HttpClientConnection). Their
// tools are offered to models as "<server>__<tool>", filtered by the server's allow/deny lists.
//
//   McpHost host(config.mcp);
//   host.start();                       // before the models load; failures are logged, not fatal
//   auto tools = host.tools(filter);    // what a request may use
//   auto out = host.call("files__read_file", R"({"path":"/tmp/a"})", cancel);
//
// A server that exits (or, over HTTP, can no longer be reached), or stops answering (a timed-out
// call whose ping also fails), is logged,
// its tools are withdrawn at once, and a supervisor thread restarts it with exponential backoff;
// its tools come back when it answers again. stop() (and the destructor) kill every child's group.
// Threads: every public method may be called from any thread; call() blocks (never on I/O threads).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/object.hpp>

#include "agent/host_catalog.h"
#include "backends/backend.h"
#include "common/result.h"
#include "config/config.h"
#include "mcp/connection.h"

namespace woolly::agent {

inline constexpr std::string_view kToolSeparator = "__";

// Which host tools a request may use: nullopt = every tool. Entries are exact qualified names
// ("files__read_file"), a whole server ("files" or "files__*").
using ToolFilter = std::optional<std::vector<std::string>>;
bool tool_allowed(const ToolFilter& filter, const std::string& qualified);
// Both filters must allow a tool (a request's list inside an API key's list).
ToolFilter intersect(const ToolFilter& a, const ToolFilter& b);

struct HostTool {
  std::string qualified;  // <server>__<tool>
  std::string server;
  std::string name;        // the tool's own name on its server
  boost::json::object definition;  // as listed by the server (description, inputSchema, ...)
};

struct ToolOutcome {
  std::string text;       // the result as text for the model (truncated to the configured cap)
  bool is_error = false;  // the tool reported an error (isError) or the call failed
  bool truncated = false;
  boost::json::object raw;  // the tools/call result as received (empty when the call failed)
};

enum class ServerState { kStarting, kReady, kDown, kDisabled };
const char* server_state_name(ServerState s);

struct ServerStatus {
  std::string name;
  ServerState state = ServerState::kStarting;
  size_t tools = 0;
  int restarts = 0;     // successful restarts after a failure
  std::string last_error;
};

struct HostOptions {
  std::chrono::milliseconds restart_initial{500};
  std::chrono::milliseconds restart_max{30000};
  std::chrono::milliseconds supervise_interval{100};
  // initialize, tools/list and the liveness ping after a timed-out call
  std::chrono::milliseconds connect_timeout{15000};
  mcp::ClientOptions client;  // name/version/roots the host announces
};

class McpHost {
 public:
  explicit McpHost(config::McpConfig config, HostOptions options = {});
  ~McpHost();
  McpHost(const McpHost&) = delete;
  McpHost& operator=(const McpHost&) = delete;

  // Starts and initializes every enabled server (in parallel) and the supervisor. Returns when
  // each has answered or failed; failures are logged and retried in the background.
  void start();
  // Stops the supervisor and every server (each child's whole process group is killed).
  void stop();

  std::vector<HostTool> tools(const ToolFilter& filter = std::nullopt) const;
  // The same tools in the form chat requests carry them.
  std::vector<backends::Tool> backend_tools(const ToolFilter& filter = std::nullopt) const;

  // Calls a tool by qualified name with JSON-text arguments. Errors (unknown tool, server down,
  // timeout, cancelled) come back as an outcome with is_error and a message for the model;
  // `cancel` set by the caller is passed on to the server as notifications/cancelled.
  ToolOutcome call(const std::string& qualified, const std::string& arguments_json,
                   mcp::CancelFlag cancel = nullptr,
                   std::function<void(const boost::json::object&)> on_progress = {});

  // What the ready servers offer besides tools (listed when each connected), for the gateway.
  std::vector<HostResource> resources() const;
  std::vector<HostResource> resource_templates() const;
  std::vector<HostPrompt> prompts(const ToolFilter& filter = std::nullopt) const;
  // resources/read on `server`; prompts/get by qualified name (blocking, like call()).
  // kUnavailable when the server is not ready.
  Result<boost::json::object> read_resource(const std::string& server, const std::string& uri);
  Result<boost::json::object> get_prompt(const std::string& qualified,
                                         boost::json::object arguments);

  std::vector<ServerStatus> servers() const;
  // Runs (on the supervisor's or a caller's thread) whenever the set of tools changes. Replacing
  // the handler (or clearing it with {}) waits until runs in progress have returned; do not call it
  // from inside the handler.
  void on_tools_changed(std::function<void()> handler);

  static std::string result_text(const boost::json::object& result);

 private:
  struct Server;
  using ServerPtr = std::shared_ptr<Server>;

  std::shared_ptr<mcp::Connection> ready_connection(const std::string& server) const;
  void connect_server(const ServerPtr& s);  // launch + initialize + list tools; off the lock
  void mark_down(const ServerPtr& s, const std::string& why);
  void supervise();
  void notify_changed();

  config::McpConfig config_;
  HostOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, ServerPtr> servers_;
  // The change handler runs outside mutex_; replacing it waits for runs in progress, so that an
  // owner that clears it (Gateway's destructor) is never called afterwards.
  std::mutex handler_mutex_;  // guards the two below
  std::function<void()> changed_handler_;
  int handler_runs_ = 0;
  std::condition_variable handler_idle_;
  std::thread supervisor_;
  bool stopping_ = false;
};

}  // namespace woolly::agent
