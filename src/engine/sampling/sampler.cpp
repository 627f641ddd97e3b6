#include "engine/sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace woolly::engine {

namespace {

uint64_t resolve_seed(uint64_t seed) {
  if (seed != kRandomSeed) return seed;
  std::random_device rd;
  return (uint64_t{rd()} << 32) ^ rd();
}

}  // namespace

Status validate(const SamplingParams& p) {
  auto bad = [](const char* what) { return make_error(Errc::kInvalidArgument, what); };
  if (!(p.temperature >= 0) || p.temperature > 100) return bad("temperature must be in [0, 100]");
  if (!(p.top_p > 0) || p.top_p > 1) return bad("top_p must be in (0, 1]");
  if (!(p.min_p >= 0) || p.min_p > 1) return bad("min_p must be in [0, 1]");
  if (p.top_k < -1) return bad("top_k must be >= 0 (0 or -1: off)");
  if (p.min_tokens_to_keep < 0) return bad("min_tokens_to_keep must be >= 0");
  if (!(p.repetition_penalty > 0) || p.repetition_penalty > 100)
    return bad("repetition_penalty must be in (0, 100]");
  if (!(std::fabs(p.frequency_penalty) <= 2)) return bad("frequency_penalty must be in [-2, 2]");
  if (!(std::fabs(p.presence_penalty) <= 2)) return bad("presence_penalty must be in [-2, 2]");
  if (p.penalty_last_n < -1) return bad("penalty_last_n must be >= -1");
  if (p.top_logprobs < 0 || p.top_logprobs > 100) return bad("top_logprobs must be in [0, 100]");
  return {};
}

Sampler::Sampler(const SamplingParams& params, int32_t n_vocab)
    : params_(params),
      n_vocab_(n_vocab),
      seed_(resolve_seed(params.seed)),
      rng_(seed_),
      window_(params.penalty_last_n) {
  candidates_.reserve(static_cast<size_t>(n_vocab));
  bucket_mass_.resize(kBuckets);
  bucket_count_.resize(kBuckets);
}

int32_t Sampler::sample(std::span<const float> logits, const TokenMask* mask) {
  if (!prepare(logits, mask)) return -1;
  if (candidates_.size() == 1) return candidates_[0].token;
  // 53 random bits -> a double in [0, 1): the same on every platform, unlike
  // std::uniform_real_distribution whose algorithm is implementation-defined.
  const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
  return draw(u);
}

std::span<const TokenProb> Sampler::distribution(std::span<const float> logits,
                                                 const TokenMask* mask) {
  dist_.clear();
  if (!prepare(logits, mask)) return {};
  sort_descending(candidates_.size());
  for (const auto& c : candidates_) dist_.push_back({c.token, c.prob});
  return dist_;
}

int32_t Sampler::draw(double u) const {
  double cum = 0;
  for (const auto& c : candidates_) {
    cum += c.prob;
    if (u < cum) return c.token;
  }
  return candidates_.empty() ? -1 : candidates_.back().token;  // rounding left u >= sum
}

bool Sampler::prepare(std::span<const float> logits, const TokenMask* mask) {
  const auto n = static_cast<int32_t>(std::min<size_t>(logits.size(), n_vocab_));
  if (params_.temperature <= 0 && mask == nullptr && !has_penalties() && n > 0) {
    // Plain greedy: the argmax of the logits, without building the candidate list.
    int32_t best = 0;
    for (int32_t i = 1; i < n; ++i) {
      if (logits[i] > logits[best]) best = i;
    }
    candidates_.assign(1, {best, logits[best], 1.0f});
    return true;
  }
  const size_t keep = static_cast<size_t>(std::max(1, params_.min_tokens_to_keep));
  const int k = params_.top_k > 0 ? std::max<int>(params_.top_k, static_cast<int>(keep)) : 0;
  if (params_.temperature > 0 && mask == nullptr && k > 0 && k < n) {
    // The usual case (top_k on, no constraint): one pass keeping the k best in a heap instead
    // of copying and partitioning the whole vocabulary.
    select_top_k(logits.first(static_cast<size_t>(n)), k);
    if (params_.top_p < 1) top_p(params_.top_p, keep);
    if (params_.min_p > 0) min_p(params_.min_p, keep);
    softmax(params_.temperature);
    return true;
  }
  candidates_.resize(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) candidates_[i] = {i, logits[i], 0.0f};
  apply_penalties();  // candidates_ is still indexed by token id here
  if (mask != nullptr) {
    std::erase_if(candidates_, [mask](const Candidate& c) { return !mask->allowed(c.token); });
  }
  if (candidates_.empty()) return false;

  if (params_.temperature <= 0) {
    auto best = candidates_.begin();
    for (auto it = candidates_.begin() + 1; it != candidates_.end(); ++it) {
      if (it->logit > best->logit) best = it;  // strict: the lowest id wins a tie
    }
    candidates_[0] = {best->token, best->logit, 1.0f};
    candidates_.resize(1);
    return true;
  }
  if (k > 0) top_k(k);
  if (params_.top_p < 1) top_p(params_.top_p, keep);
  if (params_.min_p > 0) min_p(params_.min_p, keep);
  softmax(params_.temperature);
  return true;
}

