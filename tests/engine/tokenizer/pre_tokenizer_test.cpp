// Code-point classes and word splitting.
#include "engine/tokenizer/pre_tokenizer.h"

#include <gtest/gtest.h>

#include "engine/tokenizer/unicode.h"

namespace woolly::engine {
namespace {

using Words = std::vector<std::string>;

Words split(PreTokenizer pre, std::string_view text) {
  Words w;
  pre_tokenize(pre, text, w);
  return w;
}

TEST(Unicode, ClassesComeFromTheGeneratedTable) {
  EXPECT_EQ(codepoint_flags('A'), cpflag::kLetter);
  EXPECT_EQ(codepoint_flags('7'), cpflag::kNumber);
  EXPECT_EQ(codepoint_flags('!'), cpflag::kPunctuation);
  EXPECT_EQ(codepoint_flags('+'), cpflag::kSymbol);
  EXPECT_EQ(codepoint_flags(' '), cpflag::kSeparator | cpflag::kWhitespace);
  EXPECT_EQ(codepoint_flags('\n'), cpflag::kOther | cpflag::kWhitespace);
  EXPECT_EQ(codepoint_flags(0x1C), cpflag::kOther);  // not White_Space
  EXPECT_TRUE(codepoint_flags(0x3000) & cpflag::kWhitespace);
  EXPECT_TRUE(codepoint_flags(0x85) & cpflag::kWhitespace);
  EXPECT_EQ(codepoint_flags(0x4E2D), cpflag::kLetter);   // 中
  EXPECT_EQ(codepoint_flags(0x0301), cpflag::kMark);     // combining acute
  EXPECT_EQ(codepoint_flags(0x1F999), cpflag::kSymbol);  // 🦙, outside the BMP
  EXPECT_EQ(codepoint_flags(0x1D7CE), cpflag::kNumber);  // mathematical bold digit zero
  EXPECT_EQ(codepoint_flags(0x10FFFF), cpflag::kOther);
  EXPECT_EQ(codepoint_flags(0x110000), cpflag::kOther);
  EXPECT_FALSE(unicode_version().empty());
}

TEST(Unicode, ByteMappingIsABijection) {
  for (int b = 0; b < 256; ++b) {
    EXPECT_EQ(codepoint_to_byte(byte_to_codepoint(static_cast<uint8_t>(b))), b);
  }
  EXPECT_EQ(byte_to_codepoint(' '), 0x120u);  // Ġ
  EXPECT_EQ(byte_to_codepoint('a'), static_cast<uint32_t>('a'));
  EXPECT_EQ(codepoint_to_byte(0x4E2D), -1);
}

TEST(PreTokenizer, Llama3Rules) {
  EXPECT_EQ(
      split(PreTokenizer::kLlama3, "Hello world  \n\n  x 12345 it's IT'S"),
      (Words{"Hello", " world", "  \n\n", " ", " x", " ", "123", "45", " it", "'s", " IT", "'S"}));
  EXPECT_EQ(split(PreTokenizer::kQwen2, "x 123"), (Words{"x", " ", "1", "2", "3"}));
}

TEST(PreTokenizer, Gpt2Rules) {
  EXPECT_EQ(split(PreTokenizer::kGpt2, "Hello world  \n\n  x 12345 it's IT'S"),
            (Words{"Hello", " world", "  \n\n ", " x", " 12345", " it", "'s", " IT", "'", "S"}));
  EXPECT_EQ(split(PreTokenizer::kGpt2, "a \t"), (Words{"a", " \t"}));
}

// Expected splits below are what the regexes llama.cpp uses give (checked with Python's re on
// the same Unicode classes); note the approximation of \p{Lu}/\p{Ll} by "not ASCII lower/upper":
// a non-ASCII capital such as É counts as both cases.
TEST(PreTokenizer, CaseSplittingRules) {
  EXPECT_EQ(split(PreTokenizer::kTekken,
                  "HTMLParser isn't \xC3\x89"
                  "COLE \xC3\xA9l\xC3\xA8ve 123 x/\n\n  y"),
            (Words{"HTMLParser", " isn", "'t", " \xC3\x89", "COLE", " \xC3\xA9l\xC3\xA8ve", " ",
                   "1", "2", "3", " x", "/\n\n", " ", " y"}));
  EXPECT_EQ(split(PreTokenizer::kGpt4o,
                  "HTMLParser isn'T \xC3\x89"
                  "COLE 12345 a//\n"),
            (Words{"HTMLParser", " isn'T", " \xC3\x89", "COLE", " ", "123", "45", " a", "//\n"}));
}

TEST(PreTokenizer, DeepseekV3Rules) {
  // 日本語テキスト: Han and Katakana stay one piece.
  EXPECT_EQ(split(PreTokenizer::kDeepseekV3,
                  "Hello, world! 12345 \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x83\x86"
                  "\xE3\x82\xAD\xE3\x82\xB9\xE3\x83\x88 caf\xC3\xA9\n\n x"),
            (Words{"Hello", ",", " world", "!", " ", "123", "45", " ",
                   "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x83\x86\xE3\x82\xAD\xE3\x82\xB9"
                   "\xE3\x83\x88",
                   " caf\xC3\xA9", "\n\n", " x"}));
}

TEST(PreTokenizer, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(split(PreTokenizer::kGpt2,
                  "a\xFF"
                  "b"),
            (Words{"a", "\xEF\xBF\xBD", "b"}));
}

TEST(PreTokenizer, WordsCoverTheTextInLinearTime) {
  // Long runs of spaces are where a naive "\\s+$" or "\\s+(?!\\S)" goes quadratic.
  const std::string text =
      "a" + std::string(200000, ' ') + "x \xE4\xB8\xAD 12 ,," + std::string(1000, '\n') + "  ";
  for (const PreTokenizer pre :
       {PreTokenizer::kDefault, PreTokenizer::kLlama3, PreTokenizer::kQwen2, PreTokenizer::kGpt2,
        PreTokenizer::kStarcoder, PreTokenizer::kFalcon, PreTokenizer::kDeepseekLlm,
        PreTokenizer::kDeepseekCoder, PreTokenizer::kDeepseekV3, PreTokenizer::kChatGlm4,
        PreTokenizer::kTekken, PreTokenizer::kGpt4o}) {
    std::string joined;
    for (const auto& w : split(pre, text)) {
      EXPECT_FALSE(w.empty());
      joined += w;
    }
    EXPECT_EQ(joined, text) << static_cast<int>(pre);
  }
}

TEST(PreTokenizer, NamesMapToRules) {
  EXPECT_EQ(*pre_tokenizer_from_name("llama-bpe"), PreTokenizer::kLlama3);
  EXPECT_EQ(*pre_tokenizer_from_name("qwen2"), PreTokenizer::kQwen2);
  EXPECT_EQ(*pre_tokenizer_from_name("refact"), PreTokenizer::kStarcoder);
  EXPECT_EQ(*pre_tokenizer_from_name("tekken"), PreTokenizer::kTekken);
  EXPECT_EQ(*pre_tokenizer_from_name("llama4"), PreTokenizer::kGpt4o);
  EXPECT_EQ(*pre_tokenizer_from_name("deepseek-v3"), PreTokenizer::kDeepseekV3);
  EXPECT_TRUE(pre_tokenizer_ignores_merges(PreTokenizer::kTekken));
  EXPECT_FALSE(pre_tokenizer_ignores_merges(PreTokenizer::kChatGlm4));
  EXPECT_EQ(*pre_tokenizer_from_name(""), PreTokenizer::kDefault);
  const auto bad = pre_tokenizer_from_name("klingon");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::kUnsupported);
}

}  // namespace
}  // namespace woolly::engine
