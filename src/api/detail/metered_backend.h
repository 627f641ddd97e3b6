// The backend Metering::wrap returns: forwards to the real backend, with the credit reservation
// before each generation and the charge, usage record and tokens-per-minute charge after it, all
// on the store's pool (see api/metering.h for the rules).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/metering.h"
#include "backends/backend.h"
#include "limits/credits.h"

namespace woolly::api::detail {

// Who a metered call is for and what it is recorded as.
struct MeterPlan {
  limits::Payer payer;
  std::string model;              // the registry's name: price lookup and usage record
  std::string backend;            // the backend's type, for the usage record
  std::string bucket_key;         // tokens-per-minute bucket of the principal
  int64_t tokens_per_minute = 0;  // 0 = no token bucket for this principal
};

class MeteredBackend : public backends::Backend {
 public:
  MeteredBackend(std::shared_ptr<backends::Backend> inner, std::shared_ptr<const Metering> metering,
                 MeterPlan plan)
      : inner_(std::move(inner)), metering_(std::move(metering)), plan_(std::move(plan)) {}

  std::string type() const override { return inner_->type(); }
  backends::Capabilities capabilities() const override { return inner_->capabilities(); }
  Result<backends::TokenizeResponse> tokenize(const std::string& model,
                                              const std::string& text) override {
    return inner_->tokenize(model, text);
  }
  Status health() override { return inner_->health(); }
  int context_length() const override { return inner_->context_length(); }
  Result<int> count_prompt_tokens(const backends::ChatRequest& request) override {
    return inner_->count_prompt_tokens(request);
  }

  void chat_async(backends::ChatRequest request, backends::StreamCallback on_event,
                  backends::DoneCallback<backends::ChatResponse> on_done) override;
  void complete_async(backends::CompletionRequest request, backends::StreamCallback on_event,
                      backends::DoneCallback<backends::CompletionResponse> on_done) override;
  void embed_async(backends::EmbedRequest request,
                   backends::DoneCallback<backends::EmbedResponse> on_done) override;

 private:
  template <typename Response>
  using Start = std::function<void(backends::StreamCallback, backends::DoneCallback<Response>)>;

  // Reserve (after counting the prompt with `count_prompt`, on the pool), run `start` unless
  // `cancel` was set meanwhile, settle.
  template <typename Response>
  void run(std::function<int64_t()> count_prompt, int64_t max_tokens, backends::CancelToken cancel,
           Start<Response> start, backends::StreamCallback on_event,
           backends::DoneCallback<Response> on_done);

  // The most tokens the request may generate: its max_tokens, lowered to the metering's cap when
  // above it; the cap when unset (the request keeps its backend's default).
  int64_t max_tokens_of(backends::SamplingOptions& sampling) const;

  std::shared_ptr<backends::Backend> inner_;
  std::shared_ptr<const Metering> metering_;
  MeterPlan plan_;
};

}  // namespace woolly::api::detail
