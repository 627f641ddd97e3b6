#include "engine/tokenizer/gguf_vocab.h"

#include <string>

#include "engine/tokenizer/pre_tokenizer.h"
#include "engine/tokenizer/tokenizer.h"

namespace woolly::engine {
namespace {

// An optional key: absent keeps `value`; present but of the wrong type is an error.
template <typename T, typename Getter>
Status read_optional(const GgufFile& f, std::string_view key, T& value, Getter get) {
  if (!f.has(key)) return {};
  auto r = (f.*get)(key);
  if (!r.ok()) return r.take_error();
  value = static_cast<T>(*r);
  return {};
}

Status read_id(const GgufFile& f, std::string_view key, int32_t& id) {
  if (!f.has(key)) return {};
  WOOLLY_ASSIGN_OR_RETURN(const int64_t v, f.get_int(key));
  // Some converters write -1 (or UINT32_MAX) for "none".
  id = v < 0 || v > INT32_MAX ? kNoToken : static_cast<int32_t>(v);
  return {};
}

}  // namespace

Result<Vocab> load_vocab(const GgufFile& f) {
  if (!f.has("tokenizer.ggml.model")) {
    return make_error(Errc::kNotFound, "the model file has no tokenizer (tokenizer.ggml.model)");
  }
  WOOLLY_ASSIGN_OR_RETURN(const std::string_view model, f.get_string("tokenizer.ggml.model"));
  Vocab v;
  if (model == "llama") {
    v.model = TokenizerModel::kSpm;
    v.unk = 0;
    v.bos = 1;
    v.eos = 2;
    v.add_bos = true;
    v.add_space_prefix = true;
  } else if (model == "gpt2") {
    v.model = TokenizerModel::kBpe;
  } else {
    return make_error(Errc::kUnsupported, "tokenizer model '" + std::string(model) +
                                              "' is not supported (only 'llama' and 'gpt2')");
  }
  if (f.has("tokenizer.ggml.pre")) {
    WOOLLY_ASSIGN_OR_RETURN(const std::string_view pre, f.get_string("tokenizer.ggml.pre"));
    v.pre = std::string(pre);
  }
  if (f.has("general.name")) {
    WOOLLY_ASSIGN_OR_RETURN(const std::string_view name, f.get_string("general.name"));
    for (const char c : name) v.model_name.push_back(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  if (v.model == TokenizerModel::kBpe) {
    WOOLLY_ASSIGN_OR_RETURN(const PreTokenizer pre, pre_tokenizer_from_name(v.pre));
    v.add_bos = pre_tokenizer_adds_bos(pre);
  }

  WOOLLY_ASSIGN_OR_RETURN(const auto tokens, f.get_string_array("tokenizer.ggml.tokens"));
  v.tokens.assign(tokens.begin(), tokens.end());
  if (f.has("tokenizer.ggml.scores")) {
    WOOLLY_ASSIGN_OR_RETURN(v.scores, f.get_float_array("tokenizer.ggml.scores"));
  }
  if (f.has("tokenizer.ggml.token_type")) {
    WOOLLY_ASSIGN_OR_RETURN(const auto types, f.get_int_array("tokenizer.ggml.token_type"));
    v.types.reserve(types.size());
    for (const int64_t t : types) {
      if (t < 0 || t > static_cast<int64_t>(TokenType::kByte)) {
        return make_error(Errc::kCorruptData,
                          "tokenizer.ggml.token_type holds unknown type " + std::to_string(t));
      }
      v.types.push_back(static_cast<TokenType>(t));
    }
  }
  if (f.has("tokenizer.ggml.merges")) {
    WOOLLY_ASSIGN_OR_RETURN(const auto merges, f.get_string_array("tokenizer.ggml.merges"));
    v.merges.assign(merges.begin(), merges.end());
  }
  WOOLLY_TRY(read_id(f, "tokenizer.ggml.bos_token_id", v.bos));
  WOOLLY_TRY(read_id(f, "tokenizer.ggml.eos_token_id", v.eos));
  WOOLLY_TRY(read_id(f, "tokenizer.ggml.eot_token_id", v.eot));
  WOOLLY_TRY(read_id(f, "tokenizer.ggml.eom_token_id", v.eom));
  WOOLLY_TRY(read_id(f, "tokenizer.ggml.unknown_token_id", v.unk));
  WOOLLY_TRY(read_id(f, "tokenizer.ggml.padding_token_id", v.pad));
  WOOLLY_TRY(read_optional(f, "tokenizer.ggml.add_bos_token", v.add_bos, &GgufFile::get_bool));
  WOOLLY_TRY(read_optional(f, "tokenizer.ggml.add_eos_token", v.add_eos, &GgufFile::get_bool));
  WOOLLY_TRY(
      read_optional(f, "tokenizer.ggml.add_space_prefix", v.add_space_prefix, &GgufFile::get_bool));
  return v;
}

void write_vocab(GgufWriter& w, const Vocab& v) {
  w.set_string("tokenizer.ggml.model", v.model == TokenizerModel::kSpm ? "llama" : "gpt2");
  if (!v.pre.empty()) w.set_string("tokenizer.ggml.pre", v.pre);
  w.set_string_array("tokenizer.ggml.tokens", v.tokens);
  if (!v.scores.empty()) w.set_f32_array("tokenizer.ggml.scores", v.scores);
  if (!v.types.empty()) {
    std::vector<int32_t> types(v.types.size());
    for (std::size_t i = 0; i < v.types.size(); ++i) types[i] = static_cast<int32_t>(v.types[i]);
    w.set_i32_array("tokenizer.ggml.token_type", types);
  }
  if (!v.merges.empty()) w.set_string_array("tokenizer.ggml.merges", v.merges);
  const std::pair<std::string_view, int32_t> ids[] = {
      {"tokenizer.ggml.bos_token_id", v.bos},     {"tokenizer.ggml.eos_token_id", v.eos},
      {"tokenizer.ggml.eot_token_id", v.eot},     {"tokenizer.ggml.eom_token_id", v.eom},
      {"tokenizer.ggml.unknown_token_id", v.unk}, {"tokenizer.ggml.padding_token_id", v.pad},
  };
  for (const auto& [key, id] : ids) {
    if (id != kNoToken) w.set_u32(key, static_cast<uint32_t>(id));
  }
  w.set_bool("tokenizer.ggml.add_bos_token", v.add_bos);
  w.set_bool("tokenizer.ggml.add_eos_token", v.add_eos);
  w.set_bool("tokenizer.ggml.add_space_prefix", v.add_space_prefix);
}

Result<Tokenizer> Tokenizer::from_gguf(const GgufFile& file) {
  WOOLLY_ASSIGN_OR_RETURN(Vocab vocab, load_vocab(file));
  return from_vocab(std::move(vocab));
}

}  // namespace woolly::engine
