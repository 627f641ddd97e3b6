// What the generation runtime needs from a model: a batched forward step over tokens of several
// sequences, each sequence with its own KV-cache slot. The engine's Model is adapted to this in
// engine_model.h; tests may run the runtime over any implementation.
#pragma once

#include <cstdint>
#include <span>

#include "common/result.h"

namespace woolly::engine {

struct BatchEntry {
  int32_t token = 0;
  int32_t pos = 0;     // position in its sequence (0 = first prompt token)
  int32_t seq = 0;     // KV-cache slot, 0 <= seq < max_sequences()
  bool logits = false; // produce a logits row for this entry
};

class DecodeModel {
 public:
  virtual ~DecodeModel() = default;
  virtual int32_t n_vocab() const = 0;
  virtual int32_t n_ctx() const = 0;          // positions per sequence
  virtual int32_t max_sequences() const = 0;  // KV-cache slots
  // Appends the entries to their sequences' caches and writes one row of n_vocab logits per
  // entry with `logits` set, in batch order, to `logits_out`. Entries of one sequence are in
  // increasing consecutive positions continuing that sequence's cache.
  virtual Status decode(std::span<const BatchEntry> batch, std::span<float> logits_out) = 0;
  // Forgets a sequence's cache so the slot can start a new sequence at position 0.
  virtual void clear_sequence(int32_t seq) = 0;
};

}  // namespace woolly::engine
