// Log-probabilities as OpenAI reports them: the log-softmax of the raw logits (before
// penalties, masks, filters and temperature), for the chosen token and the n most likely.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace woolly::engine {

struct TokenLogprob {
  int32_t token = 0;
  float logprob = 0;
};

struct StepLogprobs {
  TokenLogprob chosen;
  std::vector<TokenLogprob> top;  // descending; ties by lower token id first
};

// log p_i = l_i - (l_max + log sum_j exp(l_j - l_max)), summed in double.
// Fills `out` (reusing its storage) with the chosen token's value and the top `n`.
void compute_logprobs(std::span<const float> logits, int32_t chosen, int n, StepLogprobs& out);

}  // namespace woolly::engine
