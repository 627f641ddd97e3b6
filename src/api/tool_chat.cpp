#include "api/tool_chat.h"

#include <algorithm>
#include <chrono>
#include <boost/json/value.hpp>

#include "api/auth_routes.h"
#include "api/detail/call_text_filter.h"
#include "api/serving.h"

namespace woolly::api {
namespace json = boost::json;

ToolRunner::ToolRunner(std::shared_ptr<agent::McpHost> host, ToolRunnerOptions options)
    : host_(std::move(host)), options_(options) {
  for (int i = 0; i < std::max(1, options_.workers); ++i) workers_.emplace_back([this] { work(); });
}

ToolRunner::~ToolRunner() { stop(); }

void ToolRunner::stop() {
  std::deque<std::function<void(bool)>> left;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    left.swap(queue_);
    for (auto& [_, token] : running_) token.cancel();
  }
  wake_.notify_all();
  for (auto& job : left) job(false);
  for (auto& t : workers_)
    if (t.joinable()) t.join();
}

void ToolRunner::work() {
  for (;;) {
    std::function<void(bool)> job;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job(true);
  }
}

void ToolRunner::run(std::shared_ptr<backends::Backend> backend, backends::ChatRequest request,
                     agent::ToolFilter filter, ChatCallbacks cb) {
  auto on_done = cb.on_done;
  auto job = [this, backend = std::move(backend), request = std::move(request),
              filter = std::move(filter), cb = std::move(cb)](bool run) mutable {
    if (!run) return cb.on_done(Error(Errc::kUnavailable, "the server is shutting down"));
    uint64_t id;
    {
      std::lock_guard lock(mu_);
      id = next_id_++;
      running_.emplace(id, request.cancel);
    }
    agent::LoopOptions o;
    o.max_rounds = options_.max_rounds;
    // Calls written into the text (local models) are shown as tool events, not as text; without
    // tools on offer nothing in the text is a call.
    std::shared_ptr<detail::CallTextFilter> calls_in_text;
    if (cb.on_event && !host_->tools(filter).empty())
      calls_in_text = std::make_shared<detail::CallTextFilter>();
    o.filter = std::move(filter);
    auto show = [on_event = cb.on_event](std::string text) {
      if (text.empty()) return;
      backends::StreamEvent ev;
      ev.text = std::move(text);
      on_event(ev);
    };
    o.on_tool_event = [on_tool = std::move(cb.on_tool), calls_in_text, show,
                       round = 0](const agent::ToolEvent& e) mutable {
      if (calls_in_text && e.round != round) show(calls_in_text->end_round());
      round = e.round;
      if (on_tool) on_tool(e);
    };
    if (cb.on_event) {
      // Tool-call fragments belong to the calls Woolly runs; the tool events report those.
      o.on_event = [on_event = cb.on_event, calls_in_text](const backends::StreamEvent& ev) {
        if (ev.kind != backends::StreamEvent::Kind::kText) return;
        if (!calls_in_text) return on_event(ev);
        std::string shown = calls_in_text->feed(ev.text);
        if (shown == ev.text) return on_event(ev);
        if (shown.empty()) return;
        backends::StreamEvent cut;  // logprobs no longer line up with the text: left out
        cut.text = std::move(shown);
        on_event(cut);
      };
    }
    if (cb.keep_alive) {
      o.on_wait = [keep_alive = std::move(cb.keep_alive),
                   next = std::chrono::steady_clock::now()]() mutable {
        auto now = std::chrono::steady_clock::now();
        if (now < next) return;
        next = now + std::chrono::seconds(1);
        keep_alive();
      };
    }
    auto r = agent::run_tool_loop(*backend, std::move(request), *host_, o);
    {
      std::lock_guard lock(mu_);
      running_.erase(id);
    }
    if (!r.ok()) return cb.on_done(r.take_error());
    if (calls_in_text) show(calls_in_text->end_round());
    cb.on_done(std::move(r->response));
  };
  {
    std::lock_guard lock(mu_);
    if (!stopping_ && queue_.size() < options_.max_queue) {
      queue_.push_back(std::move(job));
      wake_.notify_one();
      return;
    }
  }
  on_done(Error(Errc::kUnavailable, "too many tool-using chats are waiting; retry shortly"));
}

Result<std::optional<agent::ToolFilter>> parse_mcp_tools(const json::object& o, bool default_on) {
  const json::value* v = o.if_contains("mcp_tools");
  if (!v || v->is_null()) {
    if (!default_on) return std::optional<agent::ToolFilter>();
    return std::optional<agent::ToolFilter>(agent::ToolFilter());
  }
  if (v->is_bool()) {
    if (!v->get_bool()) return std::optional<agent::ToolFilter>();
    return std::optional<agent::ToolFilter>(agent::ToolFilter());
  }
  if (v->is_array()) {
    std::vector<std::string> names;
    for (const auto& e : v->get_array()) {
      if (!e.is_string() || e.get_string().empty())
        return Error(Errc::kInvalidArgument,
                     "'mcp_tools' entries must be tool or server names (\"files__read_file\", "
                     "\"files\")");
      names.emplace_back(e.get_string());
    }
    return std::optional<agent::ToolFilter>(agent::ToolFilter(std::move(names)));
  }
  return Error(Errc::kInvalidArgument,
               "'mcp_tools' must be true, false or a list of tool or server names");
}

std::optional<agent::ToolFilter> allowed_tools(const net::Request& req,
                                               std::optional<agent::ToolFilter> requested) {
  if (!requested) return requested;
  auto who = identity_of(req);
  if (!who || who->allowed_tools.empty()) return requested;
  return agent::intersect(*requested, agent::ToolFilter(who->allowed_tools));
}

json::object tool_event_json(const agent::ToolEvent& e) {
  json::object o{{"round", e.round}, {"id", e.id}, {"name", e.name}, {"arguments", e.arguments}};
  if (e.kind != agent::ToolEvent::Kind::kStarted) o["ms"] = e.ms;
  if (e.kind == agent::ToolEvent::Kind::kFailed) o["error"] = e.error;
  return o;
}

void start_chat(const ServingContext& ctx, std::shared_ptr<backends::Backend> backend,
                backends::ChatRequest request, const std::optional<agent::ToolFilter>& tools,
                ChatCallbacks callbacks) {
  if (tools && ctx.tools) {
    return ctx.tools->run(std::move(backend), std::move(request), *tools, std::move(callbacks));
  }
  backend->chat_async(std::move(request), std::move(callbacks.on_event),
                      std::move(callbacks.on_done));
}

}  // namespace woolly::api
