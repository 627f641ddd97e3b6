// The built-in engine behind the Backend interface: one GGUF model (engine::LocalModel), its
// batch Scheduler (bounded queue: full -> kUnavailable, so the server answers 503), the model's
// own chat template (or a named built-in), and mean-pooled embeddings.
//
// Threads: chat/complete callbacks run on the engine's scheduler thread; embed callbacks on the
// backend's embedding thread (embeddings run on their own Context and cache, so they never stall
// the scheduler's batches). All public methods may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "backends/backend.h"
#include "engine/runtime/local_model.h"
#include "engine/runtime/scheduler.h"
#include "engine/sampling/sampling_params.h"
#include "engine/template/chat_template.h"

namespace woolly::backends {

struct LocalBackendOptions {
  engine::LocalModelOptions model;       // threads, n_ctx, max_sequences, batch_tokens
  int max_queue = 64;                    // requests waiting for a slot; more get kUnavailable
  std::string chat_template;             // "" = the model's own; or a built-in's name
  engine::SamplingParams default_sampling;  // for fields a request leaves unset
  int default_max_tokens = 256;
};

class LocalBackend : public Backend {
 public:
  // Loads the model (kIo/kCorruptData/kUnsupported from the engine; kInvalidArgument for an
  // unknown chat_template name).
  static Result<std::unique_ptr<LocalBackend>> load(const std::string& path,
                                                    LocalBackendOptions options);
  ~LocalBackend() override;  // cancels in-flight work (on_done with kCancelled)

  std::string type() const override { return "local"; }
  Capabilities capabilities() const override;
  void chat_async(ChatRequest request, StreamCallback on_event,
                  DoneCallback<ChatResponse> on_done) override;
  void complete_async(CompletionRequest request, StreamCallback on_event,
                      DoneCallback<CompletionResponse> on_done) override;
  void embed_async(EmbedRequest request, DoneCallback<EmbedResponse> on_done) override;
  Result<TokenizeResponse> tokenize(const std::string& model, const std::string& text) override;
  int context_length() const override;
  Result<int> count_prompt_tokens(const ChatRequest& request) override;
  Status health() override { return {}; }

  // The chat prompt text for `messages` as the model's template renders it.
  Result<std::string> render_chat(const ChatRequest& request) const;
  // Prompt tokens of a rendered text: specials parsed, BOS once.
  std::vector<int32_t> encode(const std::string& text) const;
  const std::string& template_name() const { return template_name_; }
  // Bytes held: mapped weights plus the KV caches of every slot.
  size_t memory_bytes() const;
  engine::SchedulerStats stats() const { return scheduler_->stats(); }

 private:
  LocalBackend() = default;
  // Submits one generation; `finish` gets the text, finish reason, usage and timings.
  struct Outcome {
    std::string text;
    FinishReason finish = FinishReason::kStop;
    Usage usage;
    Timings timings;
    std::vector<TokenLogprob> logprobs;
  };
  void generate(std::vector<int32_t> prompt, const SamplingOptions& sampling,
                const ResponseFormat& format, const CancelToken& cancel, StreamCallback on_event,
                std::function<void(Result<Outcome>)> finish);
  void embed_worker();

  LocalBackendOptions options_;
  std::unique_ptr<engine::LocalModel> model_;
  std::unique_ptr<engine::Scheduler> scheduler_;
  std::unique_ptr<engine::ChatTemplate> template_;
  std::string template_name_;

  // Embedding thread: its queue is guarded by embed_mu_ (callers push, the thread pops).
  std::mutex embed_mu_;
  std::condition_variable embed_cv_;
  std::deque<std::function<void()>> embed_jobs_;
  bool embed_stop_ = false;
  std::thread embed_thread_;
};

}  // namespace woolly::backends
