// Token ids back to bytes.
#include "engine/tokenizer/tokenizer.h"
#include "engine/tokenizer/unicode.h"

namespace woolly::engine {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

// The piece with special tokens written as their text; token_to_piece hides them on request.
std::string Tokenizer::piece_of(int32_t id) const {
  const std::string& text = vocab_.tokens[id];
  switch (token_type(id)) {
    case TokenType::kControl:
    case TokenType::kUnknown:
    case TokenType::kUserDefined:
      return text;
    case TokenType::kUnused:
      return {};
    case TokenType::kByte:
      if (vocab_.model == TokenizerModel::kSpm) {
        // "<0xXX>"
        if (text.size() == 6 && hex_digit(text[3]) >= 0 && hex_digit(text[4]) >= 0) {
          return std::string(1, static_cast<char>(hex_digit(text[3]) * 16 + hex_digit(text[4])));
        }
        return {};
      }
      return {};
    case TokenType::kNormal:
    case TokenType::kUndefined:
      break;
  }
  std::string out;
  out.reserve(text.size());
  if (vocab_.model == TokenizerModel::kSpm) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text.compare(i, 3, "\xE2\x96\x81") == 0) {
        out.push_back(' ');
        i += 2;
      } else {
        out.push_back(text[i]);
      }
    }
    return out;
  }
  // Byte-level BPE: every code point stands for one byte. One that does not (a vocabulary
  // with unmapped text) is kept as its UTF-8 rather than dropped.
  std::vector<uint32_t> cps;
  decode_utf8(text, cps);
  for (const uint32_t cp : cps) {
    const int b = codepoint_to_byte(cp);
    if (b >= 0) {
      out.push_back(static_cast<char>(b));
    } else {
      append_utf8(out, cp);
    }
  }
  return out;
}

std::string Tokenizer::token_to_piece(int32_t id, bool special) const {
  if (id < 0 || id >= n_vocab()) return {};
  const TokenType type = token_type(id);
  if (!special && (type == TokenType::kControl || type == TokenType::kUnknown)) return {};
  return pieces_[id];
}

std::string Tokenizer::decode(std::span<const int32_t> ids, const DecodeOptions& options) const {
  // llama_detokenize: the space an SPM vocabulary prefixes to the text is removed from the first
  // piece, unless the ids start with BOS (the removal then applies to BOS's empty piece, so a
  // "▁Hello" after BOS decodes to " Hello": what the model saw).
  bool strip_space = vocab_.model == TokenizerModel::kSpm && vocab_.add_space_prefix;
  if (options.remove_special && vocab_.add_bos && !ids.empty() && ids.front() == vocab_.bos) {
    strip_space = false;
    ids = ids.subspan(1);
  }
  if (options.remove_special && vocab_.add_eos && !ids.empty() && ids.back() == vocab_.eos) {
    ids = ids.subspan(0, ids.size() - 1);
  }
  std::string out;
  for (const int32_t id : ids) {
    std::string piece = token_to_piece(id, options.unparse_special);
    if (strip_space && !piece.empty() && piece.front() == ' ') piece.erase(0, 1);
    strip_space = false;
    out += piece;
  }
  return out;
}

}  // namespace woolly::engine
