// The one interface every model provider sits behind: the built-in engine (LocalBackend) and the
// upstream providers (OpenAI-compatible, Ollama, Anthropic). The HTTP surfaces, the agent loop and
// the registry see only this header.
//
//   ChatRequest req;  req.model = "llama";  req.messages = {{"user", "Hi"}};
//   backend.chat_async(std::move(req), on_event, [](Result<ChatResponse> r) { ... });
//
// Threads: every method may be called from any thread. The *_async methods return at once; their
// callbacks run on a thread of the backend (the engine's scheduler thread or the HTTP client's I/O
// thread), never on the caller's: post to your own executor and never block inside them. The
// StreamCallback runs zero or more times, then the DoneCallback exactly once (also on error and
// cancellation). The blocking wrappers (chat, complete, embed) wait on the calling thread, so they
// are for worker threads, tests and the CLI, never for an I/O thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "engine/runtime/cancel_token.h"

namespace woolly::backends {

// Shared "stop now" flag: set it when the client goes away; local generation stops within one
// decode step, an upstream request closes its connection within ~50 ms.
using CancelToken = engine::CancelToken;

struct ToolCall {
  std::string id;
  std::string name;
  std::string arguments;  // JSON text of the arguments object
};

struct Message {
  std::string role;  // system | user | assistant | tool
  std::string content;
  std::vector<ToolCall> tool_calls;  // assistant messages that call tools
  std::string tool_call_id;          // tool messages: the call answered
  std::string name;                  // tool messages: the tool's name
};

struct Tool {
  std::string name;
  std::string description;
  std::string parameters_json = "{\"type\":\"object\",\"properties\":{}}";  // JSON Schema text
};

enum class ToolChoiceMode { kAuto, kNone, kRequired, kNamed };
struct ToolChoice {
  ToolChoiceMode mode = ToolChoiceMode::kAuto;
  std::string name;  // kNamed
};

enum class ResponseFormatType { kText, kJsonObject, kJsonSchema };
struct ResponseFormat {
  ResponseFormatType type = ResponseFormatType::kText;
  std::string schema_name;  // kJsonSchema
  std::string schema_json;  // kJsonSchema: the JSON Schema text
};

// Unset fields take the backend's (or upstream's) default.
struct SamplingOptions {
  std::optional<int> max_tokens;
  std::optional<float> temperature;
  std::optional<float> top_p;
  std::optional<int> top_k;
  std::optional<float> min_p;
  std::optional<float> presence_penalty;
  std::optional<float> frequency_penalty;
  std::optional<float> repetition_penalty;
  std::optional<uint64_t> seed;
  std::vector<std::string> stop;
  bool logprobs = false;
  int top_logprobs = 0;  // 0..20
};

struct Usage {
  int32_t prompt_tokens = 0;
  int32_t completion_tokens = 0;
  int32_t total_tokens() const { return prompt_tokens + completion_tokens; }
};

struct Timings {
  double queue_ms = 0;     // waiting for the engine (local) / connecting (upstream)
  double prompt_ms = 0;    // until the first token
  double generate_ms = 0;  // first token -> done
  double total_ms = 0;
};

enum class FinishReason { kStop, kLength, kToolCalls, kCancelled, kContentFilter };
// OpenAI's names: "stop", "length", "tool_calls", "cancelled", "content_filter".
const char* finish_reason_name(FinishReason reason);

struct TopLogprob {
  std::string token;
  float logprob = 0;
};
struct TokenLogprob {
  std::string token;
  float logprob = 0;
  std::vector<TopLogprob> top;
};

// One piece of a streamed answer.
struct StreamEvent {
  enum class Kind { kText, kToolCallDelta };
  Kind kind = Kind::kText;
  std::string text;                    // kText: the new text
  std::vector<TokenLogprob> logprobs;  // kText, when requested and the backend has them
  // kToolCallDelta: OpenAI-style fragments of tool call number `tool_index`; id and name arrive
  // with the first fragment, arguments in pieces to be concatenated.
  int tool_index = 0;
  std::string tool_id;
  std::string tool_name;
  std::string arguments_delta;
};
using StreamCallback = std::function<void(const StreamEvent&)>;

struct ChatRequest {
  std::string model;  // the registry's name/id; backends map it to their upstream model name
  std::vector<Message> messages;
  std::vector<Tool> tools;
  ToolChoice tool_choice;
  SamplingOptions sampling;
  ResponseFormat response_format;
  CancelToken cancel;
};

struct CompletionRequest {
  std::string model;
  std::string prompt;
  SamplingOptions sampling;
  ResponseFormat response_format;
  CancelToken cancel;
};

struct ChatResponse {
  std::string model;
  Message message;  // role "assistant"; content and/or tool_calls
  FinishReason finish = FinishReason::kStop;
  Usage usage;
  Timings timings;
  std::vector<TokenLogprob> logprobs;  // when requested
};

struct CompletionResponse {
  std::string model;
  std::string text;
  FinishReason finish = FinishReason::kStop;
  Usage usage;
  Timings timings;
  std::vector<TokenLogprob> logprobs;
};

struct EmbedRequest {
  std::string model;
  std::vector<std::string> inputs;
  CancelToken cancel;
};
struct EmbedResponse {
  std::string model;
  std::vector<std::vector<float>> vectors;  // one per input, in order
  Usage usage;                              // prompt_tokens only
};

struct TokenizeResponse {
  std::vector<int32_t> tokens;
  std::vector<std::string> pieces;
};

struct Capabilities {
  bool chat = true;
  bool completion = true;
  bool embeddings = true;
  bool tokenize = false;
  bool tools = false;          // native tool calls
  bool json_output = false;    // response_format honoured
};

template <typename T>
using DoneCallback = std::function<void(Result<T>)>;

// Errors (in Result / DoneCallback): kInvalidArgument (bad request), kOutOfRange (prompt does not
// fit the context), kUnavailable (queue full, upstream down/overloaded: answer 503), kTimeout,
// kUpstream (an upstream answered badly), kCancelled, kUnsupported (operation not offered).
class Backend {
 public:
  virtual ~Backend() = default;

