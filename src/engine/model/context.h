// Runs forward passes of one Model over batches that may mix several sequences. Each batch
// entry names its sequence's KvCache, its token and its position; entries of one sequence must
// have consecutive positions continuing that cache (pos == cache->size() for the first). Logits
// are produced only for entries that ask for them, in batch order.
//
//   std::vector<BatchItem> batch = {{cache_a.get(), tok, pos_a, true}, {cache_b.get(), ...}};
//   std::vector<float> logits(n_wanted * config.n_vocab);
//   WOOLLY_TRY(ctx.decode(batch, logits));
//
// A Context owns scratch memory sized for options().max_batch tokens and is used by one thread
// at a time (the engine's scheduler); nothing is allocated per token.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

#include "common/result.h"
#include "engine/model/kv_cache.h"
#include "engine/model/model.h"
#include "engine/tensor/thread_pool.h"

namespace woolly::engine {

struct BatchItem {
  KvCache* cache = nullptr;
  int32_t token = 0;
  int32_t pos = 0;
  bool logits = false;
};

class Context {
 public:
  Context(const Model& model, ThreadPool& pool);

  // Appends the batch to its caches. `logits` receives n_vocab floats per entry with
  // logits = true, in order. `hidden`, when not empty, receives the final normalized hidden state
  // (n_embd floats) of every entry. Errors: kInvalidArgument (bad token, position, sizes),
  // kOutOfRange (a sequence would exceed its cache's context). On error no cache changes.
  Status decode(std::span<const BatchItem> batch, std::span<float> logits,
                std::span<float> hidden = {});

  // Mean-pooled final hidden states of `tokens` run as one fresh sequence in `cache` (cleared
  // first). For the embeddings endpoint.
  Result<std::vector<float>> embed(std::span<const int32_t> tokens, KvCache& cache);

  const Model& model() const { return model_; }

 private:
  void forward_chunk(const Kernels& k, std::span<const BatchItem> items, float* logits,
                     float* hidden);
  void attention(const Kernels& k, int layer, std::span<const BatchItem> items);
  // Encodes rows of `src` (n_in floats each, stride n_in) for weight type `type` into enc_.
  const std::byte* encode(const Kernels& k, TensorType type, const float* src, int64_t n_rows,
                          int64_t n_in, size_t& stride);
  void project(const Kernels& k, const WeightView& w, const float* src, int64_t n_rows, float* dst);
  // Several projections of the same input in one parallel pass when their weight types take
  // the same activation encoding (the usual case); otherwise one after the other.
  void project_multi(const Kernels& k, std::initializer_list<MatmulJob> jobs, const float* src,
                     int64_t n_rows);

  const Model& model_;
  ThreadPool& pool_;
  int max_batch_;
  // Scratch, [max_batch][width] each.
  std::vector<float> x_, xn_, q_, k_, v_, attn_, gate_, up_;
  std::vector<float> rope_cos_, rope_sin_;  // [max_batch][n_rot / 2]
  std::vector<float> scores_;               // [threads][n_ctx] attention weights
  std::vector<float> qh_;                   // [threads][head_dim] query rounded like the cache
  std::vector<std::byte> enc_;
  std::vector<float> logit_rows_;  // final hidden rows of the entries that want logits
};

}  // namespace woolly::engine
