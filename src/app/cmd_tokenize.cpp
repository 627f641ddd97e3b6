// `woolly-server tokenize`: the token ids (and pieces) a model's tokenizer makes of a text.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "app/detail/json_text.h"
#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/tokenizer.h"

namespace woolly::app {

namespace {

struct TokenizeOptions {
  std::string model;
  std::string text;
  bool parse_special = false;
  bool json = false;
};

using detail::json_quoted;

int run_tokenize(const TokenizeOptions& o) {
  auto file = engine::GgufFile::open(o.model);
  if (!file.ok()) {
    std::fprintf(stderr, "error: %s\n", file.error().message.c_str());
    return 1;
  }
  auto tok = engine::Tokenizer::from_gguf(**file);
  if (!tok.ok()) {
    std::fprintf(stderr, "error: %s\n", tok.error().message.c_str());
    return 1;
  }
  engine::EncodeOptions eo;
  eo.parse_special = o.parse_special;
  const auto ids = tok->encode(o.text, eo);
  if (o.json) {
    std::string out = "{\"tokens\": [";
    for (size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + std::to_string(ids[i]);
    out += "], \"pieces\": [";
    for (size_t i = 0; i < ids.size(); ++i) {
      out += (i ? ", " : "") + json_quoted(tok->token_to_piece(ids[i], true));
    }
    out += "]}\n";
    std::fputs(out.c_str(), stdout);
    return 0;
  }
  for (int32_t id : ids) {
    std::printf("%6d -> %s\n", id, json_quoted(tok->token_to_piece(id, true)).c_str());
  }
  return 0;
}

}  // namespace

void add_tokenize_command(CLI::App& app) {
  auto opts = std::make_shared<TokenizeOptions>();
  auto* cmd = app.add_subcommand("tokenize", "Print the tokens a model's tokenizer makes of a text");
  cmd->add_option("-m,--model", opts->model, "GGUF model file")->required();
  cmd->add_option("-t,--text", opts->text, "Text to tokenize (used byte for byte)")->required();
  cmd->add_flag("--parse-special", opts->parse_special,
                "Turn control-token text such as <|im_end|> into that token");
  cmd->add_flag("--json", opts->json, "Print {\"tokens\": [...], \"pieces\": [...]}");
  cmd->callback([opts] {
    if (int rc = run_tokenize(*opts); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace woolly::app
