// A deterministic stand-in for a model, for testing the runtime's bookkeeping: the logits of a
// position are a hash of the whole sequence up to it, so any mix-up of slots, positions or
// batch rows changes the output. It also checks the DecodeModel contract on every call.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "engine/runtime/decode_model.h"
#include "engine/runtime/token_text.h"

namespace woolly::engine::testing {

class FakeModel : public DecodeModel {
 public:
  FakeModel(int32_t n_vocab, int32_t n_ctx, int32_t slots)
      : n_vocab_(n_vocab), n_ctx_(n_ctx), history_(static_cast<size_t>(slots)) {}

  int32_t n_vocab() const override { return n_vocab_; }
  int32_t n_ctx() const override { return n_ctx_; }
  int32_t max_sequences() const override { return static_cast<int32_t>(history_.size()); }

  Status decode(std::span<const BatchEntry> batch, std::span<float> out) override {
    if (step_delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(step_delay_ms));
    max_batch = std::max<int>(max_batch, static_cast<int>(batch.size()));
    calls++;
    size_t row = 0;
    for (const auto& e : batch) {
      auto& h = history_.at(static_cast<size_t>(e.seq));
      if (e.pos != static_cast<int32_t>(h.size()) || e.pos >= n_ctx_) {
        return make_error(Errc::kInternal, "position " + std::to_string(e.pos) + " breaks slot " +
                                               std::to_string(e.seq));
      }
      h.push_back(e.token);
      if (!e.logits) continue;
      uint64_t x = 1469598103934665603ull;
      for (int32_t t : h) x = (x ^ static_cast<uint64_t>(t)) * 1099511628211ull;
      for (int32_t v = 0; v < n_vocab_; ++v) {
        uint64_t y = (x + static_cast<uint64_t>(v)) * 0x9E3779B97F4A7C15ull;
        y ^= y >> 29;
        out[row * n_vocab_ + v] = static_cast<float>(y % 1000) / 100.0f;
      }
      ++row;
    }
    return {};
  }
  void clear_sequence(int32_t seq) override { history_.at(static_cast<size_t>(seq)).clear(); }

  std::atomic<int> step_delay_ms{0};
  std::atomic<int> max_batch{0};
  std::atomic<int> calls{0};

 private:
  int32_t n_vocab_;
  int32_t n_ctx_;
  std::vector<std::vector<int32_t>> history_;
};

// Token t reads as the letter 'a' + t % 26; token 0 ends a generation.
class LetterText : public TokenText {
 public:
  class Decoder : public PieceDecoder {
   public:
    void push(int32_t token, std::string& out) override { out += char('a' + token % 26); }
    void flush(std::string&) override {}
  };
  bool is_eog(int32_t token) const override { return token == 0; }
  std::unique_ptr<PieceDecoder> decoder() const override { return std::make_unique<Decoder>(); }
};

}  // namespace woolly::engine::testing
