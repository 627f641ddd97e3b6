#include "api/detail/metered_backend.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>

#include "obs/metrics/registry.h"
#include "store/store.h"

namespace woolly::api::detail {
namespace {

using backends::StreamEvent;

// Chat templates wrap every message in role markers ("<|im_start|>user\n" ... "<|im_end|>\n" is
// five tokens in ChatML); reserving eight per message, plus one for the assistant's opening,
// keeps the estimate above what the templates we know add.
constexpr int64_t kTemplateTokensPerMessage = 8;

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// What one metered call shares between its steps (pool -> backend thread -> pool).
struct Call {
  MeterPlan plan;
  std::shared_ptr<const Metering> metering;
  int64_t started_us = now_us();
  int64_t prompt_tokens = 0;         // counted before the reservation
  std::atomic<int64_t> streamed{0};  // text pieces already sent: what a failure still costs
  limits::Ticket ticket;

  int64_t latency_ms() const { return (now_us() - started_us) / 1000; }
};

void count_metrics(const MeteringOptions& o, const store::UsageRecord& rec) {
  if (!o.metrics) return;
  auto& tokens = o.metrics->counter("woolly_usage_tokens_total",
                                    "Tokens metered, by model and kind (prompt, completion)",
                                    {"model", "kind"});
  tokens.with({rec.model, "prompt"}).inc(static_cast<double>(rec.prompt_tokens));
  tokens.with({rec.model, "completion"}).inc(static_cast<double>(rec.completion_tokens));
  o.metrics->counter("woolly_credits_spent_total", "Credits charged, by model", {"model"})
      .with({rec.model})
      .inc(static_cast<double>(rec.cost) / 1e6);
  o.metrics
      ->counter("woolly_metered_requests_total",
                "Metered requests, by model and status (ok or the error's name)",
                {"model", "status"})
      .with({rec.model, rec.status})
      .inc();
}

// On the pool: the usage record of a request that never ran (no credits, token bucket, client
// gone while it waited for the pool).
void record_refusal(Call& call, const Error& why) {
  const MeteringOptions& o = call.metering->options();
  limits::Ticket t;
  t.payer = call.plan.payer;
  t.model = call.plan.model;
  t.backend = call.plan.backend;
  auto rec =
      call.metering->credits().finish(t, {}, call.latency_ms(), std::string(errc_name(why.code)));
  if (!rec.ok()) {
    spdlog::error("metering: usage record of a refused request not written: {}",
                  rec.error().message);
    return;
  }
  count_metrics(o, *rec);
}

// On the pool: kRateLimited when the principal's tokens bucket is below zero (earlier requests
// used more than the minute allows); it is charged after each request with what it used.
Status check_token_bucket(const Call& call) {
  const MeteringOptions& o = call.metering->options();
  if (!o.limiter || call.plan.tokens_per_minute <= 0) return {};
  limits::BucketSpec spec{call.plan.tokens_per_minute, call.plan.tokens_per_minute};
  WOOLLY_ASSIGN_OR_RETURN(limits::Decision d, o.limiter->take(call.plan.bucket_key, spec, 0));
  if (d.allowed) return {};
  return make_error(Errc::kRateLimited, "token limit of " + std::to_string(d.limit) +
                                            " tokens per minute used up; retry after " +
                                            std::to_string(d.retry_after_s) + " s");
}

// On the pool: charge, usage record, tokens bucket, metrics. Failures are logged: the work is
// done and its answer is delivered anyway.
void settle(Call& call, const limits::UsageCounts& usage, const std::string& status) {
  const MeteringOptions& o = call.metering->options();
  auto rec = call.metering->credits().finish(call.ticket, usage, call.latency_ms(), status);
  if (!rec.ok()) {
    spdlog::error("metering: charge for model '{}' not recorded: {}", call.plan.model,
                  rec.error().message);
  } else {
    count_metrics(o, *rec);
  }
  if (o.limiter && call.plan.tokens_per_minute > 0) {
    limits::BucketSpec spec{call.plan.tokens_per_minute, call.plan.tokens_per_minute};
    auto d = o.limiter->charge(call.plan.bucket_key, spec,
                               usage.prompt_tokens + usage.completion_tokens);
    if (!d.ok()) spdlog::warn("metering: tokens bucket not charged: {}", d.error().message);
  }
}

// What a finished call is charged: its usage when it succeeded; after a failure or cancellation,
// the prompt and the pieces already streamed if it produced anything (a request refused before
// it ran, e.g. by a full queue, costs nothing).
template <typename Response>
limits::UsageCounts usage_of(const Call& call, const Result<Response>& r) {
  if (r.ok()) return {r->usage.prompt_tokens, r->usage.completion_tokens};
  int64_t streamed = call.streamed.load();
  if (streamed == 0 && r.error().code != Errc::kCancelled) return {};
  return {call.prompt_tokens, streamed};
}

std::string chat_text(const backends::ChatRequest& r) {
  std::string text;
  for (const auto& m : r.messages) {
    text += m.content;
    for (const auto& c : m.tool_calls) text += c.name + c.arguments;
  }
  for (const auto& t : r.tools) text += t.name + t.description + t.parameters_json;
  return text;
}

// Prompt tokens of `text` by the model's tokenizer; upstream models (no tokenizer here) count one
// token per byte, which no tokenizer exceeds, so the reservation stays an upper bound.
int64_t count_tokens(backends::Backend& backend, const std::string& model,
                     const std::string& text) {
  auto t = backend.tokenize(model, text);
  if (t.ok()) return static_cast<int64_t>(t->tokens.size());
  return static_cast<int64_t>(text.size());
}

}  // namespace

int64_t MeteredBackend::max_tokens_of(backends::SamplingOptions& sampling) const {
  const int64_t cap = metering_->options().default_max_tokens;
  // An unset max_tokens keeps the backend's own default (local 256, Anthropic 1024: both below
  // the cap), so metering changes no answer; the reservation assumes the cap.
  if (!sampling.max_tokens) return cap;
  if (*sampling.max_tokens > cap) sampling.max_tokens = static_cast<int>(cap);
  return *sampling.max_tokens;
}

template <typename Response>
void MeteredBackend::run(std::function<int64_t()> count_prompt, int64_t max_tokens,
                         backends::CancelToken cancel, Start<Response> start,
                         backends::StreamCallback on_event,
                         backends::DoneCallback<Response> on_done) {
  auto call = std::make_shared<Call>();
  call->plan = plan_;
  call->metering = metering_;
  store::Store& st = *metering_->options().store;
  Status posted = st.post([call, count_prompt = std::move(count_prompt), max_tokens, cancel,
                           start = std::move(start), on_event = std::move(on_event),
                           on_done](store::Store&) mutable {
    if (cancel.cancelled()) {
      // The client went away while the request waited for the pool: nothing ran, nothing to pay.
      Error gone(Errc::kCancelled, "generation cancelled");
      record_refusal(*call, gone);
      return on_done(std::move(gone));
    }
    if (Status bucket = check_token_bucket(*call); !bucket.ok()) {
      record_refusal(*call, bucket.error());
      return on_done(bucket.take_error());
    }
    call->prompt_tokens = count_prompt();
    auto ticket = call->metering->credits().begin(
        call->plan.payer, call->plan.model, call->plan.backend, call->prompt_tokens, max_tokens);
    if (!ticket.ok()) {
      record_refusal(*call, ticket.error());
      return on_done(ticket.take_error());
    }
    call->ticket = std::move(*ticket);
    // Counting pieces only when the caller streams: asking a backend for events it would not
    // otherwise produce can change how it talks to its upstream.
    backends::StreamCallback counted;
    if (on_event) {
      counted = [call, on_event = std::move(on_event)](const StreamEvent& ev) {
        if (ev.kind == StreamEvent::Kind::kText) call->streamed.fetch_add(1);
        on_event(ev);
      };
    }
    start(std::move(counted), [call, on_done](Result<Response> r) {
      limits::UsageCounts usage = usage_of(*call, r);
      std::string status = r.ok() ? "ok" : std::string(errc_name(r.error().code));
      auto result = std::make_shared<Result<Response>>(std::move(r));
      Status back = call->metering->options().store->post(
          [call, usage, status, result, on_done](store::Store&) {
            settle(*call, usage, status);
            on_done(std::move(*result));
          });
      if (!back.ok()) {
        spdlog::error("metering: charge for model '{}' lost (store queue refused it: {})",
                      call->plan.model, back.error().message);
        on_done(std::move(*result));
      }
    });
  });
  if (!posted.ok()) on_done(posted.take_error());
}

void MeteredBackend::chat_async(backends::ChatRequest request, backends::StreamCallback on_event,
                                backends::DoneCallback<backends::ChatResponse> on_done) {
  int64_t max_tokens = max_tokens_of(request.sampling);
  auto req = std::make_shared<backends::ChatRequest>(std::move(request));
  auto inner = inner_;
  auto count = [inner, req] {
    // Exact (template and all) where the backend knows its model; an upper estimate otherwise.
    if (auto exact = inner->count_prompt_tokens(*req); exact.ok()) return int64_t{*exact};
    int64_t messages = static_cast<int64_t>(req->messages.size()) + 1;
    return count_tokens(*inner, req->model, chat_text(*req)) + messages * kTemplateTokensPerMessage;
  };
  run<backends::ChatResponse>(
      count, max_tokens, req->cancel,
      [inner, req](backends::StreamCallback ev, backends::DoneCallback<backends::ChatResponse> d) {
        inner->chat_async(std::move(*req), std::move(ev), std::move(d));
      },
      std::move(on_event), std::move(on_done));
}

void MeteredBackend::complete_async(backends::CompletionRequest request,
                                    backends::StreamCallback on_event,
                                    backends::DoneCallback<backends::CompletionResponse> on_done) {
  int64_t max_tokens = max_tokens_of(request.sampling);
  auto req = std::make_shared<backends::CompletionRequest>(std::move(request));
  auto inner = inner_;
  auto count = [inner, req] { return count_tokens(*inner, req->model, req->prompt); };
  run<backends::CompletionResponse>(
      count, max_tokens, req->cancel,
      [inner, req](backends::StreamCallback ev,
                   backends::DoneCallback<backends::CompletionResponse> d) {
        inner->complete_async(std::move(*req), std::move(ev), std::move(d));
      },
      std::move(on_event), std::move(on_done));
}

void MeteredBackend::embed_async(backends::EmbedRequest request,
                                 backends::DoneCallback<backends::EmbedResponse> on_done) {
  auto req = std::make_shared<backends::EmbedRequest>(std::move(request));
  auto inner = inner_;
  auto count = [inner, req] {
    int64_t n = 0;
    for (const auto& text : req->inputs) n += count_tokens(*inner, req->model, text);
    return n;
  };
  run<backends::EmbedResponse>(
      count, 0, req->cancel,
      [inner, req](backends::StreamCallback, backends::DoneCallback<backends::EmbedResponse> d) {
        inner->embed_async(std::move(*req), std::move(d));
      },
      {}, std::move(on_done));
}

}  // namespace woolly::api::detail
