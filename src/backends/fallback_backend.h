// Tries a primary backend and, when it is unavailable (kUnavailable: connection refused, 429/5xx,
// queue full) before anything was streamed, the next one. Errors after the first streamed event,
// and every other error, are returned as they are: a half-sent answer is never restarted.
//
// Threads: stateless apart from per-call state; callbacks run on the backends' threads.
#pragma once

#include <memory>

#include "backends/backend.h"

namespace woolly::backends {

class FallbackBackend : public Backend {
 public:
  FallbackBackend(std::shared_ptr<Backend> primary, std::shared_ptr<Backend> next)
      : primary_(std::move(primary)), next_(std::move(next)) {}

  std::string type() const override { return primary_->type(); }
  Capabilities capabilities() const override { return primary_->capabilities(); }
  void chat_async(ChatRequest request, StreamCallback on_event,
                  DoneCallback<ChatResponse> on_done) override;
  void complete_async(CompletionRequest request, StreamCallback on_event,
                      DoneCallback<CompletionResponse> on_done) override;
  void embed_async(EmbedRequest request, DoneCallback<EmbedResponse> on_done) override;
  Result<TokenizeResponse> tokenize(const std::string& model, const std::string& text) override {
    return primary_->tokenize(model, text);
  }
  int context_length() const override { return primary_->context_length(); }
  Result<int> count_prompt_tokens(const ChatRequest& request) override {
    return primary_->count_prompt_tokens(request);
  }
  Status health() override;

 private:
  std::shared_ptr<Backend> primary_;
  std::shared_ptr<Backend> next_;
};

}  // namespace woolly::backends
