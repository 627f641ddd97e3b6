// A Backend for the serving tests: it "generates" a known text one word per step on its own
// thread, so the tests can check the HTTP surfaces' shapes, streaming order, independence of
// parallel requests, cancellation within one step and the bounded queue, without a model.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "backends/backend.h"
#include "backends/detail/tool_call_stream.h"
#include "backends/tool_call_parser.h"

namespace woolly::api::testing {

class FakeBackend : public backends::Backend {
 public:
  std::chrono::milliseconds step{2};
  int max_in_flight = 64;       // beyond: kUnavailable, as the engine's full queue answers
  bool fail = false;            // every generation ends with kInternal
  std::atomic<int> in_flight{0};
  std::atomic<int> cancelled_runs{0};    // generations that saw the cancel flag
  std::atomic<int> words_emitted{0};
  // A context of this many "tokens" (words, plus 2 per message for the template), counted
  // exactly as count_prompt_tokens says; 0 = unknown, as for an upstream model.
  int context = 0;
  // When set, chats answer this text (one word per step) instead of the echo; with tools offered
  // it is streamed and parsed for tool calls the way the local backend does it.
  std::string scripted;

  ~FakeBackend() override {
    std::lock_guard lock(mu_);
    for (auto& t : threads_) t.join();
  }

  std::string type() const override { return "local"; }
  backends::Capabilities capabilities() const override { return {}; }
  Status health() override { return {}; }

  int context_length() const override { return context; }
  Result<int> count_prompt_tokens(const backends::ChatRequest& req) override {
    if (context == 0) return Error(Errc::kUnsupported, "the fake cannot count");
    int n = 0;
    for (const auto& m : req.messages) n += static_cast<int>(split(m.content).size()) + 2;
    return n;
  }

  // The messages of the latest chat request.
  std::vector<backends::Message> last_messages() {
    std::lock_guard lock(mu_);
    return last_messages_;
  }

  // The answer to a chat: "echo" followed by the words of the last message.
  static std::string answer_for(const std::string& last) { return "echo " + last; }

  void chat_async(backends::ChatRequest req, backends::StreamCallback on_event,
                  backends::DoneCallback<backends::ChatResponse> on_done) override {
    {
      std::lock_guard lock(mu_);
      last_messages_ = req.messages;
    }
    std::string text = !scripted.empty()
                           ? scripted
                           : answer_for(req.messages.empty() ? "" : req.messages.back().content);
    int prompt_tokens = 0;
    for (const auto& m : req.messages) prompt_tokens += static_cast<int>(split(m.content).size());
    std::shared_ptr<backends::detail::ToolCallStream> calls;
    const bool tools = !scripted.empty() && !req.tools.empty();
    if (tools && on_event) {
      calls = std::make_shared<backends::detail::ToolCallStream>(std::move(on_event));
      on_event = [calls](const backends::StreamEvent& ev) { calls->on_piece(ev); };
    }
    run(split(text), prompt_tokens, req.sampling, req.cancel, std::move(on_event),
        [on_done, model = req.model, calls, tools](Result<Outcome> r) {
          if (!r.ok()) return on_done(r.take_error());
          if (calls) calls->finish();
          backends::ChatResponse resp;
          resp.model = model;
          resp.message.role = "assistant";
          resp.message.content = r->text;
          resp.finish = r->finish;
          if (auto parsed = backends::answer_tool_calls(r->text);
              tools && !parsed.calls.empty()) {
            resp.message.content = parsed.content;
            resp.message.tool_calls = parsed.calls;
            resp.finish = backends::FinishReason::kToolCalls;
          }
          resp.usage = r->usage;
          resp.logprobs = r->logprobs;
          on_done(std::move(resp));
        });
  }

  void complete_async(backends::CompletionRequest req, backends::StreamCallback on_event,
                      backends::DoneCallback<backends::CompletionResponse> on_done) override {
    auto words = split(req.prompt);
    run(split(answer_for(req.prompt)), static_cast<int>(words.size()), req.sampling, req.cancel,
        std::move(on_event), [on_done, model = req.model](Result<Outcome> r) {
          if (!r.ok()) return on_done(r.take_error());
          backends::CompletionResponse resp;
          resp.model = model;
          resp.text = r->text;
          resp.finish = r->finish;
          resp.usage = r->usage;
          resp.logprobs = r->logprobs;
          on_done(std::move(resp));
        });
  }

  void embed_async(backends::EmbedRequest req,
                   backends::DoneCallback<backends::EmbedResponse> on_done) override {
    backends::EmbedResponse resp;
    resp.model = req.model;
    for (const auto& in : req.inputs) {
      resp.vectors.push_back({static_cast<float>(in.size()), 1.0f, -0.5f});
      resp.usage.prompt_tokens += static_cast<int>(split(in).size());
    }
    on_done(std::move(resp));
  }

 private:
  struct Outcome {
    std::string text;
    backends::FinishReason finish = backends::FinishReason::kStop;
    backends::Usage usage;
    std::vector<backends::TokenLogprob> logprobs;
  };

  static std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
      size_t j = s.find(' ', i);
      if (j == std::string::npos) j = s.size();
      if (j > i) out.push_back(s.substr(i, j - i));
      i = j + 1;
    }
    return out;
  }

  void run(std::vector<std::string> words, int prompt_tokens, backends::SamplingOptions sampling,
           backends::CancelToken cancel, backends::StreamCallback on_event,
           std::function<void(Result<Outcome>)> done) {
    if (in_flight.fetch_add(1) >= max_in_flight) {
      in_flight.fetch_sub(1);
      return done(Error(Errc::kUnavailable, "the generation queue is full"));
    }
    std::lock_guard lock(mu_);
    threads_.emplace_back([this, words = std::move(words), prompt_tokens, sampling, cancel,
                           on_event = std::move(on_event), done = std::move(done)] {
      Outcome out;
      out.usage.prompt_tokens = prompt_tokens;
      int limit = sampling.max_tokens.value_or(1000);
      bool was_cancelled = false;
      for (size_t i = 0; i < words.size(); ++i) {
        std::this_thread::sleep_for(step);
        if (cancel.cancelled()) {
          was_cancelled = true;
          break;
        }
        if (out.usage.completion_tokens == limit) {
          out.finish = backends::FinishReason::kLength;
          break;
        }
        backends::StreamEvent ev;
        ev.text = (i == 0 ? "" : " ") + words[i];
        if (sampling.logprobs) {
          backends::TokenLogprob lp{ev.text, -0.25f, {}};
          for (int k = 0; k < sampling.top_logprobs; ++k) lp.top.push_back({ev.text, -0.25f});
          ev.logprobs.push_back(lp);
          out.logprobs.push_back(lp);
        }
        out.text += ev.text;
        ++out.usage.completion_tokens;
        words_emitted.fetch_add(1);
        if (on_event) on_event(ev);
      }
      in_flight.fetch_sub(1);
      if (was_cancelled) {
        cancelled_runs.fetch_add(1);
        return done(Error(Errc::kCancelled, "cancelled"));
      }
      if (fail) return done(Error(Errc::kInternal, "the fake backend failed on purpose"));
      done(std::move(out));
    });
  }

  std::mutex mu_;  // guards threads_ and last_messages_
  std::vector<std::thread> threads_;
  std::vector<backends::Message> last_messages_;
};

}  // namespace woolly::api::testing
