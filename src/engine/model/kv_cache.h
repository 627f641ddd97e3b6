// Keys and values of one sequence, for every layer, up to a fixed context length. Allocated once;
// clear() and truncate() only move the length, so a cache can be reused by the next request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "engine/model/model_config.h"

namespace woolly::engine {

enum class KvType;

class KvCache {
 public:
  KvCache(const ModelConfig& config, int n_ctx, KvType type);

  int size() const { return n_past_; }  // positions stored
  int capacity() const { return n_ctx_; }
  KvType type() const { return type_; }
  size_t bytes() const { return bytes_; }
  void clear() { n_past_ = 0; }
  // Keeps the first n positions (n <= size()); used to reuse a shared prompt prefix.
  void truncate(int n) {
    if (n < n_past_) n_past_ = n < 0 ? 0 : n;
  }

  static size_t bytes_for(const ModelConfig& config, int n_ctx, KvType type);

  // Row of keys/values at position `pos` of layer `layer`: n_head_kv * head_dim elements
  // (uint16 halves for kF16, floats for kF32).
  std::byte* k_row(int layer, int pos) { return data_.get() + offset(layer, pos, 0); }
  std::byte* v_row(int layer, int pos) { return data_.get() + offset(layer, pos, 1); }
  const std::byte* k_row(int layer, int pos) const { return data_.get() + offset(layer, pos, 0); }
  const std::byte* v_row(int layer, int pos) const { return data_.get() + offset(layer, pos, 1); }
  size_t row_bytes() const { return row_bytes_; }

 private:
  friend class Context;
  size_t offset(int layer, int pos, int kv) const {
    return ((static_cast<size_t>(layer) * 2 + kv) * n_ctx_ + pos) * row_bytes_;
  }

  int n_ctx_;
  KvType type_;
  size_t row_bytes_;
  int n_past_ = 0;
  int pending_ = 0;  // positions claimed by the batch being validated (Context only)
  size_t bytes_;
  // Not zeroed: pages are committed as positions are written, and reads never pass n_past_.
  std::unique_ptr<std::byte[]> data_;
};

}  // namespace woolly::engine
