// What a caller may ask of the sampler for one request. Field meanings follow the OpenAI and
// llama.cpp conventions so the serving layer can map request fields one to one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace woolly::engine {

// A seed value meaning "draw one from the system's entropy source".
inline constexpr uint64_t kRandomSeed = ~uint64_t{0};

struct SamplingParams {
  float temperature = 0.8f;   // <= 0: greedy (argmax)
  int top_k = 40;             // <= 0: off
  float top_p = 0.95f;        // >= 1: off
  float min_p = 0.05f;        // <= 0: off; keeps p >= min_p * p_max
  int min_tokens_to_keep = 1; // top_p and min_p never cut below this many candidates

  // Penalties over the last `penalty_last_n` sampled tokens (0: off, -1: the whole generation).
  // repetition: llama.cpp style, logit / r when positive and logit * r when negative.
  // frequency/presence: OpenAI style, logit - count * frequency - (count > 0) * presence.
  float repetition_penalty = 1.0f;
  float frequency_penalty = 0.0f;
  float presence_penalty = 0.0f;
  int penalty_last_n = 64;

  uint64_t seed = kRandomSeed;
  bool logprobs = false;  // report the chosen token's log-probability at every step
  int top_logprobs = 0;   // and the n most likely tokens' (implies logprobs)
};

// Limits that end a generation; checked by the runtime, not by the sampler.
struct StopParams {
  int max_tokens = 256;                   // generated tokens; <= 0: until context is full
  std::vector<std::string> stop_strings;  // never part of the returned text
  std::vector<int32_t> stop_tokens;       // besides the model's end-of-generation tokens
  bool ignore_eos = false;                // keep going past end-of-generation tokens
};

// Rejects out-of-range values with a message naming the field.
Status validate(const SamplingParams& params);

}  // namespace woolly::engine
