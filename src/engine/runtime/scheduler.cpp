#include "engine/runtime/scheduler.h"

#include <algorithm>
#include <string>

namespace woolly::engine {

Scheduler::Scheduler(DecodeModel& model, const TokenText* text, SchedulerOptions options)
    : model_(model), text_(text), options_(options) {
  options_.max_queue = std::max(1, options_.max_queue);
  options_.batch_tokens = std::max(1, options_.batch_tokens);
  n_slots_ = std::max(1, std::min(options_.max_active, model_.max_sequences()));
  options_.batch_tokens = std::max(options_.batch_tokens, static_cast<int>(n_slots_));
  for (int32_t s = n_slots_ - 1; s >= 0; --s) free_slots_.push_back(s);
  active_.reserve(static_cast<size_t>(n_slots_));
  batch_.reserve(static_cast<size_t>(options_.batch_tokens));
  batch_owner_.reserve(static_cast<size_t>(n_slots_));
  prefill_order_.reserve(static_cast<size_t>(n_slots_));
  logits_.resize(static_cast<size_t>(n_slots_) * static_cast<size_t>(model_.n_vocab()));
  thread_ = std::thread([this] { run(); });
}

Scheduler::~Scheduler() { shutdown(); }

Status Scheduler::submit(GenerationRequest request) {
  WOOLLY_TRY(validate(request.sampling));
  const auto n_prompt = static_cast<int64_t>(request.prompt.size());
  if (n_prompt == 0) return make_error(Errc::kInvalidArgument, "the prompt has no tokens");
  if (n_prompt >= model_.n_ctx()) {
    return make_error(Errc::kOutOfRange, "the prompt has " + std::to_string(n_prompt) +
                                             " tokens; the context holds " +
                                             std::to_string(model_.n_ctx()) +
                                             " including the answer");
  }
  for (int32_t t : request.prompt) {
    if (t < 0 || t >= model_.n_vocab()) {
      return make_error(Errc::kInvalidArgument,
                        "prompt token " + std::to_string(t) + " is outside the vocabulary");
    }
  }
  auto seq = std::make_unique<Sequence>(std::move(request), model_.n_vocab(), text_);
  {
    std::lock_guard lock(mu_);
    if (stopping_) return make_error(Errc::kUnavailable, "the engine is shutting down");
    if (static_cast<int>(queue_.size()) >= options_.max_queue) {
      return make_error(Errc::kUnavailable, "the engine queue is full (" +
                                                std::to_string(queue_.size()) +
                                                " requests waiting); retry later");
    }
    queue_.push_back(std::move(seq));
    stats_.queued = static_cast<int>(queue_.size());
  }
  cv_.notify_one();
  return {};
}

void Scheduler::shutdown() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

SchedulerStats Scheduler::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void Scheduler::run() {
  std::vector<std::unique_ptr<Sequence>> dropped;  // finished outside the lock
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty() || !active_.empty(); });
      if (stopping_) {
        for (auto& s : queue_) dropped.push_back(std::move(s));
        queue_.clear();
        break;
      }
      // Admission in arrival order while KV slots are free; cancelled requests never start.
      while (!queue_.empty() && !free_slots_.empty()) {
        auto seq = std::move(queue_.front());
        queue_.pop_front();
        if (seq->cancelled()) {
          dropped.push_back(std::move(seq));
          continue;
        }
        seq->slot = free_slots_.back();
        free_slots_.pop_back();
        seq->admitted = Sequence::Clock::now();
        active_.push_back(std::move(seq));
      }
      stats_.queued = static_cast<int>(queue_.size());
      stats_.active = static_cast<int>(active_.size());
    }
    for (auto& s : dropped) s->finish(FinishReason::kCancelled);
    dropped.clear();

    for (auto& s : active_) {
      if (s->cancelled()) s->finish(FinishReason::kCancelled);
    }
    retire_finished();
    if (active_.empty()) continue;
    if (build_batch()) run_batch();
    retire_finished();
  }
  for (auto& s : active_) s->finish(FinishReason::kCancelled);
  retire_finished();
  for (auto& s : dropped) s->finish(FinishReason::kCancelled);
}

bool Scheduler::build_batch() {
  batch_.clear();
  batch_owner_.clear();
  int budget = options_.batch_tokens;
  const int32_t n_ctx = model_.n_ctx();
  size_t n_prefill = 0;
  for (auto& s : active_) {
    const auto n_prompt = static_cast<int32_t>(s->request().prompt.size());
    if (s->n_past < n_prompt) {
      ++n_prefill;
      continue;
    }
    if (s->n_past >= n_ctx) {  // no room for the token just sampled
      s->finish(FinishReason::kLength);
      continue;
    }
    batch_.push_back({s->last_token(), s->n_past, s->slot, true});
    batch_owner_.push_back(s.get());
    s->n_past++;
    --budget;
  }
  if (n_prefill > 0 && budget > 0) {
    // Share the rest of the budget among prompts, starting at a rotating one so that
    // leftovers from rounding do not always favour the same request.
    auto& order = prefill_order_;
    order.clear();
    for (auto& s : active_) {
      if (s->n_past < static_cast<int32_t>(s->request().prompt.size())) order.push_back(s.get());
    }
    std::rotate(order.begin(), order.begin() + static_cast<long>(prefill_cursor_ % n_prefill),
                order.end());
    ++prefill_cursor_;
    for (size_t i = 0; i < order.size() && budget > 0; ++i) {
      Sequence* s = order[i];
      const auto& prompt = s->request().prompt;
      const int share = (budget + static_cast<int>(order.size() - i) - 1) /
                        static_cast<int>(order.size() - i);
      const int32_t chunk =
          std::min<int32_t>(static_cast<int32_t>(prompt.size()) - s->n_past, share);
      for (int32_t k = 0; k < chunk; ++k) {
        const int32_t pos = s->n_past + k;
        const bool last = pos + 1 == static_cast<int32_t>(prompt.size());
        batch_.push_back({prompt[pos], pos, s->slot, last});
        if (last) batch_owner_.push_back(s);
      }
      s->n_past += chunk;
      budget -= chunk;
    }
  }
  return !batch_.empty();
}

void Scheduler::run_batch() {
  const auto n_vocab = static_cast<size_t>(model_.n_vocab());
  std::span<float> out(logits_.data(), batch_owner_.size() * n_vocab);
  Status st = model_.decode(batch_, out);
  {
    std::lock_guard lock(mu_);
    stats_.steps++;
  }
  if (!st.ok()) {
    // The caches of every sequence in the batch are now in an unknown state.
    for (auto& s : active_) s->finish(FinishReason::kError, st.error());
    return;
  }
  for (size_t i = 0; i < batch_owner_.size(); ++i) {
    batch_owner_[i]->step(out.subspan(i * n_vocab, n_vocab));
  }
}

void Scheduler::retire_finished() {
  size_t done = 0;
  for (auto& s : active_) {
    if (!s->finished()) continue;
    model_.clear_sequence(s->slot);
    free_slots_.push_back(s->slot);
    s.reset();
    ++done;
  }
  if (done == 0) return;
  std::erase_if(active_, [](const auto& s) { return s == nullptr; });
  std::lock_guard lock(mu_);
  stats_.completed += done;
  stats_.active = static_cast<int>(active_.size());
}

}  // namespace woolly::engine
