// The prompt tokens llama.cpp evaluated for every case of shared/reference (including the chat
// cases that write control tokens in the text and need parse_special).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "json_lite.h"
#include "test_vocabs.h"

namespace woolly::engine::test {
namespace {

class ReferencePrompts : public ::testing::TestWithParam<const char*> {};

TEST_P(ReferencePrompts, TokensMatchLlamaCpp) {
  const std::string model = GetParam();
  const std::string text = read_file(shared_path("reference/" + model + ".json"));
  ASSERT_FALSE(text.empty()) << model;
  Json doc;
  ASSERT_TRUE(JsonReader(text).parse(doc)) << model << ".json is not valid JSON";
  const Json* cases = doc.get("cases");
  ASSERT_NE(cases, nullptr);
  ASSERT_EQ(cases->kind, Json::Kind::kArray);
  ASSERT_GE(cases->array.size(), 6u);

  const Tokenizer* tok = tokenizer_of("reference/" + model + ".gguf");
  ASSERT_NE(tok, nullptr);
  for (const Json& c : cases->array) {
    const std::string& name = c.get("name")->string;
    const std::string& prompt = c.get("prompt")->string;
    std::vector<int32_t> expected;
    for (const Json& id : c.get("tokens")->array)
      expected.push_back(static_cast<int32_t>(id.number));
    const bool add_bos = c.get("add_bos")->boolean;
    const bool parse_special = c.get("parse_special")->boolean;
    // The vocabulary's own add_bos flag must be what llama.cpp used: no override here.
    EXPECT_EQ(tok->add_bos(), add_bos) << model << "/" << name;
    const auto ids = tok->encode(prompt, {.add_special = true, .parse_special = parse_special});
    EXPECT_EQ(ids, expected) << model << "/" << name;
  }
}

INSTANTIATE_TEST_SUITE_P(All, ReferencePrompts,
                         ::testing::Values("llama-spm-e128-f32", "llama-spm-e128-f16",
                                           "llama-spm-e128-q8_0", "llama-spm-e128-q4_0",
                                           "llama-spm-e256-q4_k_m", "llama-spm-e256-q6_k",
                                           "qwen2-gpt2-e128-q8_0", "qwen3-gpt2-e128-f32",
                                           "llama3-bpe-e64-q8_0"),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (char& c : s) {
                             if (c == '-') c = '_';
                           }
                           return s;
                         });

}  // namespace
}  // namespace woolly::engine::test
