#include "engine/tensor/matmul.h"

#include <algorithm>
#include <cassert>

namespace woolly::engine {
namespace {

// y[t][r] = W[r] . x_t for r in [r0, r1), all t; four tokens at a time where the type has a
// four-row kernel (the weight block is unpacked once for the four).
void rows(const Kernels& k, const WeightView& w, int64_t r0, int64_t r1, const std::byte* x,
          size_t x_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  const Kernels::DotFn dot = k.dot_for(w.type);
  const Kernels::Dot4Fn dot4 = k.dot4_for(w.type);
  for (int64_t r = r0; r < r1; ++r) {
    const std::byte* wr = w.row(r);
    int64_t t = 0;
    if (dot4 != nullptr) {
      float out[4];
      for (; t + 4 <= n_tokens; t += 4) {
        dot4(wr, x + t * x_stride, x_stride, w.n_in, out);
        for (int i = 0; i < 4; ++i) y[(t + i) * y_stride + r] = out[i];
      }
    }
    for (; t < n_tokens; ++t) y[t * y_stride + r] = dot(wr, x + t * x_stride, w.n_in);
  }
}

}  // namespace

void matmul(const Kernels& k, ThreadPool& pool, const WeightView& w, const std::byte* x,
            size_t x_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  // Chunks of output rows: enough tasks to balance threads; within a chunk each weight row is
  // read once while the (smaller) token rows stay in cache.
  const int64_t n_chunks = std::min<int64_t>(w.n_out, int64_t{pool.size()} * 8);
  const int64_t per_chunk = (w.n_out + n_chunks - 1) / n_chunks;
  pool.parallel_for(n_chunks, [&](int64_t chunk) {
    const int64_t r0 = chunk * per_chunk;
    rows(k, w, r0, std::min(w.n_out, r0 + per_chunk), x, x_stride, n_tokens, y, y_stride);
  });
}

void matmul_multi(const Kernels& k, ThreadPool& pool, std::span<const MatmulJob> jobs,
                  const std::byte* x, size_t x_stride, int64_t n_tokens) {
  int64_t total = 0;
  for (const MatmulJob& j : jobs) total += j.w->n_out;
  if (total == 0) return;
  // The same chunk size for every matrix; task ids run through the jobs in order.
  const int64_t n_chunks = std::min<int64_t>(total, int64_t{pool.size()} * 8);
  const int64_t per_chunk = (total + n_chunks - 1) / n_chunks;
  assert(jobs.size() <= kMaxMatmulJobs);
  int64_t first_task[kMaxMatmulJobs] = {};
  int64_t n_tasks = 0;
  for (size_t j = 0; j < jobs.size(); ++j) {
    first_task[j] = n_tasks;
    n_tasks += (jobs[j].w->n_out + per_chunk - 1) / per_chunk;
  }
  pool.parallel_for(n_tasks, [&](int64_t task) {
    size_t j = 0;
    while (j + 1 < jobs.size() && task >= first_task[j + 1]) ++j;
    const WeightView& w = *jobs[j].w;
    const int64_t r0 = (task - first_task[j]) * per_chunk;
    rows(k, w, r0, std::min(w.n_out, r0 + per_chunk), x, x_stride, n_tokens, jobs[j].y, w.n_out);
  });
}

}  // namespace woolly::engine
