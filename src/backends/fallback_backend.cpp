#include "backends/fallback_backend.h"

#include <atomic>

namespace woolly::backends {

namespace {
// Passes events on and remembers whether any went out (then no fallback is possible).
struct Streamed {
  std::atomic<bool> any{false};
};
StreamCallback watch(const std::shared_ptr<Streamed>& s, StreamCallback inner) {
  if (!inner) return {};
  return [s, inner = std::move(inner)](const StreamEvent& ev) {
    s->any = true;
    inner(ev);
  };
}
}  // namespace

void FallbackBackend::chat_async(ChatRequest request, StreamCallback on_event,
                                 DoneCallback<ChatResponse> on_done) {
  auto streamed = std::make_shared<Streamed>();
  ChatRequest retry = request;
  primary_->chat_async(
      std::move(request), watch(streamed, on_event),
      [streamed, next = next_, retry = std::move(retry), on_event, on_done](Result<ChatResponse> r) mutable {
        if (r.ok() || r.error().code != Errc::kUnavailable || streamed->any || retry.cancel.cancelled())
          return on_done(std::move(r));
        next->chat_async(std::move(retry), std::move(on_event), std::move(on_done));
      });
}

void FallbackBackend::complete_async(CompletionRequest request, StreamCallback on_event,
                                     DoneCallback<CompletionResponse> on_done) {
  auto streamed = std::make_shared<Streamed>();
  CompletionRequest retry = request;
  primary_->complete_async(
      std::move(request), watch(streamed, on_event),
      [streamed, next = next_, retry = std::move(retry), on_event, on_done](Result<CompletionResponse> r) mutable {
        if (r.ok() || r.error().code != Errc::kUnavailable || streamed->any || retry.cancel.cancelled())
          return on_done(std::move(r));
        next->complete_async(std::move(retry), std::move(on_event), std::move(on_done));
      });
}

void FallbackBackend::embed_async(EmbedRequest request, DoneCallback<EmbedResponse> on_done) {
  EmbedRequest retry = request;
  primary_->embed_async(std::move(request),
                        [next = next_, retry = std::move(retry), on_done](Result<EmbedResponse> r) mutable {
                          if (r.ok() || r.error().code != Errc::kUnavailable) return on_done(std::move(r));
                          next->embed_async(std::move(retry), std::move(on_done));
                        });
}

Status FallbackBackend::health() {
  Status s = primary_->health();
  if (s.ok()) return s;
  return next_->health();
}

}  // namespace woolly::backends
