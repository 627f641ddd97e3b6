// One generation as the serving layer hands it to the runtime, and what comes back.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "engine/runtime/cancel_token.h"
#include "engine/sampling/logprobs.h"
#include "engine/sampling/sampling_params.h"
#include "engine/sampling/token_mask.h"

namespace woolly::engine {

enum class FinishReason {
  kStop,       // end-of-generation token, stop token or stop string (OpenAI "stop")
  kLength,     // max_tokens reached or the context is full (OpenAI "length")
  kCancelled,  // the cancel token was set
  kError,      // see GenerationResult::error
};
const char* finish_reason_name(FinishReason reason);

struct Usage {
  int32_t prompt_tokens = 0;
  int32_t completion_tokens = 0;
};

struct Timings {
  double queue_ms = 0;    // submit -> admitted
  double prompt_ms = 0;   // admitted -> first token sampled
  double generate_ms = 0; // first token sampled -> finished
  double prompt_tokens_per_s(int32_t prompt_tokens) const;
  double generate_tokens_per_s(int32_t completion_tokens) const;
};

// One step's output. `text` is what became safe to show at this step (may be empty while a
// multi-byte character or a possible stop string is incomplete). Valid during the callback only.
struct GeneratedPiece {
  int32_t token = -1;              // -1 for the final flush of held-back text
  std::string_view text;
  const StepLogprobs* logprobs = nullptr;  // when requested
};

struct GenerationResult {
  FinishReason finish = FinishReason::kStop;
  Error error;                 // when finish == kError
  std::string stop_string;     // the stop string that matched, if any
  int32_t stop_token = -1;     // the end-of-generation or stop token, if any
  Usage usage;
  Timings timings;
};

struct GenerationRequest {
  std::vector<int32_t> prompt;  // already tokenized (BOS included when the model wants it)
  SamplingParams sampling;
  StopParams stop;
  std::shared_ptr<TokenConstraint> constraint;  // optional constrained decoding
  CancelToken cancel;
  // Both run on the engine's scheduler thread: post to your own executor, never block.
  std::function<void(const GeneratedPiece&)> on_piece;
  std::function<void(const GenerationResult&)> on_done;  // exactly once
};

}  // namespace woolly::engine
