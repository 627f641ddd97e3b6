#include "mcp/tool_context.h"

namespace woolly::mcp {

ToolResult ToolResult::text(std::string text) {
  ToolResult r;
  r.content.push_back(json::object{{"type", "text"}, {"text", std::move(text)}});
  return r;
}

ToolResult ToolResult::error(std::string message) {
  ToolResult r = text(std::move(message));
  r.is_error = true;
  return r;
}

ToolResult ToolResult::input_required(json::object requests, std::string state) {
  ToolResult r;
  r.input_requests = std::move(requests);
  r.request_state = std::move(state);
  return r;
}

json::object ToolResult::to_json() const {
  json::object o;
  if (needs_input()) {
    o["resultType"] = "input_required";
    o["inputRequests"] = input_requests;
    if (!request_state.empty()) o["requestState"] = request_state;
    return o;
  }
  o["content"] = content;
  if (!structured_content.is_null()) o["structuredContent"] = structured_content;
  if (is_error) o["isError"] = true;
  return o;
}

namespace {

// Whole numbers go out as JSON integers ("50", not "5E1"): some clients compare them as such.
json::value number(double v) {
  if (v == static_cast<double>(static_cast<int64_t>(v))) return static_cast<int64_t>(v);
  return v;
}

}  // namespace

ToolContext::ToolContext(std::string tool_name, json::object arguments, json::value progress_token,
                         std::optional<LogLevel> log_threshold, CancelFlag cancel, Hooks hooks)
    : tool_name_(std::move(tool_name)),
      arguments_(std::move(arguments)),
      progress_token_(std::move(progress_token)),
      log_threshold_(log_threshold),
      cancel_(cancel ? std::move(cancel) : std::make_shared<std::atomic<bool>>(false)),
      hooks_(std::move(hooks)) {}

void ToolContext::progress(double progress, std::optional<double> total,
                           std::string_view message) {
  if (progress_token_.is_null() || cancelled()) return;
  {
    std::lock_guard lock(mutex_);
    if (finished_ || (last_progress_ && progress <= *last_progress_)) return;
    last_progress_ = progress;
  }
  json::object params;
  params["progressToken"] = progress_token_;
  params["progress"] = number(progress);
  if (total) params["total"] = number(*total);
  if (!message.empty()) params["message"] = message;
  if (hooks_.notify) hooks_.notify(make_notification("notifications/progress", std::move(params)));
}

void ToolContext::log(LogLevel level, json::value data, std::string_view logger) {
  if (!log_threshold_ || level < *log_threshold_ || finished()) return;
  json::object params;
  params["level"] = log_level_name(level);
  if (!logger.empty()) params["logger"] = logger;
  params["data"] = std::move(data);
  if (hooks_.notify) hooks_.notify(make_notification("notifications/message", std::move(params)));
}

void ToolContext::request_client(std::string method, json::object params, ClientReply done) {
  if (cancelled() || finished()) return done(make_error(Errc::kCancelled, "tool call is over"));
  if (!hooks_.request) return done(make_error(Errc::kUnsupported, "no client to ask"));
  hooks_.request(std::move(method), std::move(params), std::move(done));
}

void ToolContext::complete(ToolResult result) {
  {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    finished_ = true;
  }
  // After cancellation the server drops the response; it still learns the call is over.
  if (hooks_.finish) hooks_.finish(std::move(result));
}

bool ToolContext::finished() const {
  std::lock_guard lock(mutex_);
  return finished_;
}

}  // namespace woolly::mcp
