// Random input never breaks the tokenizers: ids stay in range, valid UTF-8 text round-trips for
// every vocabulary, and arbitrary bytes round-trip through SentencePiece's byte fallback.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "engine/tokenizer/unicode.h"
#include "test_vocabs.h"

namespace woolly::engine::test {
namespace {

// Code points from the ranges tokenizers treat differently: ASCII (letters, digits, spaces,
// punctuation, the '<|' of special tokens), Latin-1, combining marks, CJK, Hangul, emoji and
// the Unicode spaces. Not \v or \f: Falcon's vocabulary has no token for those bytes, so it
// (like llama.cpp) cannot encode them.
std::string random_text(std::mt19937& rng, std::size_t max_len) {
  static constexpr uint32_t kPicks[][2] = {
      {0x20, 0x7E},     {0x09, 0x0A},       {0x0D, 0x0D},     {'<', '<'},
      {'|', '|'},       {0xA0, 0xFF},       {0x300, 0x36F},   {0x4E00, 0x4E80},
      {0xAC00, 0xAC40}, {0x1F600, 0x1F64F}, {0x2000, 0x200D}, {0x3000, 0x3002},
  };
  std::uniform_int_distribution<std::size_t> len(0, max_len);
  std::uniform_int_distribution<std::size_t> pick(0, std::size(kPicks) - 1);
  std::string s;
  for (std::size_t i = len(rng); i > 0; --i) {
    const auto& r = kPicks[pick(rng)];
    append_utf8(s, std::uniform_int_distribution<uint32_t>(r[0], r[1])(rng));
  }
  return s;
}

class Robustness : public ::testing::TestWithParam<const char*> {};

TEST_P(Robustness, RandomTextRoundTrips) {
  const Tokenizer* tok = vocab_tokenizer(GetParam());
  ASSERT_NE(tok, nullptr);
  std::mt19937 rng(1234);
  for (int i = 0; i < 200; ++i) {
    const std::string text = random_text(rng, 40);
    for (const bool parse_special : {false, true}) {
      const auto ids = tok->encode(text, {.add_special = true, .parse_special = parse_special});
      for (const int32_t id : ids) ASSERT_TRUE(id >= 0 && id < tok->n_vocab());
    }
    const auto plain = tok->encode(text, {.add_special = false});
    ASSERT_EQ(tok->decode(plain), text) << GetParam();
  }
}

INSTANTIATE_TEST_SUITE_P(All, Robustness,
                         ::testing::Values("llama-spm", "phi-3", "llama-bpe", "gpt-2",
                                           "deepseek-coder", "deepseek-llm", "falcon", "mpt",
                                           "refact", "starcoder"),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (char& c : s) {
                             if (c == '-') c = '_';
                           }
                           return s;
                         });

TEST(Robustness, ArbitraryBytesSurviveSpmByteFallback) {
  const Tokenizer* tok = vocab_tokenizer("llama-spm");
  ASSERT_NE(tok, nullptr);
  std::mt19937 rng(99);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 300; ++i) {
    std::string bytes(static_cast<std::size_t>(i % 33), '\0');
    for (char& c : bytes) c = static_cast<char>(byte(rng));
    const auto ids = tok->encode(bytes, {.add_special = false});
    for (const int32_t id : ids) ASSERT_TRUE(id >= 0 && id < tok->n_vocab());
    EXPECT_EQ(tok->decode(ids), bytes);
  }
}

TEST(Robustness, ArbitraryBytesBecomeReplacementCharactersInByteLevelBpe) {
  const Tokenizer* tok = vocab_tokenizer("gpt-2");
  ASSERT_NE(tok, nullptr);
  const auto ids = tok->encode("ok\xFF\xC3(", {.add_special = false});
  EXPECT_EQ(tok->decode(ids), "ok\xEF\xBF\xBD\xEF\xBF\xBD(");
}

}  // namespace
}  // namespace woolly::engine::test
