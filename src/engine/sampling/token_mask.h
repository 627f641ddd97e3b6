// The hook for constrained decoding (JSON schema, grammars): before every sampling step the
// caller's TokenConstraint fills a TokenMask with the tokens allowed next, and it is told which
// token was chosen. The sampler never sees a disallowed token, whatever its logit.
#pragma once

#include <cstdint>
#include <vector>

namespace woolly::engine {

// A set of token ids as a bitset over the vocabulary. Reused across steps: reset() does not
// allocate once the vocabulary size is known.
class TokenMask {
 public:
  TokenMask() = default;
  explicit TokenMask(int32_t n_vocab) { reset(n_vocab, false); }

  // Sizes the mask to n_vocab tokens, all allowed (or all denied).
  void reset(int32_t n_vocab, bool allowed) {
    n_vocab_ = n_vocab;
    words_.assign((static_cast<size_t>(n_vocab) + 63) / 64, allowed ? ~uint64_t{0} : 0);
  }
  void allow(int32_t token) { words_[word(token)] |= bit(token); }
  void deny(int32_t token) { words_[word(token)] &= ~bit(token); }
  bool allowed(int32_t token) const {
    return token >= 0 && token < n_vocab_ && (words_[word(token)] & bit(token)) != 0;
  }
  int32_t size() const { return n_vocab_; }

 private:
  static size_t word(int32_t token) { return static_cast<size_t>(token) >> 6; }
  static uint64_t bit(int32_t token) { return uint64_t{1} << (token & 63); }

  int32_t n_vocab_ = 0;
  std::vector<uint64_t> words_;
};

// Supplied by the serving layer per request. Called on the scheduler thread, once per step.
class TokenConstraint {
 public:
  virtual ~TokenConstraint() = default;
  // Fills `mask` (already sized to the vocabulary, all denied) with the tokens allowed next.
  // Leaving it empty means no token is acceptable; the generation then ends.
  virtual void allowed_tokens(TokenMask& mask) = 0;
  // The token that was sampled (always one the last mask allowed).
  virtual void accept(int32_t token) = 0;
};

}  // namespace woolly::engine
