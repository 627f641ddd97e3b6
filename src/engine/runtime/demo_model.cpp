#include "engine/runtime/demo_model.h"

#include <filesystem>
#include <system_error>

#include "engine/runtime/detail/demo_text.h"
#include "engine/tokenizer/bpe_builder.h"
#include "engine/tokenizer/tokenizer.h"

namespace woolly::engine {

namespace {

// ChatML, the format the demo tokenizer's special tokens are made for.
constexpr std::string_view kChatMlTemplate =
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

// Whether a token's bytes are complete UTF-8 without control characters (newline and tab
// allowed): the tokens a reader would see as text.
bool is_text(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<uint8_t>(s[i]);
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    if (len == 1 && c < 0x20 && c != '\n' && c != '\t') return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<uint8_t>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

}  // namespace

Result<DemoSize> parse_demo_size(std::string_view name) {
  if (name == "tiny") return DemoSize::kTiny;
  if (name == "small") return DemoSize::kSmall;
  return make_error(Errc::kInvalidArgument,
                    "unknown demo model size '" + std::string(name) + "' (tiny or small)");
}

const char* demo_size_name(DemoSize size) { return size == DemoSize::kTiny ? "tiny" : "small"; }

Result<RandomLlamaSpec> demo_model_spec(DemoSize size) {
  BpeBuilderOptions bo;
  bo.vocab_size = size == DemoSize::kTiny ? 512 : 2048;
  WOOLLY_ASSIGN_OR_RETURN(Vocab vocab, build_bpe_vocab(detail::kDemoTrainingText, bo));
  RandomLlamaSpec spec;
  {
    WOOLLY_ASSIGN_OR_RETURN(Tokenizer tok, Tokenizer::from_vocab(vocab));
    for (int32_t id = 0; id < tok.n_vocab(); ++id) {
      if (tok.token_type(id) == TokenType::kControl) continue;
      if (!is_text(tok.token_to_piece(id))) spec.quiet_tokens.push_back(id);
    }
  }
  spec.name = std::string("woolly-demo-") + demo_size_name(size);
  spec.vocab = std::move(vocab);
  spec.chat_template = std::string(kChatMlTemplate);
  spec.seed = size == DemoSize::kTiny ? 20251121 : 20251122;
  if (size == DemoSize::kTiny) {
    spec.shape = LlamaShape{.n_layer = 2, .n_embd = 64, .n_head = 4, .n_head_kv = 2, .n_ff = 192,
                            .n_ctx = 2048};
    spec.type = TensorType::kF32;
  } else {
    spec.shape = LlamaShape{.n_layer = 8, .n_embd = 512, .n_head = 8, .n_head_kv = 4,
                            .n_ff = 1536, .n_ctx = 4096};
    spec.type = TensorType::kQ8_0;
  }
  return spec;
}

Status create_demo_model(const std::string& path, DemoSize size) {
  WOOLLY_ASSIGN_OR_RETURN(RandomLlamaSpec spec, demo_model_spec(size));
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return make_error(Errc::kIo, "cannot create " + parent.string() + ": " + ec.message());
    }
  }
  return write_random_llama(path, spec);
}

}  // namespace woolly::engine
