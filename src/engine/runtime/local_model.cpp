#include "engine/runtime/local_model.h"

#include <algorithm>
#include <string>
#include <thread>

#include "engine/gguf/gguf_file.h"
#include "engine/model/model.h"

namespace woolly::engine {

Result<std::unique_ptr<LocalModel>> LocalModel::load(const std::string& path,
                                                     const LocalModelOptions& options) {
  ModelOptions mo;
  mo.kv_type = options.f32_kv ? KvType::kF32 : KvType::kF16;
  mo.n_ctx = options.n_ctx;
  mo.max_batch = std::max(1, options.batch_tokens);
  WOOLLY_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, Model::load(path, mo));
  WOOLLY_ASSIGN_OR_RETURN(Tokenizer tokenizer, Tokenizer::from_gguf(model->file()));
  if (tokenizer.n_vocab() != model->config().n_vocab) {
    return make_error(Errc::kCorruptData,
                      "the vocabulary has " + std::to_string(tokenizer.n_vocab()) +
                          " tokens but the model's output has " +
                          std::to_string(model->config().n_vocab));
  }
  return std::unique_ptr<LocalModel>(
      new LocalModel(std::move(model), std::move(tokenizer), options));
}

LocalModel::LocalModel(std::unique_ptr<Model> model, Tokenizer tokenizer,
                       const LocalModelOptions& options)
    : options_(options),
      model_(std::move(model)),
      tokenizer_(std::move(tokenizer)),
      text_(tokenizer_) {
  int threads = options.threads;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options_.threads = threads;
  pool_ = std::make_unique<ThreadPool>(threads);
  context_ = std::make_unique<Context>(*model_, *pool_);
  const int slots = std::max(1, options.max_sequences);
  for (int s = 0; s < slots; ++s) caches_.push_back(model_->new_cache());
  items_.reserve(static_cast<size_t>(std::max(1, options.batch_tokens)));
}

LocalModel::~LocalModel() = default;

int32_t LocalModel::n_vocab() const { return model_->config().n_vocab; }
int32_t LocalModel::n_ctx() const { return caches_.front()->capacity(); }
int LocalModel::threads() const { return options_.threads; }

Status LocalModel::decode(std::span<const BatchEntry> batch, std::span<float> logits_out) {
  items_.clear();
  for (const auto& e : batch) {
    if (e.seq < 0 || e.seq >= max_sequences()) {
      return make_error(Errc::kInternal, "sequence slot " + std::to_string(e.seq) + " is unknown");
    }
    items_.push_back({caches_[static_cast<size_t>(e.seq)].get(), e.token, e.pos, e.logits});
  }
  return context_->decode(items_, logits_out);
}

void LocalModel::clear_sequence(int32_t seq) {
  if (seq >= 0 && seq < max_sequences()) caches_[static_cast<size_t>(seq)]->clear();
}

std::vector<int32_t> LocalModel::encode_prompt(std::string_view text, bool parse_special) const {
  EncodeOptions eo;
  eo.add_special = true;  // BOS exactly when the vocabulary asks for it, as llama.cpp does
  eo.parse_special = parse_special;
  return tokenizer_.encode(text, eo);
}

}  // namespace woolly::engine
