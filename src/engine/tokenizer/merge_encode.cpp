// The two merge loops: byte-level BPE (lowest merge rank first) and SentencePiece BPE (highest
// token score first). Both keep the symbols of one word in a linked list over a flat array and
// a heap of candidate pairs; a popped pair whose symbols changed since it was pushed is stale
// and skipped. Ties go to the leftmost pair, as in llama.cpp, so the ids match it exactly.
#include <queue>

#include "engine/tokenizer/tokenizer.h"
#include "engine/tokenizer/unicode.h"

namespace woolly::engine {
namespace {

constexpr int32_t kMerged = -2;  // symbol absorbed into its left neighbour

struct BpeSymbol {
  int32_t id;
  int32_t prev;
  int32_t next;
};

struct BpePair {
  int32_t rank;
  int32_t left;  // symbol indices
  int32_t right;
  int32_t left_id;  // the symbols' token ids when the pair was pushed
  int32_t right_id;
  int32_t merged_id;
};

struct BpePairAfter {
  bool operator()(const BpePair& a, const BpePair& b) const {
    return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
  }
};

struct SpmSymbol {
  std::size_t offset;
  std::size_t length;  // 0 once absorbed into its left neighbour
  int32_t prev;
  int32_t next;
};

struct SpmPair {
  float score;
  int32_t left;
  int32_t right;
  std::size_t length;
};

struct SpmPairBelow {
  bool operator()(const SpmPair& a, const SpmPair& b) const {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

}  // namespace

void Tokenizer::encode_bpe_word(std::string_view word, std::vector<int32_t>& out) const {
  if (word.empty()) return;
  if (ignore_merges_) {
    std::string mapped;
    mapped.reserve(word.size() * 2);
    for (unsigned char c : word) append_utf8(mapped, byte_to_codepoint(c));
    if (const int32_t id = find_token(mapped); id != kNoToken) {
      out.push_back(id);
      return;
    }
  }
  const int32_t n = static_cast<int32_t>(word.size());
  std::vector<BpeSymbol> sym(n);
  for (int32_t i = 0; i < n; ++i) {
    sym[i] = {byte_token_[static_cast<unsigned char>(word[i])], i - 1, i + 1 < n ? i + 1 : -1};
  }
  std::priority_queue<BpePair, std::vector<BpePair>, BpePairAfter> queue;
  auto push_pair = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const int32_t a = sym[left].id;
    const int32_t b = sym[right].id;
    if (a < 0 || b < 0) return;
    const detail::MergeInfo* m = merges_.find(a, b);
    if (m == nullptr) return;
    queue.push({m->rank, left, right, a, b, m->id});
  };
  for (int32_t i = 1; i < n; ++i) push_pair(i - 1, i);

  while (!queue.empty()) {
    const BpePair p = queue.top();
    queue.pop();
    BpeSymbol& l = sym[p.left];
    BpeSymbol& r = sym[p.right];
    if (l.id != p.left_id || r.id != p.right_id) continue;  // stale
    l.id = p.merged_id;
    r.id = kMerged;
    l.next = r.next;
    if (r.next >= 0) sym[r.next].prev = p.left;
    push_pair(l.prev, p.left);
    push_pair(p.left, l.next);
  }
  // A byte whose mapped character is not a token cannot be encoded; llama.cpp drops it too.
  for (int32_t i = 0; i >= 0; i = sym[i].next) {
    if (sym[i].id >= 0) out.push_back(sym[i].id);
  }
}

void Tokenizer::encode_spm(std::string_view text, std::vector<int32_t>& out) const {
  if (text.empty()) return;
  std::vector<SpmSymbol> sym;
  sym.reserve(text.size());
  for (std::size_t off = 0; off < text.size();) {
    const std::size_t len =
        std::min(utf8_sequence_length(static_cast<uint8_t>(text[off])), text.size() - off);
    const int32_t index = static_cast<int32_t>(sym.size());
    sym.push_back({off, len, index - 1, off + len < text.size() ? index + 1 : -1});
    off += len;
  }
  std::priority_queue<SpmPair, std::vector<SpmPair>, SpmPairBelow> queue;
  auto push_pair = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const std::size_t len = sym[left].length + sym[right].length;
    const int32_t id = find_token(text.substr(sym[left].offset, len));
    if (id == kNoToken) return;
    const float score = vocab_.scores.empty() ? 0.0f : vocab_.scores[id];
    queue.push({score, left, right, len});
  };
  for (int32_t i = 1; i < static_cast<int32_t>(sym.size()); ++i) push_pair(i - 1, i);

  while (!queue.empty()) {
    const SpmPair p = queue.top();
    queue.pop();
    SpmSymbol& l = sym[p.left];
    SpmSymbol& r = sym[p.right];
    if (l.length == 0 || r.length == 0 || l.length + r.length != p.length) continue;  // stale
    l.length += r.length;
    r.length = 0;
    l.next = r.next;
    if (r.next >= 0) sym[r.next].prev = p.left;
    push_pair(l.prev, p.left);
    push_pair(p.left, l.next);
  }
  // Merged symbols are tokens by construction; a single character that is not falls back to
  // its UTF-8 bytes as <0xXX> tokens.
  for (int32_t i = 0; i >= 0; i = sym[i].next) {
    const std::string_view s = text.substr(sym[i].offset, sym[i].length);
    if (const int32_t id = find_token(s); id != kNoToken) {
      out.push_back(id);
      continue;
    }
    for (unsigned char c : s) {
      if (byte_token_[c] != kNoToken) out.push_back(byte_token_[c]);
    }
  }
}

}  // namespace woolly::engine
