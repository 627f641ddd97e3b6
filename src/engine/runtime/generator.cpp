#include "engine/runtime/generator.h"

#include <algorithm>
#include <string>

#include "engine/runtime/sequence.h"

namespace woolly::engine {

namespace {

Status check_prompt(const DecodeModel& model, const std::vector<int32_t>& prompt) {
  if (prompt.empty()) return make_error(Errc::kInvalidArgument, "the prompt has no tokens");
  if (static_cast<int64_t>(prompt.size()) >= model.n_ctx()) {
    return make_error(Errc::kOutOfRange, "the prompt has " + std::to_string(prompt.size()) +
                                             " tokens; the context holds " +
                                             std::to_string(model.n_ctx()) +
                                             " including the answer");
  }
  for (int32_t t : prompt) {
    if (t < 0 || t >= model.n_vocab()) {
      return make_error(Errc::kInvalidArgument,
                        "prompt token " + std::to_string(t) + " is outside the vocabulary");
    }
  }
  return {};
}

// Feeds prompt[0..n) at positions 0.. in chunks; the last entry asks for logits.
Status prefill(DecodeModel& model, const std::vector<int32_t>& prompt, int batch_tokens,
               std::vector<BatchEntry>& batch, std::span<float> logits) {
  const auto n = static_cast<int32_t>(prompt.size());
  for (int32_t start = 0; start < n; start += batch_tokens) {
    const int32_t end = std::min(n, start + batch_tokens);
    batch.clear();
    for (int32_t p = start; p < end; ++p) batch.push_back({prompt[p], p, 0, p + 1 == n});
    WOOLLY_TRY(model.decode(batch, end == n ? logits : std::span<float>()));
  }
  return {};
}

}  // namespace

Generator::Generator(DecodeModel& model, const TokenText* text, int batch_tokens)
    : model_(model),
      text_(text),
      batch_tokens_(std::max(1, batch_tokens)),
      logits_(static_cast<size_t>(model.n_vocab())) {
  batch_.reserve(static_cast<size_t>(batch_tokens_));
}

Result<GenerationResult> Generator::run(GenerationRequest request) {
  WOOLLY_TRY(validate(request.sampling));
  WOOLLY_TRY(check_prompt(model_, request.prompt));
  model_.clear_sequence(0);
  Sequence seq(std::move(request), model_.n_vocab(), text_);
  const auto& prompt = seq.request().prompt;

  if (seq.cancelled()) {
    seq.finish(FinishReason::kCancelled);
    return seq.result();
  }
  if (Status st = prefill(model_, prompt, batch_tokens_, batch_, logits_); !st.ok()) {
    seq.finish(FinishReason::kError, st.take_error());
    return seq.result();
  }
  int32_t n_past = static_cast<int32_t>(prompt.size());
  while (!seq.step(logits_)) {
    if (seq.cancelled()) {
      seq.finish(FinishReason::kCancelled);
      break;
    }
    if (n_past >= model_.n_ctx()) {
      seq.finish(FinishReason::kLength);
      break;
    }
    const BatchEntry entry{seq.last_token(), n_past, 0, true};
    if (Status st = model_.decode({&entry, 1}, logits_); !st.ok()) {
      seq.finish(FinishReason::kError, st.take_error());
      break;
    }
    ++n_past;
  }
  model_.clear_sequence(0);
  return seq.result();
}

Result<std::vector<float>> prompt_logits(DecodeModel& model, const std::vector<int32_t>& prompt,
                                         int batch_tokens) {
  WOOLLY_TRY(check_prompt(model, prompt));
  std::vector<float> logits(static_cast<size_t>(model.n_vocab()));
  std::vector<BatchEntry> batch;
  model.clear_sequence(0);
  Status st = prefill(model, prompt, std::max(1, batch_tokens), batch, logits);
  model.clear_sequence(0);
  if (!st.ok()) return st.take_error();
  return logits;
}

}  // namespace woolly::engine
