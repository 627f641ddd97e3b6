// A GGUF model ready to generate: weights, tokenizer, compute threads and one KV cache per
// sequence slot, behind the DecodeModel interface the Generator and the Scheduler use. This is
// what the CLI commands and the local backend load.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "engine/model/context.h"
#include "engine/runtime/decode_model.h"
#include "engine/runtime/tokenizer_text.h"
#include "engine/tokenizer/tokenizer.h"

namespace woolly::engine {

struct LocalModelOptions {
  int threads = 0;        // compute threads; 0 = hardware concurrency
  int n_ctx = 0;          // per sequence; 0 = min(trained context, 4096)
  int max_sequences = 1;  // KV-cache slots (sequences decoded together)
  int batch_tokens = 512; // tokens per forward step
  bool f32_kv = false;    // F32 instead of F16 KV cache
};

class LocalModel : public DecodeModel {
 public:
  static Result<std::unique_ptr<LocalModel>> load(const std::string& path,
                                                  const LocalModelOptions& options);
  ~LocalModel() override;

  int32_t n_vocab() const override;
  int32_t n_ctx() const override;
  int32_t max_sequences() const override { return static_cast<int32_t>(caches_.size()); }
  Status decode(std::span<const BatchEntry> batch, std::span<float> logits_out) override;
  void clear_sequence(int32_t seq) override;

  const Model& model() const { return *model_; }
  const Tokenizer& tokenizer() const { return tokenizer_; }
  const TokenText& text() const { return text_; }
  int threads() const;
  const LocalModelOptions& options() const { return options_; }

  // Prompt tokens as `generate` and `eval` feed them: BOS as the vocabulary asks.
  std::vector<int32_t> encode_prompt(std::string_view text, bool parse_special) const;

 private:
  LocalModel(std::unique_ptr<Model> model, Tokenizer tokenizer, const LocalModelOptions& options);

  LocalModelOptions options_;
  std::unique_ptr<Model> model_;
  Tokenizer tokenizer_;
  TokenizerText text_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<Context> context_;
  std::vector<std::unique_ptr<KvCache>> caches_;
  std::vector<BatchItem> items_;  // decode() scratch, sized once
};

}  // namespace woolly::engine
