// What a tool handler gets for one `tools/call`: its arguments, the request's cancel flag, a way to
// report progress and log lines, and `complete()` to finish. Handlers may keep the context and
// finish from any thread, later; the server sends exactly one response (none after cancellation).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/result.h"
#include "mcp/json_rpc.h"
#include "mcp/protocol.h"
#include "mcp/session_store.h"

namespace woolly::mcp {

struct ToolResult {
  json::array content;            // ContentBlock objects (text, image, audio, resource, ...)
  json::value structured_content;  // null = absent; must match the tool's outputSchema if any
  bool is_error = false;           // a tool execution error the model should see
  // 2026-07-28 multi round-trip: when set, the result is an InputRequiredResult; the client
  // answers each request (by key) and calls the tool again with `inputResponses`.
  json::object input_requests;
  std::string request_state;  // opaque to the client, echoed back on the retry

  static ToolResult text(std::string text);
  static ToolResult error(std::string message);
  static ToolResult input_required(json::object requests, std::string state = {});
  bool needs_input() const { return !input_requests.empty(); }
  json::object to_json() const;
};

using CancelFlag = std::shared_ptr<std::atomic<bool>>;
using ClientReply = std::function<void(Result<json::object>)>;

class ToolContext {
 public:
  // How a context reaches its request; the server provides these, tests may too.
  struct Hooks {
    std::function<void(json::object notification)> notify;  // request-scoped notification
    std::function<void(ToolResult)> finish;                  // called at most once
    std::function<void(std::string, json::object, ClientReply)> request;  // to the client
  };

  ToolContext(std::string tool_name, json::object arguments, json::value progress_token,
              std::optional<LogLevel> log_threshold, CancelFlag cancel, Hooks hooks);

  const std::string& tool_name() const { return tool_name_; }
  const json::object& arguments() const { return arguments_; }
  // On a multi round-trip retry: the client's answers (by request key) and the state echoed back.
  const json::object& input_responses() const { return input_responses_; }
  const std::string& request_state() const { return request_state_; }
  void set_retry(json::object input_responses, std::string request_state) {
    input_responses_ = std::move(input_responses);
    request_state_ = std::move(request_state);
  }
  // Who the transport authenticated for this call (net::Principal::detail, opaque to MCP: the
  // app's tools hand it to the model access, which charges that caller); null = nobody known.
  const std::shared_ptr<const void>& caller() const { return caller_; }
  void set_caller(std::shared_ptr<const void> caller) { caller_ = std::move(caller); }
  // The calling session's store; null when the call comes without a session (the REST mirror).
  SessionStore* session_store() const { return session_store_.get(); }
  void set_session_store(std::shared_ptr<SessionStore> store) { session_store_ = std::move(store); }
  bool cancelled() const { return cancel_->load(std::memory_order_relaxed); }
  // Shared with whatever does the work (an engine request, an upstream call) so it can stop.
  const CancelFlag& cancel_flag() const { return cancel_; }

  // Sends notifications/progress when the caller asked for it (a progressToken); progress must
  // increase, so a value not above the last one sent is dropped.
  void progress(double progress, std::optional<double> total = std::nullopt,
                std::string_view message = {});
  // Sends notifications/message when the level passes the session's/request's threshold.
  void log(LogLevel level, json::value data, std::string_view logger = {});
  // Asks the client something on behalf of this call (sampling/createMessage, elicitation/create,
  // roots/list; session revisions only). `done` runs exactly once, possibly on another thread:
  // with the client's result, its error, kUnsupported when the client did not declare the
  // capability, or kCancelled when the call or the session ends first.
  void request_client(std::string method, json::object params, ClientReply done);
  // Finishes the call. Later calls (and calls after cancellation) do nothing.
  void complete(ToolResult result);
  // Finishes with a tool execution error (isError: true) carrying `message`.
  void fail(std::string message) { complete(ToolResult::error(std::move(message))); }
  bool finished() const;

 private:
  std::string tool_name_;
  json::object arguments_;
  json::object input_responses_;
  std::string request_state_;
  std::shared_ptr<const void> caller_;
  json::value progress_token_;
  std::optional<LogLevel> log_threshold_;  // nullopt = logging off for this request
  CancelFlag cancel_;
  std::shared_ptr<SessionStore> session_store_;
  Hooks hooks_;
  mutable std::mutex mutex_;  // guards finished_ and last_progress_ (handlers call from any thread)
  bool finished_ = false;
  std::optional<double> last_progress_;
};

}  // namespace woolly::mcp
