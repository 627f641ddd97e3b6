// The per-sequence half of generation, shared by Generator (one sequence) and Scheduler (many):
// from a logits row to the next token, its text, stop conditions and the callbacks.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "engine/runtime/request.h"
#include "engine/runtime/token_text.h"
#include "engine/sampling/sampler.h"
#include "engine/sampling/stop_strings.h"

namespace woolly::engine {

class Sequence {
 public:
  using Clock = std::chrono::steady_clock;

  Sequence(GenerationRequest request, int32_t n_vocab, const TokenText* text);

  // Samples from the logits of the last position, reports the piece, and returns whether the
  // generation has finished (then result() is final and on_done has been called).
  bool step(std::span<const float> logits);
  // Ends the generation early: cancelled, context full, or an error.
  void finish(FinishReason reason, Error error = {});

  const GenerationRequest& request() const { return request_; }
  bool cancelled() const { return request_.cancel.cancelled(); }
  bool finished() const { return finished_; }
  int32_t last_token() const { return last_token_; }
  int32_t n_generated() const { return result_.usage.completion_tokens; }
  const GenerationResult& result() const { return result_; }

  // Scheduler bookkeeping.
  int32_t slot = -1;     // KV-cache slot
  int32_t n_past = 0;    // tokens already in the cache
  Clock::time_point submitted;
  Clock::time_point admitted;
  std::optional<Clock::time_point> first_token;

 private:
  void emit(int32_t token, const StepLogprobs* lp);
  void flush_text();

  GenerationRequest request_;
  Sampler sampler_;
  StopStrings stops_;
  std::unique_ptr<PieceDecoder> decoder_;
  const TokenText* text_;
  TokenMask mask_;
  StepLogprobs logprobs_;
  std::string raw_;      // decoded text of this step (before stop-string filtering)
  std::string visible_;  // text released this step
  int32_t n_vocab_;
  int32_t last_token_ = -1;
  bool finished_ = false;
  GenerationResult result_;
};

}  // namespace woolly::engine
