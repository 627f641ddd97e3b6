#include "engine/model/kv_cache.h"

#include "engine/model/model.h"

namespace woolly::engine {

KvCache::KvCache(const ModelConfig& config, int n_ctx, KvType type)
    : n_ctx_(n_ctx),
      type_(type),
      row_bytes_(static_cast<size_t>(config.n_head_kv) * config.head_dim *
                 (type == KvType::kF16 ? 2 : 4)),
      bytes_(bytes_for(config, n_ctx, type)),
      data_(new std::byte[bytes_]) {}

size_t KvCache::bytes_for(const ModelConfig& config, int n_ctx, KvType type) {
  return static_cast<size_t>(config.n_layer) * 2 * n_ctx * config.n_head_kv * config.head_dim *
         (type == KvType::kF16 ? 2 : 4);
}

}  // namespace woolly::engine
