#include "engine/runtime/sequence.h"

#include <algorithm>

namespace woolly::engine {

namespace {

double ms_between(Sequence::Clock::time_point a, Sequence::Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

const char* finish_reason_name(FinishReason reason) {
  switch (reason) {
    case FinishReason::kStop: return "stop";
    case FinishReason::kLength: return "length";
    case FinishReason::kCancelled: return "cancelled";
    case FinishReason::kError: return "error";
  }
  return "error";
}

double Timings::prompt_tokens_per_s(int32_t prompt_tokens) const {
  return prompt_ms > 0 ? prompt_tokens * 1000.0 / prompt_ms : 0;
}

double Timings::generate_tokens_per_s(int32_t completion_tokens) const {
  // The first token comes out of the prompt pass; the rate counts the decode steps after it.
  if (generate_ms <= 0 || completion_tokens <= 1) return 0;
  return (completion_tokens - 1) * 1000.0 / generate_ms;
}

Sequence::Sequence(GenerationRequest request, int32_t n_vocab, const TokenText* text)
    : request_(std::move(request)),
      sampler_(request_.sampling, n_vocab),
      stops_(request_.stop.stop_strings),
      decoder_(text != nullptr ? text->decoder() : nullptr),
      text_(text),
      n_vocab_(n_vocab) {
  result_.usage.prompt_tokens = static_cast<int32_t>(request_.prompt.size());
  submitted = admitted = Clock::now();
  if (request_.constraint) mask_.reset(n_vocab, false);
}

bool Sequence::step(std::span<const float> logits) {
  if (finished_) return true;
  if (!first_token) first_token = Clock::now();
  const TokenMask* mask = nullptr;
  if (request_.constraint) {
    mask_.reset(n_vocab_, false);
    request_.constraint->allowed_tokens(mask_);
    mask = &mask_;
  }
  const int32_t token = sampler_.sample(logits, mask);
  if (token < 0) {  // the constraint allowed nothing: its grammar is complete
    finish(FinishReason::kStop);
    return true;
  }
  const bool want_lp = request_.sampling.logprobs || request_.sampling.top_logprobs > 0;
  if (want_lp) compute_logprobs(logits, token, request_.sampling.top_logprobs, logprobs_);
  sampler_.accept(token);
  if (request_.constraint) request_.constraint->accept(token);
  last_token_ = token;
  result_.usage.completion_tokens++;

  const auto& stop_tokens = request_.stop.stop_tokens;
  const bool eog = (!request_.stop.ignore_eos && text_ != nullptr && text_->is_eog(token)) ||
                   std::find(stop_tokens.begin(), stop_tokens.end(), token) != stop_tokens.end();
  if (eog) {
    result_.stop_token = token;
    finish(FinishReason::kStop);
    return true;
  }
  emit(token, want_lp ? &logprobs_ : nullptr);
  if (stops_.stopped()) {
    result_.stop_string = stops_.matched();
    finish(FinishReason::kStop);
    return true;
  }
  const int32_t max_tokens = request_.stop.max_tokens;
  if (max_tokens > 0 && result_.usage.completion_tokens >= max_tokens) {
    finish(FinishReason::kLength);
    return true;
  }
  return false;
}

void Sequence::emit(int32_t token, const StepLogprobs* lp) {
  raw_.clear();
  visible_.clear();
  if (decoder_) decoder_->push(token, raw_);
  stops_.feed(raw_, visible_);
  if (request_.on_piece) request_.on_piece(GeneratedPiece{token, visible_, lp});
}

void Sequence::flush_text() {
  raw_.clear();
  visible_.clear();
  if (decoder_) decoder_->flush(raw_);
  if (!stops_.stopped()) {
    stops_.feed(raw_, visible_);
    if (!stops_.stopped()) stops_.flush(visible_);
  }
  if (!visible_.empty() && request_.on_piece) {
    request_.on_piece(GeneratedPiece{-1, visible_, nullptr});
  }
}

void Sequence::finish(FinishReason reason, Error error) {
  if (finished_) return;
  finished_ = true;
  // Held-back text belongs to the answer unless the generation was cut short by the caller.
  if (reason == FinishReason::kStop || reason == FinishReason::kLength) flush_text();
  if (stops_.stopped() && result_.stop_string.empty()) result_.stop_string = stops_.matched();
  result_.finish = reason;
  result_.error = std::move(error);
  const auto now = Clock::now();
  result_.timings.queue_ms = ms_between(submitted, admitted);
  const auto first = first_token.value_or(now);
  result_.timings.prompt_ms = ms_between(admitted, first);
  result_.timings.generate_ms = ms_between(first, now);
  if (request_.on_done) request_.on_done(result_);
}

}  // namespace woolly::engine
