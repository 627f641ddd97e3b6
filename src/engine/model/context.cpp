#include "engine/model/context.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/model/detail/ops.h"
#include "engine/tensor/half.h"
#include "engine/tensor/quant.h"

namespace woolly::engine {

Context::Context(const Model& model, ThreadPool& pool)
    : model_(model), pool_(pool), max_batch_(model.options().max_batch) {
  const ModelConfig& c = model.config();
  const size_t b = static_cast<size_t>(max_batch_);
  const size_t q_dim = static_cast<size_t>(c.n_head) * c.head_dim;
  const size_t kv_dim = static_cast<size_t>(c.n_head_kv) * c.head_dim;
  x_.resize(b * c.n_embd);
  xn_.resize(b * c.n_embd);
  q_.resize(b * q_dim);
  k_.resize(b * kv_dim);
  v_.resize(b * kv_dim);
  attn_.resize(b * q_dim);
  gate_.resize(b * c.n_ff);
  up_.resize(b * c.n_ff);
  rope_cos_.resize(b * (c.n_rot / 2));
  rope_sin_.resize(b * (c.n_rot / 2));
  scores_.resize(static_cast<size_t>(pool.size()) * model.options().n_ctx);
  qh_.resize(static_cast<size_t>(pool.size()) * c.head_dim);
  const int64_t widest = std::max<int64_t>({c.n_embd, static_cast<int64_t>(q_dim), c.n_ff});
  // F32 inputs are the largest encoding (4 bytes per value).
  enc_.resize(b * widest * 4);
  logit_rows_.resize(b * c.n_embd);
}

Status Context::decode(std::span<const BatchItem> batch, std::span<float> logits,
                       std::span<float> hidden) {
  const ModelConfig& c = model_.config();
  size_t n_wanted = 0;
  int max_ctx = 0;
  Status status;
  for (const BatchItem& it : batch) it.cache->pending_ = 0;
  for (const BatchItem& it : batch) {
    if (it.cache == nullptr) {
      status = make_error(Errc::kInvalidArgument, "batch entry without a sequence cache");
      break;
    }
    if (it.token < 0 || it.token >= c.n_vocab) {
      status = make_error(Errc::kInvalidArgument, "token id " + std::to_string(it.token) +
                                                      " is outside the vocabulary (" +
                                                      std::to_string(c.n_vocab) + ")");
      break;
    }
    const int expected = it.cache->size() + it.cache->pending_;
    if (it.pos != expected) {
      status = make_error(Errc::kInvalidArgument, "position " + std::to_string(it.pos) +
                                                      " does not continue its sequence (expected " +
                                                      std::to_string(expected) + ")");
      break;
    }
    if (it.pos >= it.cache->capacity()) {
      status = make_error(Errc::kOutOfRange, "the sequence exceeds the context length of " +
                                                 std::to_string(it.cache->capacity()) + " tokens");
      break;
    }
    ++it.cache->pending_;
    max_ctx = std::max(max_ctx, it.cache->capacity());
    if (it.logits) ++n_wanted;
  }
  for (const BatchItem& it : batch) {
    if (it.cache != nullptr) it.cache->pending_ = 0;
  }
  WOOLLY_TRY(status);
  if (logits.size() < n_wanted * c.n_vocab) {
    return make_error(Errc::kInvalidArgument, "logits buffer too small");
  }
  if (!hidden.empty() && hidden.size() < batch.size() * c.n_embd) {
    return make_error(Errc::kInvalidArgument, "hidden-state buffer too small");
  }
  if (scores_.size() < static_cast<size_t>(pool_.size()) * max_ctx) {
    scores_.resize(static_cast<size_t>(pool_.size()) *
                   max_ctx);  // only for an unusually long cache
  }

  const Kernels& k = best_kernels();  // the SIMD target is chosen once per pass
  float* out_logits = logits.data();
  for (size_t start = 0; start < batch.size(); start += max_batch_) {
    const size_t n = std::min<size_t>(max_batch_, batch.size() - start);
    auto chunk = batch.subspan(start, n);
    forward_chunk(k, chunk, out_logits,
                  hidden.empty() ? nullptr : hidden.data() + start * c.n_embd);
    for (const BatchItem& it : chunk) {
      if (it.logits) out_logits += c.n_vocab;
    }
  }
  return {};
}

const std::byte* Context::encode(const Kernels& k, TensorType type, const float* src,
                                 int64_t n_rows, int64_t n_in, size_t& stride) {
  const DotInput in = dot_input_for(type);
  stride = dot_input_bytes(in, n_in);
  pool_.parallel_for(
      n_rows, [&](int64_t r) { k.encode(in, src + r * n_in, enc_.data() + r * stride, n_in); });
  return enc_.data();
}

void Context::project(const Kernels& k, const WeightView& w, const float* src, int64_t n_rows,
                      float* dst) {
  size_t stride = 0;
  const std::byte* enc = encode(k, w.type, src, n_rows, w.n_in, stride);
  matmul(k, pool_, w, enc, stride, n_rows, dst, w.n_out);
}

void Context::project_multi(const Kernels& k, std::initializer_list<MatmulJob> jobs,
                            const float* src, int64_t n_rows) {
  const DotInput in = dot_input_for(jobs.begin()->w->type);
  for (const MatmulJob& j : jobs) {
    if (dot_input_for(j.w->type) != in) {
      for (const MatmulJob& each : jobs) project(k, *each.w, src, n_rows, each.y);
      return;
    }
  }
  size_t stride = 0;
  const std::byte* enc =
      encode(k, jobs.begin()->w->type, src, n_rows, jobs.begin()->w->n_in, stride);
  matmul_multi(k, pool_, {jobs.begin(), jobs.size()}, enc, stride, n_rows);
}

void Context::forward_chunk(const Kernels& k, std::span<const BatchItem> items, float* logits,
                            float* hidden) {
  const ModelConfig& c = model_.config();
  const int64_t n = static_cast<int64_t>(items.size());
  const int64_t e = c.n_embd;
  const int64_t q_dim = int64_t{c.n_head} * c.head_dim;
  const int64_t kv_dim = int64_t{c.n_head_kv} * c.head_dim;

  for (int64_t t = 0; t < n; ++t) {
    const WeightView& emb = model_.token_embd();
    dequantize_row(emb.type, emb.row(items[t].token), x_.data() + t * e, e);
    ops::rope_table(c, items[t].pos, rope_cos_.data() + t * (c.n_rot / 2),
                    rope_sin_.data() + t * (c.n_rot / 2));
  }

  for (int layer = 0; layer < c.n_layer; ++layer) {
    const LayerWeights& l = model_.layers()[layer];
    // Attention block: x += Wo * attention(rope(Wq xn), rope(Wk xn), Wv xn), xn = rmsnorm(x).
    for (int64_t t = 0; t < n; ++t) {
      ops::rms_norm(x_.data() + t * e, l.attn_norm.data(), xn_.data() + t * e, e, c.rms_eps);
    }
    project_multi(k, {{&l.wq, q_.data()}, {&l.wk, k_.data()}, {&l.wv, v_.data()}}, xn_.data(), n);
    for (int64_t t = 0; t < n; ++t) {
      float* q = q_.data() + t * q_dim;
      float* kk = k_.data() + t * kv_dim;
      float* vv = v_.data() + t * kv_dim;
      if (c.qkv_bias) {
        for (int64_t i = 0; i < q_dim; ++i) q[i] += l.q_bias[i];
        for (int64_t i = 0; i < kv_dim; ++i) kk[i] += l.k_bias[i];
        for (int64_t i = 0; i < kv_dim; ++i) vv[i] += l.v_bias[i];
      }
      const float* cs = rope_cos_.data() + t * (c.n_rot / 2);
      const float* sn = rope_sin_.data() + t * (c.n_rot / 2);
      for (int h = 0; h < c.n_head; ++h) {
        float* qh = q + int64_t{h} * c.head_dim;
        if (c.qk_norm) ops::rms_norm(qh, l.q_norm.data(), qh, c.head_dim, c.rms_eps);
        ops::rope(c, qh, cs, sn);
      }
      for (int h = 0; h < c.n_head_kv; ++h) {
        float* kh = kk + int64_t{h} * c.head_dim;
        if (c.qk_norm) ops::rms_norm(kh, l.k_norm.data(), kh, c.head_dim, c.rms_eps);
        ops::rope(c, kh, cs, sn);
      }
      KvCache& cache = *items[t].cache;
      ops::store_kv(cache.type(), kk, cache.k_row(layer, items[t].pos), kv_dim);
      ops::store_kv(cache.type(), vv, cache.v_row(layer, items[t].pos), kv_dim);
    }
    attention(k, layer, items);
    project(k, l.wo, attn_.data(), n, xn_.data());
    for (int64_t i = 0; i < n * e; ++i) x_[i] += xn_[i];

    // Feed-forward block: x += Wdown * (silu(Wgate xn) * Wup xn), xn = rmsnorm(x).
    for (int64_t t = 0; t < n; ++t) {
      ops::rms_norm(x_.data() + t * e, l.ffn_norm.data(), xn_.data() + t * e, e, c.rms_eps);
    }
    project_multi(k, {{&l.w_gate, gate_.data()}, {&l.w_up, up_.data()}}, xn_.data(), n);
    ops::swiglu(gate_.data(), up_.data(), n * c.n_ff);
    project(k, l.w_down, gate_.data(), n, xn_.data());
    for (int64_t i = 0; i < n * e; ++i) x_[i] += xn_[i];
  }

  // Positions are committed only now that every layer has written them.
  for (int64_t t = 0; t < n; ++t) {
    KvCache& cache = *items[t].cache;
    cache.n_past_ = std::max(cache.n_past_, items[t].pos + 1);
  }

  int64_t n_rows = 0;
  for (int64_t t = 0; t < n; ++t) {
    float* out = xn_.data() + t * e;
    ops::rms_norm(x_.data() + t * e, model_.output_norm().data(), out, e, c.rms_eps);
    if (hidden != nullptr) std::memcpy(hidden + t * e, out, e * sizeof(float));
    if (items[t].logits) std::memcpy(logit_rows_.data() + n_rows++ * e, out, e * sizeof(float));
  }
  if (n_rows > 0) project(k, model_.output(), logit_rows_.data(), n_rows, logits);
}

void Context::attention(const Kernels& k, int layer, std::span<const BatchItem> items) {
  const ModelConfig& c = model_.config();
  const int64_t hd = c.head_dim;
  const int64_t q_dim = int64_t{c.n_head} * hd;
  const int group = c.n_head / c.n_head_kv;
  const float scale = 1.f / std::sqrt(static_cast<float>(hd));
  const size_t n_scores = scores_.size() / pool_.size();
  // One task per (token, head): out = sum_j softmax_j(q . k_j * scale) v_j over j <= pos.
  pool_.parallel_for_thread(
      static_cast<int64_t>(items.size()) * c.n_head, [&](int64_t task, int thread) {
        const int64_t t = task / c.n_head;
        const int h = static_cast<int>(task % c.n_head);
        const int kvh = h / group;
        const KvCache& cache = *items[t].cache;
        const int n_pos = items[t].pos + 1;
        float* scores = scores_.data() + thread * n_scores;
        float* qv = qh_.data() + thread * hd;
        ops::round_like_cache(cache.type(), q_.data() + t * q_dim + h * hd, qv, hd);
        float* out = attn_.data() + t * q_dim + h * hd;
        ops::attend(k, cache.type(), qv, hd, scale, n_pos,
                    cache.k_row(layer, 0) + kvh * hd * ops::kv_elem_bytes(cache.type()),
                    cache.v_row(layer, 0) + kvh * hd * ops::kv_elem_bytes(cache.type()),
                    cache.row_bytes(), scores, out);
      });
}

Result<std::vector<float>> Context::embed(std::span<const int32_t> tokens, KvCache& cache) {
  const ModelConfig& c = model_.config();
  if (tokens.empty()) return make_error(Errc::kInvalidArgument, "nothing to embed");
  cache.clear();
  std::vector<BatchItem> batch(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    batch[i] = {&cache, tokens[i], static_cast<int32_t>(i), false};
  }
  std::vector<float> hidden(tokens.size() * c.n_embd);
  WOOLLY_TRY(decode(batch, {}, hidden));
  std::vector<float> mean(c.n_embd, 0.f);
  for (size_t t = 0; t < tokens.size(); ++t) {
    for (int i = 0; i < c.n_embd; ++i) mean[i] += hidden[t * c.n_embd + i];
  }
  for (float& v : mean) v /= static_cast<float>(tokens.size());
  return mean;
}

}  // namespace woolly::engine
