// One generation on the calling thread, without a scheduler: for the CLI (generate, bench) and
// anything that owns a model exclusively. Same semantics and callbacks as Scheduler::submit.
#pragma once

#include <cstdint>
#include <vector>

#include "common/result.h"
#include "engine/runtime/decode_model.h"
#include "engine/runtime/request.h"
#include "engine/runtime/token_text.h"

namespace woolly::engine {

class Generator {
 public:
  // Uses KV slot 0 of `model`; `text` may be null (token ids only).
  Generator(DecodeModel& model, const TokenText* text, int batch_tokens = 512);

  // Prefills the prompt in chunks of batch_tokens, then decodes token by token until a stop
  // condition; checks the cancel token before every step. Errors (bad request, prompt longer
  // than the context) come back before any callback; a failure of the model mid-way ends with
  // FinishReason::kError in the result and on_done.
  Result<GenerationResult> run(GenerationRequest request);

 private:
  DecodeModel& model_;
  const TokenText* text_;
  int batch_tokens_;
  std::vector<BatchEntry> batch_;
  std::vector<float> logits_;
};

// The logits of the last prompt position, as `eval` prints them: prefill in chunks, KV slot 0.
Result<std::vector<float>> prompt_logits(DecodeModel& model, const std::vector<int32_t>& prompt,
                                         int batch_tokens = 512);

}  // namespace woolly::engine
