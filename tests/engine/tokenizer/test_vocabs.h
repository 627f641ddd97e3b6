// Shared helpers of the tokenizer tests: the vocabularies in shared/vocab, each loaded once per
// test binary (the Llama-3 one has 280k merges).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/tokenizer.h"

namespace woolly::engine::test {

inline std::string shared_path(const std::string& rel) {
  return std::string(WOOLLY_SHARED_DIR) + "/" + rel;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The tokenizer of shared/<rel> (a GGUF file), loaded once; null (with a test failure) when
// it cannot be read.
inline const Tokenizer* tokenizer_of(const std::string& rel) {
  static std::map<std::string, std::unique_ptr<Tokenizer>> cache;
  auto it = cache.find(rel);
  if (it != cache.end()) return it->second.get();
  auto file = GgufFile::open(shared_path(rel));
  if (!file.ok()) {
    ADD_FAILURE() << rel << ": " << file.error().message;
    return nullptr;
  }
  auto tok = Tokenizer::from_gguf(**file);
  if (!tok.ok()) {
    ADD_FAILURE() << rel << ": " << tok.error().message;
    return nullptr;
  }
  auto& slot = cache[rel];
  slot = std::make_unique<Tokenizer>(std::move(*tok));
  return slot.get();
}

inline const Tokenizer* vocab_tokenizer(const std::string& name) {
  return tokenizer_of("vocab/ggml-vocab-" + name + ".gguf");
}

}  // namespace woolly::engine::test
