#include "engine/tokenizer/streaming_decoder.h"

#include "engine/tokenizer/unicode.h"

namespace woolly::engine {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

std::string StreamingDecoder::push(int32_t id) {
  std::string piece = tokenizer_->token_to_piece(id, options_.unparse_special);
  if (first_) {
    first_ = false;
    const Vocab& v = tokenizer_->vocab();
    if (options_.starts_text && v.model == TokenizerModel::kSpm && v.add_space_prefix &&
        id != v.bos && !piece.empty() && piece.front() == ' ') {
      piece.erase(0, 1);
    }
  }
  pending_ += piece;

  std::string out;
  std::size_t start = 0;
  while (start < pending_.size()) {
    const Utf8Prefix p = utf8_valid_prefix(std::string_view(pending_).substr(start));
    out.append(pending_, start, p.valid);
    start += p.valid;
    if (start == pending_.size() || p.incomplete_tail) break;
    out.append(kReplacement);  // a byte no continuation can repair
    ++start;
  }
  pending_.erase(0, start);
  return out;
}

std::string StreamingDecoder::flush() {
  std::string out;
  if (!pending_.empty()) out.append(kReplacement);
  pending_.clear();
  return out;
}

}  // namespace woolly::engine
