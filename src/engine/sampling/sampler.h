// Turns one position's logits into the next token. One Sampler per sequence: it owns the
// sequence's RNG (seeded per request, never global) and its penalty window, and keeps its
// working buffers between steps so that sampling allocates nothing after the first call.
//
// Order of the steps (as llama.cpp's default chain, so settings behave the same there and here):
//   penalties -> constraint mask -> top_k -> top_p -> min_p -> temperature -> draw.
// top_p and min_p see the untempered distribution; temperature <= 0 is greedy and skips the
// filters (the argmax survives all of them anyway).
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <utility>
#include <vector>

#include "engine/sampling/penalty_window.h"
#include "engine/sampling/sampling_params.h"
#include "engine/sampling/token_mask.h"

namespace woolly::engine {

struct TokenProb {
  int32_t token = 0;
  float prob = 0;
};

class Sampler {
 public:
  Sampler(const SamplingParams& params, int32_t n_vocab);

  // Samples from `logits` (n_vocab values). With a mask, only allowed tokens can come out;
  // returns -1 when the mask allows none. Does not record the token: call accept().
  int32_t sample(std::span<const float> logits, const TokenMask* mask = nullptr);

  // Records a token of the sequence (prompt tokens too, if they should count for penalties).
  void accept(int32_t token) { window_.push(token); }

  // The distribution sample() would draw from, after every step, normalised, in descending
  // probability. Greedy yields the single argmax with probability 1.
  std::span<const TokenProb> distribution(std::span<const float> logits,
                                          const TokenMask* mask = nullptr);

  // Draws from the filtered candidates with uniform u in [0, 1): the inverse CDF. Exposed so
  // the arithmetic can be tested without an RNG.
  int32_t draw(double u) const;

  const SamplingParams& params() const { return params_; }
  uint64_t seed() const { return seed_; }

 private:
  // Fills candidates_ with penalised, allowed logits and applies the filters; returns false when
  // no candidate is left. After it, candidates_[i].prob holds normalised probabilities.
  bool prepare(std::span<const float> logits, const TokenMask* mask);
  void apply_penalties();
  void select_top_k(std::span<const float> logits, int k);
  void top_k(int k);
  void top_p(float p, size_t keep);
  void cut_at_mass(size_t from, double target, size_t keep);
  bool has_penalties() const;
  void min_p(float p, size_t keep);
  void softmax(float temperature);
  void sort_descending(size_t n);

  struct Candidate {
    int32_t token;
    float logit;
    float prob;
  };

  SamplingParams params_;
  int32_t n_vocab_;
  uint64_t seed_;
  std::mt19937_64 rng_;
  PenaltyWindow window_;
  std::vector<Candidate> candidates_;  // reserved to n_vocab once
  std::vector<TokenProb> dist_;
  std::vector<Candidate> penalised_;  // the window's tokens with adjusted logits, by id
  // top_p over many candidates: a histogram of the logits instead of a full sort.
  static constexpr size_t kSortLimit = 1024;
  static constexpr int kBuckets = 1024;
  std::vector<double> bucket_mass_;
  std::vector<int> bucket_count_;
};

}  // namespace woolly::engine
