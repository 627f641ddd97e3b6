// Ollama upstream behind the Backend interface; see the .cpp for the wire format.
//
// Threads: see backend.h. Callbacks run on the shared HttpClient's thread; the backend has no
// mutable state of its own, so it may be used from any number of threads at once.
#pragma once

#include <memory>

#include "backends/backend.h"
#include "backends/upstream_config.h"
#include "net/client/http_client.h"

namespace woolly::backends {

class OllamaBackend : public Backend {
 public:
  OllamaBackend(std::shared_ptr<net::client::HttpClient> client, UpstreamConfig config);

  std::string type() const override { return "ollama"; }
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
