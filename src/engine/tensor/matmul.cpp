#include "engine/tensor/matmul.h"

#include <algorithm>

namespace woolly::engine {

void matmul(const Kernels& k, ThreadPool& pool, const WeightView& w, const std::byte* x,
            size_t x_stride, int64_t n_tokens, float* y, int64_t y_stride) {
  const Kernels::DotFn dot = k.dot_for(w.type);
  const Kernels::Dot4Fn dot4 = k.dot4_for(w.type);
  // Chunks of output rows: enough tasks to balance threads, each large enough that a weight row
  // is read once per chunk while all token rows (small) stay in cache.
  const int64_t n_chunks = std::min<int64_t>(w.n_out, int64_t{pool.size()} * 8);
  const int64_t rows_per_chunk = (w.n_out + n_chunks - 1) / n_chunks;
  pool.parallel_for(n_chunks, [&](int64_t chunk) {
    const int64_t r0 = chunk * rows_per_chunk;
    const int64_t r1 = std::min(w.n_out, r0 + rows_per_chunk);
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
  });
}

}  // namespace woolly::engine
