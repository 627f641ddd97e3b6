#include "backends/backend.h"

#include <future>

namespace woolly::backends {

const char* finish_reason_name(FinishReason reason) {
  switch (reason) {
    case FinishReason::kStop: return "stop";
    case FinishReason::kLength: return "length";
    case FinishReason::kToolCalls: return "tool_calls";
    case FinishReason::kCancelled: return "cancelled";
    case FinishReason::kContentFilter: return "content_filter";
  }
  return "stop";
}

Result<TokenizeResponse> Backend::tokenize(const std::string&, const std::string&) {
  return make_error(Errc::kUnsupported, "backend '" + type() + "' cannot tokenize");
}

Result<int> Backend::count_prompt_tokens(const ChatRequest&) {
  return make_error(Errc::kUnsupported, "backend '" + type() + "' cannot count prompt tokens");
}

namespace {
// Runs an async call and waits for its DoneCallback on the calling thread.
template <typename T, typename Start>
Result<T> wait_for(Start&& start) {
  std::promise<Result<T>> promise;
  auto future = promise.get_future();
  start([&promise](Result<T> r) { promise.set_value(std::move(r)); });
  return future.get();
}
}  // namespace

Result<ChatResponse> Backend::chat(ChatRequest request, StreamCallback on_event) {
  return wait_for<ChatResponse>([&](DoneCallback<ChatResponse> done) {
    chat_async(std::move(request), std::move(on_event), std::move(done));
  });
}

Result<CompletionResponse> Backend::complete(CompletionRequest request, StreamCallback on_event) {
  return wait_for<CompletionResponse>([&](DoneCallback<CompletionResponse> done) {
    complete_async(std::move(request), std::move(on_event), std::move(done));
  });
}

Result<EmbedResponse> Backend::embed(EmbedRequest request) {
  return wait_for<EmbedResponse>([&](DoneCallback<EmbedResponse> done) {
    embed_async(std::move(request), std::move(done));
  });
}

}  // namespace woolly::backends
