#include "agent/tool_loop.h"

#include <chrono>
#include <future>
#include <set>

#include "obs/log/log.h"

namespace woolly::agent {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

struct Pending {
  backends::ToolCall call;
  std::string error;  // malformed: not executed
  std::future<ToolOutcome> result;
  Clock::time_point started;
};

}  // namespace

const char* tool_event_name(ToolEvent::Kind kind) {
  switch (kind) {
    case ToolEvent::Kind::kStarted: return "tool_call_started";
    case ToolEvent::Kind::kFinished: return "tool_call_finished";
    case ToolEvent::Kind::kFailed: return "tool_call_failed";
  }
  return "tool_call";
}

Result<LoopResult> run_tool_loop(backends::Backend& backend, backends::ChatRequest request,
                                 McpHost& host, const LoopOptions& options) {
  LoopResult out;
  const std::vector<backends::Tool> own_tools = request.tools;  // the client's, kept each round
  std::set<std::string> used_ids;
  backends::Usage usage;
  auto emit = [&](const ToolEvent& e) {
    if (options.on_tool_event) options.on_tool_event(e);
  };

  for (int round = 1;; ++round) {
    // After the last allowed round of tools the model must answer with what it has.
    bool last = round > options.max_rounds;
    // Offered afresh each round: a crashed server's tools are withdrawn, a restarted one's back.
    std::vector<std::string> names;
    request.tools = own_tools;
    for (auto& t : host.backend_tools(options.filter)) {
      names.push_back(t.name);
      request.tools.push_back(std::move(t));
    }
    if (last) {
      request.tools.clear();
      request.tool_choice = {backends::ToolChoiceMode::kNone, {}};
    }
    auto r = backend.chat(request, options.on_event);
    if (!r.ok()) return r.take_error();
    ++out.rounds;
    usage.prompt_tokens += r->usage.prompt_tokens;
    usage.completion_tokens += r->usage.completion_tokens;

    std::vector<backends::ParsedCall> calls;
    std::string content = r->message.content;
    if (!r->message.tool_calls.empty()) {
      for (auto& c : r->message.tool_calls) calls.push_back({c, {}, {}});
    } else if (!last && !names.empty()) {
      backends::ParsedAnswer parsed =
          backends::parse_tool_calls(r->message.content, options.format, names);
      if (!parsed.calls.empty()) {
        calls = std::move(parsed.calls);
        content = std::move(parsed.content);
      }
    }
    if (calls.empty() || last) {
      out.response = std::move(*r);
      out.response.usage = usage;
      if (out.response.finish == backends::FinishReason::kToolCalls)
        out.response.finish = backends::FinishReason::kStop;
      return out;
    }

    backends::Message assistant;
    assistant.role = "assistant";
    assistant.content = content;
    std::vector<Pending> pending;
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    for (size_t i = 0; i < calls.size(); ++i) {
      Pending p;
      p.call = std::move(calls[i].call);
      p.error = std::move(calls[i].error);
      if (p.call.id.empty() || used_ids.count(p.call.id))
        p.call.id = "call_" + std::to_string(round) + "_" + std::to_string(i);
      used_ids.insert(p.call.id);
      if (p.call.name.empty()) p.call.name = "invalid_tool_call";
      if (p.call.arguments.empty()) p.call.arguments = "{}";
      if (p.error.empty() && !tool_allowed(options.filter, p.call.name))
        p.error = "the tool " + p.call.name + " is not offered to this request";
      assistant.tool_calls.push_back(p.call);
      p.started = Clock::now();
      emit({ToolEvent::Kind::kStarted, round, p.call.id, p.call.name, p.call.arguments, 0, {}});
      if (p.error.empty()) {
        // Independent calls run in parallel; each blocks on its server's answer.
        p.result = std::async(std::launch::async, [&host, call = p.call, cancel] {
          return host.call(call.name, call.arguments, cancel);
        });
      }
      pending.push_back(std::move(p));
    }
    out.transcript.push_back(assistant);
    request.messages.push_back(std::move(assistant));

    for (auto& p : pending) {
      backends::Message tool_msg;
      tool_msg.role = "tool";
      tool_msg.tool_call_id = p.call.id;
      tool_msg.name = p.call.name;
      ToolOutcome outcome;
      if (!p.error.empty()) {
        outcome.is_error = true;
        outcome.text = "Error: " + p.error + ". Write the call again as valid JSON with \"name\" "
                       "and \"arguments\".";
      } else {
        // Wait in short steps so a client that goes away cancels the calls promptly.
        while (p.result.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
          if (options.on_wait) options.on_wait();
          if (request.cancel.cancelled()) cancel->store(true);
        }
        outcome = p.result.get();
      }
      ++out.tool_calls;
      ToolEvent done{outcome.is_error ? ToolEvent::Kind::kFailed : ToolEvent::Kind::kFinished,
                     round, p.call.id, p.call.name, p.call.arguments, ms_since(p.started), {}};
      if (outcome.is_error) done.error = outcome.text;
      emit(done);
      tool_msg.content = std::move(outcome.text);
      out.transcript.push_back(tool_msg);
      request.messages.push_back(std::move(tool_msg));
    }
    if (request.cancel.cancelled()) return Error(Errc::kCancelled, "the client went away");
  }
}

}  // namespace woolly::agent
