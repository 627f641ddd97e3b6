#include "engine/sampling/logprobs.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace woolly::engine {

void compute_logprobs(std::span<const float> logits, int32_t chosen, int n, StepLogprobs& out) {
  out.top.clear();
  if (logits.empty()) return;
  float max_logit = -std::numeric_limits<float>::infinity();
  for (float l : logits) max_logit = std::max(max_logit, l);
  double sum = 0;
  for (float l : logits) sum += std::exp(static_cast<double>(l) - max_logit);
  const double log_z = max_logit + std::log(sum);

  auto better = [](const TokenLogprob& a, const TokenLogprob& b) {
    return a.logprob != b.logprob ? a.logprob > b.logprob : a.token < b.token;
  };
  // n is small (<= 100): keep a sorted list and insert into it, one pass over the vocabulary.
  const auto cap = static_cast<size_t>(std::max(0, n));
  for (size_t i = 0; i < logits.size() && cap > 0; ++i) {
    TokenLogprob t{static_cast<int32_t>(i), logits[i]};  // compare raw logits, convert after
    if (out.top.size() == cap && !better(t, out.top.back())) continue;
    auto pos = std::upper_bound(out.top.begin(), out.top.end(), t, better);
    if (out.top.size() == cap) out.top.pop_back();
    out.top.insert(pos, t);
  }
  for (auto& t : out.top) t.logprob = static_cast<float>(t.logprob - log_z);
  out.chosen.token = chosen;
  out.chosen.logprob = chosen >= 0 && static_cast<size_t>(chosen) < logits.size()
                           ? static_cast<float>(logits[chosen] - log_z)
                           : -std::numeric_limits<float>::infinity();
}

}  // namespace woolly::engine