  virtual std::string type() const = 0;  // "local" | "openai" | "ollama" | "anthropic"
  virtual Capabilities capabilities() const = 0;

  virtual void chat_async(ChatRequest request, StreamCallback on_event,
                          DoneCallback<ChatResponse> on_done) = 0;
  virtual void complete_async(CompletionRequest request, StreamCallback on_event,
                              DoneCallback<CompletionResponse> on_done) = 0;
  virtual void embed_async(EmbedRequest request, DoneCallback<EmbedResponse> on_done) = 0;
  // Synchronous: local tokenizers only; upstream backends answer kUnsupported.
  virtual Result<TokenizeResponse> tokenize(const std::string& model, const std::string& text);
  // Tokens one sequence holds, prompt and answer together; 0 = not known here (upstream models).
  virtual int context_length() const { return 0; }
  // Prompt tokens `request` takes as this backend would hand it to its model (template and all);
  // kUnsupported where that is not known (upstream models). CPU work: not on an I/O thread.
  virtual Result<int> count_prompt_tokens(const ChatRequest& request);

  // Is the backend usable now (local: the model is loaded; upstream: GET of its model list
  // answers). Blocks for at most the backend's connect + read timeout; not on an I/O thread.
  virtual Status health() = 0;

  // Blocking wrappers over the *_async methods (see the header comment for where to call them).
  Result<ChatResponse> chat(ChatRequest request, StreamCallback on_event = {});
  Result<CompletionResponse> complete(CompletionRequest request, StreamCallback on_event = {});
  Result<EmbedResponse> embed(EmbedRequest request);
};

}  // namespace woolly::backends
