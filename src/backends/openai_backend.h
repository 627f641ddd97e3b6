// An OpenAI-compatible upstream (OpenAI, vLLM, llama-server, LocalAI): /v1/chat/completions,
// /v1/completions, /v1/embeddings, /v1/models, with "Authorization: Bearer <api_key>".
// When the caller streams, the upstream is asked to stream too (SSE, with
// stream_options.include_usage) and every delta is passed on as it arrives.
//
// Threads: see backend.h. Callbacks run on the shared HttpClient's thread; the backend has no
// mutable state of its own, so it may be used from any number of threads at once.
#pragma once

#include <memory>

#include "backends/backend.h"
#include "backends/upstream_config.h"
#include "net/client/http_client.h"

namespace woolly::backends {

class OpenAiBackend : public Backend {
 public:
  OpenAiBackend(std::shared_ptr<net::client::HttpClient> client, UpstreamConfig config);

  std::string type() const override { return "openai"; }
  Capabilities capabilities() const override;
  void chat_async(ChatRequest request, StreamCallback on_event,
                  DoneCallback<ChatResponse> on_done) override;
  void complete_async(CompletionRequest request, StreamCallback on_event,
                      DoneCallback<CompletionResponse> on_done) override;
  void embed_async(EmbedRequest request, DoneCallback<EmbedResponse> on_done) override;
  Status health() override;

 private:
  std::shared_ptr<net::client::HttpClient> client_;
  UpstreamConfig config_;
};

}  // namespace woolly::backends