bool Sampler::has_penalties() const {
  return !window_.counts().empty() &&
         (params_.repetition_penalty != 1 || params_.frequency_penalty != 0 ||
          params_.presence_penalty != 0);
}

void Sampler::apply_penalties() {
  const float rep = params_.repetition_penalty;
  const float freq = params_.frequency_penalty;
  const float pres = params_.presence_penalty;
  if (!has_penalties()) return;
  for (const auto& [token, count] : window_.counts()) {
    if (token < 0 || static_cast<size_t>(token) >= candidates_.size()) continue;
    float& l = candidates_[token].logit;
    if (rep != 1) l = l > 0 ? l / rep : l * rep;
    l -= static_cast<float>(count) * freq + (count > 0 ? pres : 0.0f);
  }
}

void Sampler::select_top_k(std::span<const float> logits, int k) {
  // Penalised tokens get their adjusted logit on the way; a sorted copy of the window lets the
  // scan test membership with one comparison per token.
  penalised_.clear();
  if (has_penalties()) {
    for (const auto& [token, count] : window_.counts()) {
      if (token < 0 || static_cast<size_t>(token) >= logits.size()) continue;
      float l = logits[token];
      const float rep = params_.repetition_penalty;
      if (rep != 1) l = l > 0 ? l / rep : l * rep;
      l -= static_cast<float>(count) * params_.frequency_penalty +
           (count > 0 ? params_.presence_penalty : 0.0f);
      penalised_.push_back({token, l, 0.0f});
    }
    std::sort(penalised_.begin(), penalised_.end(),
              [](const Candidate& a, const Candidate& b) { return a.token < b.token; });
  }
  // Min-heap on the logit: front() is the weakest of the k kept. A later token replaces it only
  // when strictly better, so among equal logits the lower ids stay.
  auto weaker = [](const Candidate& a, const Candidate& b) {
    return a.logit != b.logit ? a.logit > b.logit : a.token < b.token;
  };
  candidates_.clear();
  size_t next_pen = 0;
  const auto n = static_cast<int32_t>(logits.size());
  for (int32_t i = 0; i < n; ++i) {
    float l = logits[i];
    if (next_pen < penalised_.size() && penalised_[next_pen].token == i) {
      l = penalised_[next_pen++].logit;
    }
    if (candidates_.size() < static_cast<size_t>(k)) {
      candidates_.push_back({i, l, 0.0f});
      std::push_heap(candidates_.begin(), candidates_.end(), weaker);
    } else if (l > candidates_.front().logit) {
      std::pop_heap(candidates_.begin(), candidates_.end(), weaker);
      candidates_.back() = {i, l, 0.0f};
      std::push_heap(candidates_.begin(), candidates_.end(), weaker);
    }
  }
}

void Sampler::top_k(int k) {
  if (static_cast<size_t>(k) >= candidates_.size()) return;
  std::nth_element(candidates_.begin(), candidates_.begin() + k, candidates_.end(),
                   [](const Candidate& a, const Candidate& b) { return a.logit > b.logit; });
  candidates_.resize(static_cast<size_t>(k));
}

