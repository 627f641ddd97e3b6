// Chats that may use the MCP host's tools, for every serving surface. The tool loop
// (agent::run_tool_loop) blocks on model runs and tool calls, so the surfaces hand it to a
// ToolRunner, whose worker threads run it and answer through the callbacks (which write to the
// thread-safe Responder/StreamWriter or WsConnection).
//
//   auto tools = api::parse_mcp_tools(body, /*default_on=*/false);   // the request's "mcp_tools"
//   api::start_chat(*ctx, backend, std::move(request), api::allowed_tools(req, *tools),
//                   {on_event, on_tool_event, keep_alive, on_done});
#pragma once

#include <boost/json/object.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "agent/mcp_host.h"
#include "agent/tool_loop.h"
#include "backends/backend.h"
#include "common/result.h"
#include "net/http_types.h"

namespace woolly::api {

struct ServingContext;

using ToolEventCallback = std::function<void(const agent::ToolEvent&)>;

struct ChatCallbacks {
  backends::StreamCallback on_event;  // the model's text (tool-call fragments are not passed on)
  ToolEventCallback on_tool;          // tool_call_started / _finished / _failed
  // About once a second while tool calls run. A stream writes something here (an SSE comment):
  // a stream's server notices a client that went away only when a write fails, and that is what
  // cancels the loop and its calls.
  std::function<void()> keep_alive;
  backends::DoneCallback<backends::ChatResponse> on_done;
};

struct ToolRunnerOptions {
  int workers = 16;       // loops running at once (each mostly waits on a model or a tool)
  size_t max_queue = 64;  // loops waiting for a worker before new ones get 503
  int max_rounds = 8;     // mcp.max_tool_rounds
};

class ToolRunner {
 public:
  ToolRunner(std::shared_ptr<agent::McpHost> host, ToolRunnerOptions options);
  // Answers queued loops with kUnavailable, cancels the running ones (after the drain, only
  // those whose clients outlived it) and waits for them.
  ~ToolRunner();
  ToolRunner(const ToolRunner&) = delete;
  ToolRunner& operator=(const ToolRunner&) = delete;

  agent::McpHost& host() { return *host_; }
  // What the destructor does, for serve to call after the drain and before the net::Server goes:
  // the loops' callbacks hold connections (a WebSocket session must go before its server).
  void stop();

  // Queues one loop. on_event (the model's text, every round), on_tool and keep_alive run zero
  // or more times, then on_done exactly once, all on a worker thread and one at a time; a full
  // queue calls on_done with kUnavailable on the caller's thread.
  void run(std::shared_ptr<backends::Backend> backend, backends::ChatRequest request,
           agent::ToolFilter filter, ChatCallbacks callbacks);

 private:
  void work();

  std::shared_ptr<agent::McpHost> host_;
  ToolRunnerOptions options_;
  std::mutex mu_;  // guards queue_ and stopping_
  std::condition_variable wake_;
  std::deque<std::function<void(bool run)>> queue_;  // run=false: answer "shutting down"
  std::map<uint64_t, backends::CancelToken> running_;  // cancelled when the runner goes
  uint64_t next_id_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

// The request's "mcp_tools": absent or null -> `default_on`; false -> no MCP tools (nullopt);
// true -> every tool (a ToolFilter of nullopt); ["files", "web__search", "files__*"] -> those.
// kInvalidArgument naming the field for anything else.
Result<std::optional<agent::ToolFilter>> parse_mcp_tools(const boost::json::object& o,
                                                         bool default_on);

// The request's choice inside what its API key may use (Identity::allowed_tools; empty = all).
// Unauthenticated requests and config keys have no list of their own.
std::optional<agent::ToolFilter> allowed_tools(const net::Request& req,
                                               std::optional<agent::ToolFilter> requested);

// {"round","id","name","arguments","ms","error"?}: the data of the tool_call_* events.
boost::json::object tool_event_json(const agent::ToolEvent& e);

// Runs the chat through the tool loop when `tools` is set and the server has MCP servers
// (ctx.tools); otherwise a plain chat_async with the same callbacks (on_tool never runs). In the
// loop the model's tool-call fragments are not streamed: they are Woolly's calls, shown by the
// tool events instead.
void start_chat(const ServingContext& ctx, std::shared_ptr<backends::Backend> backend,
                backends::ChatRequest request, const std::optional<agent::ToolFilter>& tools,
                ChatCallbacks callbacks);

}  // namespace woolly::api
