#include "engine/runtime/tokenizer_text.h"

#include "engine/tokenizer/streaming_decoder.h"

namespace woolly::engine {

namespace {

class StreamingPieceDecoder : public PieceDecoder {
 public:
  // Generated text continues a prompt, so an SPM leading space is real text here.
  explicit StreamingPieceDecoder(const Tokenizer& tokenizer) : decoder_(tokenizer) {}
  void push(int32_t token, std::string& out) override { out += decoder_.push(token); }
  void flush(std::string& out) override { out += decoder_.flush(); }

 private:
  StreamingDecoder decoder_;
};

}  // namespace

std::unique_ptr<PieceDecoder> TokenizerText::decoder() const {
  return std::make_unique<StreamingPieceDecoder>(tokenizer_);
}

}  // namespace woolly::engine