void Sampler::top_p(float p, size_t keep) {
  float max_logit = -std::numeric_limits<float>::infinity();
  float min_logit = std::numeric_limits<float>::infinity();
  for (const auto& c : candidates_) {
    max_logit = std::max(max_logit, c.logit);
    min_logit = std::min(min_logit, c.logit);
  }
  double sum = 0;
  for (auto& c : candidates_) {
    c.prob = std::exp(c.logit - max_logit);
    sum += c.prob;
  }
  const double target = p * sum;
  if (candidates_.size() <= kSortLimit || !(max_logit > min_logit)) {
    sort_descending(candidates_.size());
    cut_at_mass(0, target, keep);
    return;
  }
  // Large vocabularies: a histogram of the logits finds the bucket where the cumulated mass
  // crosses p; everything above it is in, everything below out, and only that one bucket is
  // sorted to place the exact cut. O(n) instead of sorting the whole nucleus.
  const float scale = static_cast<float>(kBuckets - 1) / (max_logit - min_logit);
  auto bucket_of = [&](float logit) {
    return std::min(kBuckets - 1, static_cast<int>((max_logit - logit) * scale));
  };
  std::fill(bucket_mass_.begin(), bucket_mass_.end(), 0.0);
  std::fill(bucket_count_.begin(), bucket_count_.end(), 0);
  for (const auto& c : candidates_) {
    const int b = bucket_of(c.logit);
    bucket_mass_[b] += c.prob;
    bucket_count_[b]++;
  }
  double above = 0;
  size_t n_above = 0;
  int cut = 0;
  for (; cut < kBuckets - 1; ++cut) {
    if (above + bucket_mass_[cut] >= target && n_above + bucket_count_[cut] >= keep) break;
    above += bucket_mass_[cut];
    n_above += bucket_count_[cut];
  }
  auto mid = std::partition(candidates_.begin(), candidates_.end(),
                            [&](const Candidate& c) { return bucket_of(c.logit) < cut; });
  auto end = std::partition(mid, candidates_.end(),
                            [&](const Candidate& c) { return bucket_of(c.logit) == cut; });
  std::sort(mid, end, [](const Candidate& a, const Candidate& b) {
    return a.logit != b.logit ? a.logit > b.logit : a.token < b.token;
  });
  candidates_.resize(static_cast<size_t>(end - candidates_.begin()));
  cut_at_mass(n_above, target - above, keep);
}

// candidates_[from..] is sorted descending: keeps the shortest prefix of it whose mass reaches
// `target`, and at least `keep` candidates in all.
void Sampler::cut_at_mass(size_t from, double target, size_t keep) {
  double cum = 0;
  for (size_t i = from; i < candidates_.size(); ++i) {
    cum += candidates_[i].prob;
    if (cum >= target && i + 1 >= keep) {
      candidates_.resize(i + 1);
      return;
    }
  }
}

void Sampler::min_p(float p, size_t keep) {
  float max_logit = -std::numeric_limits<float>::infinity();
  for (const auto& c : candidates_) max_logit = std::max(max_logit, c.logit);
  // p_i >= p * p_max  <=>  logit_i >= max_logit + log(p)
  const float threshold = max_logit + std::log(p);
  const auto kept = static_cast<size_t>(std::count_if(
      candidates_.begin(), candidates_.end(), [&](const Candidate& c) { return c.logit >= threshold; }));
  if (kept >= keep) {
    std::erase_if(candidates_, [&](const Candidate& c) { return c.logit < threshold; });
  } else {
    top_k(static_cast<int>(keep));
  }
}

void Sampler::softmax(float temperature) {
  float max_logit = -std::numeric_limits<float>::infinity();
  for (const auto& c : candidates_) max_logit = std::max(max_logit, c.logit);
  // p_i = exp((l_i - l_max) / T) / sum_j exp((l_j - l_max) / T)
  const float inv_t = 1.0f / temperature;
  double sum = 0;
  for (auto& c : candidates_) {
    c.prob = std::exp((c.logit - max_logit) * inv_t);
    sum += c.prob;
  }
  const auto inv_sum = static_cast<float>(1.0 / sum);
  for (auto& c : candidates_) c.prob *= inv_sum;
}

void Sampler::sort_descending(size_t n) {
  std::partial_sort(candidates_.begin(), candidates_.begin() + n, candidates_.end(),
                    [](const Candidate& a, const Candidate& b) {
                      return a.logit != b.logit ? a.logit > b.logit : a.token < b.token;
                    });
}

}  // namespace woolly::engine
