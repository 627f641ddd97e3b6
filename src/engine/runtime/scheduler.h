// The batch scheduler: one thread owns the model and decodes all active sequences together, one
// batched forward step at a time. Requests wait in a bounded queue; a full queue refuses at once
// (Errc::kUnavailable, so the server can answer 503 with Retry-After) instead of failing later.
//
// Every step: drop cancelled sequences, admit queued requests in arrival order while KV slots
// are free, then build one batch: one token for every decoding sequence, and the rest of the
// token budget shared among prompts still being prefilled, so one long prompt delays the
// others' next token by at most one step's worth of work.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/result.h"
#include "engine/runtime/decode_model.h"
#include "engine/runtime/request.h"
#include "engine/runtime/sequence.h"
#include "engine/runtime/token_text.h"

namespace woolly::engine {

struct SchedulerOptions {
  int max_queue = 64;     // requests waiting for a slot; more are refused
  int max_active = 8;     // sequences decoded together (capped by the model's KV slots)
  int batch_tokens = 512; // tokens per forward step (decode tokens + prompt chunks)
};

struct SchedulerStats {
  int queued = 0;
  int active = 0;
  uint64_t steps = 0;
  uint64_t completed = 0;
};

class Scheduler {
 public:
  // `model` and `text` (may be null: token ids only) must outlive the scheduler.
  Scheduler(DecodeModel& model, const TokenText* text, SchedulerOptions options = {});
  ~Scheduler();  // cancels what is left (on_done with kCancelled) and joins the thread
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Queues a request. Errors, returned at once without calling on_done: kUnavailable when the
  // queue is full or the scheduler is stopping; kOutOfRange when the prompt does not fit the
  // context; kInvalidArgument for an empty prompt, bad sampling values or tokens out of range.
  Status submit(GenerationRequest request);

  // Stops admitting, cancels queued and active requests, joins the thread. Idempotent.
  void shutdown();

  SchedulerStats stats() const;

 private:
  void run();
  void admit_locked();
  bool build_batch();
  void run_batch();
  void retire_finished();

  DecodeModel& model_;
  const TokenText* text_;
  SchedulerOptions options_;
  int32_t n_slots_;

  mutable std::mutex mu_;  // guards queue_, stopping_, stats_ (engine thread and submitters)
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Sequence>> queue_;
  bool stopping_ = false;
  SchedulerStats stats_;

  // Engine thread only.
  std::vector<std::unique_ptr<Sequence>> active_;
  std::vector<int32_t> free_slots_;
  std::vector<BatchEntry> batch_;
  std::vector<Sequence*> batch_owner_;  // per logits row: the sequence it belongs to
  std::vector<Sequence*> prefill_order_;
  std::vector<float> logits_;
  size_t prefill_cursor_ = 0;  // round-robin start among prefilling sequences

  std::thread thread_;
};

}  // namespace woolly::engine
