// Special tokens, BOS/EOS, end-of-generation ids, pieces and the SPM leading-space rule.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/tokenizer/unicode.h"
#include "test_vocabs.h"

namespace woolly::engine::test {
namespace {

bool contains(const std::vector<int32_t>& ids, int32_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

TEST(SpecialTokens, ControlTextBecomesTokenOnlyWithParseSpecial) {
  const Tokenizer* tok = vocab_tokenizer("llama-bpe");
  ASSERT_NE(tok, nullptr);
  const int32_t eot = tok->find_token("<|eot_id|>");
  ASSERT_EQ(eot, 128009);
  const std::string text = "Hi<|eot_id|>there";
  const auto parsed = tok->encode(text, {.add_special = false, .parse_special = true});
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_EQ(parsed[1], eot);
  EXPECT_EQ(tok->decode(parsed), "Hithere");  // control tokens are hidden by default
  EXPECT_EQ(tok->decode(parsed, {.unparse_special = true}), text);

  const auto plain = tok->encode(text, {.add_special = false, .parse_special = false});
  EXPECT_FALSE(contains(plain, eot));
  EXPECT_GT(plain.size(), 3u);
  EXPECT_EQ(tok->decode(plain), text);
}

TEST(SpecialTokens, UserDefinedTokensAreMatchedEvenWithoutParseSpecial) {
  // Phi-3 marks </s> as user-defined (type 4); llama.cpp splits it out of plain text too.
  const Tokenizer* tok = vocab_tokenizer("phi-3");
  ASSERT_NE(tok, nullptr);
  ASSERT_EQ(tok->token_type(2), TokenType::kUserDefined);
  const auto ids = tok->encode("a</s>b", {.add_special = false, .parse_special = false});
  EXPECT_TRUE(contains(ids, 2));
  EXPECT_EQ(tok->decode(ids), "a</s> b");  // the SPM space prefix after a special token stays
}

TEST(SpecialTokens, Phi3StripsWhitespaceAfterSpecialTokens) {
  // llama.cpp gives Phi-3's special tokens (named by general.name) rstrip, so the newline the
  // chat template writes after <|user|> and <|end|> never reaches the text tokenizer.
  const Tokenizer* tok = vocab_tokenizer("phi-3");
  ASSERT_NE(tok, nullptr);
  const int32_t user = tok->find_token("<|user|>");
  const int32_t end = tok->find_token("<|end|>");
  const int32_t hi = tok->find_token("\xE2\x96\x81Hi");
  ASSERT_NE(hi, kNoToken);
  EXPECT_EQ(tok->encode("<|user|>\n  Hi<|end|>\n", {.add_special = false, .parse_special = true}),
            (std::vector<int32_t>{user, hi, end}));
  EXPECT_EQ(tok->encode("a</s> \t b", {.add_special = false}),
            tok->encode("a</s>b", {.add_special = false}));
  // <s> keeps what follows it.
  EXPECT_NE(tok->encode("<s> Hi", {.add_special = false, .parse_special = true}),
            tok->encode("<s>Hi", {.add_special = false, .parse_special = true}));
  // Other vocabularies keep the whitespace.
  const Tokenizer* llama3 = vocab_tokenizer("llama-bpe");
  ASSERT_NE(llama3, nullptr);
  EXPECT_EQ(llama3->encode("<|eot_id|>\n", {.add_special = false, .parse_special = true}).size(),
            2u);
}

TEST(SpecialTokens, LongestSpecialTokenWins) {
  Vocab v;
  v.pre = "gpt-2";
  for (int b = 0; b < 256; ++b) {
    std::string s;
    append_utf8(s, byte_to_codepoint(static_cast<uint8_t>(b)));
    v.tokens.push_back(s);
  }
  v.types.assign(256, TokenType::kNormal);
  v.tokens.push_back("<a>");
  v.tokens.push_back("<a><b>");
  v.types.push_back(TokenType::kControl);
  v.types.push_back(TokenType::kControl);
  auto tok = Tokenizer::from_vocab(v);
  ASSERT_TRUE(tok.ok()) << tok.error().message;
  EXPECT_EQ(tok->encode("<a><b><a>", {.add_special = false, .parse_special = true}),
            (std::vector<int32_t>{257, 256}));
}

TEST(SpecialTokens, AddBosFollowsVocabularyAndCanBeOverridden) {
  const Tokenizer* llama3 = vocab_tokenizer("llama-bpe");
  const Tokenizer* gpt2 = vocab_tokenizer("gpt-2");
  ASSERT_NE(llama3, nullptr);
  ASSERT_NE(gpt2, nullptr);
  EXPECT_TRUE(llama3->add_bos());
  EXPECT_FALSE(gpt2->add_bos());  // the gpt-2 vocabulary has no add_bos_token key

  const auto with_bos = llama3->encode("Hello");
  ASSERT_FALSE(with_bos.empty());
  EXPECT_EQ(with_bos.front(), 128000);
  EXPECT_EQ(llama3->encode("Hello", {.add_special = false}).front(), with_bos[1]);
  EXPECT_EQ(llama3->encode("Hello", {.add_bos = false}).size(), with_bos.size() - 1);

  EXPECT_EQ(gpt2->encode("Hello").size(), 1u);
  const auto forced = gpt2->encode("Hello", {.add_bos = true, .add_eos = true});
  ASSERT_EQ(forced.size(), 3u);
  EXPECT_EQ(forced.front(), 50256);
  EXPECT_EQ(forced.back(), 50256);
  EXPECT_TRUE(llama3->encode("", {.add_special = true}) == std::vector<int32_t>{128000});
  EXPECT_TRUE(gpt2->encode("", {.add_special = true}).empty());
}

TEST(SpecialTokens, EndOfGenerationTokens) {
  const Tokenizer* llama3 = vocab_tokenizer("llama-bpe");
  ASSERT_NE(llama3, nullptr);
  EXPECT_TRUE(llama3->is_eog(128001));  // <|end_of_text|> (eos)
  EXPECT_TRUE(llama3->is_eog(128009));  // <|eot_id|>
  EXPECT_TRUE(llama3->is_eog(128008));  // <|eom_id|>
  EXPECT_FALSE(llama3->is_eog(128000));
  EXPECT_FALSE(llama3->is_eog(9906));
  EXPECT_EQ(llama3->eot(), 128009);

  const Tokenizer* deepseek = vocab_tokenizer("deepseek-llm");
  ASSERT_NE(deepseek, nullptr);
  EXPECT_EQ(deepseek->eot(), 100001);  // found by its text <｜end▁of▁sentence｜>

  const Tokenizer* phi3 = vocab_tokenizer("phi-3");
  ASSERT_NE(phi3, nullptr);
  EXPECT_TRUE(phi3->is_eog(phi3->find_token("<|end|>")));
  EXPECT_TRUE(phi3->is_eog(32000));  // <|endoftext|> (eos)
  EXPECT_FALSE(phi3->is_eog(phi3->find_token("<|user|>")));
}

TEST(SpecialTokens, FindTokenAndPieces) {
  const Tokenizer* spm = vocab_tokenizer("llama-spm");
  const Tokenizer* gpt2 = vocab_tokenizer("gpt-2");
  ASSERT_NE(spm, nullptr);
  ASSERT_NE(gpt2, nullptr);
  EXPECT_EQ(spm->n_vocab(), 32000);
  EXPECT_EQ(spm->find_token("<0x0A>"), 13);
  EXPECT_EQ(spm->token_to_piece(13), "\n");
  EXPECT_EQ(spm->find_token("no such token here"), kNoToken);
  EXPECT_EQ(spm->token_to_piece(spm->find_token("\xE2\x96\x81Hello")), " Hello");
  EXPECT_EQ(spm->token_to_piece(1), "");
  EXPECT_EQ(spm->token_to_piece(1, /*special=*/true), "<s>");
  EXPECT_EQ(gpt2->token_to_piece(gpt2->find_token("\xC4\xA0the")), " the");  // Ġthe
  EXPECT_EQ(gpt2->token_to_piece(-1), "");
  EXPECT_EQ(gpt2->token_to_piece(gpt2->n_vocab()), "");
}

TEST(SpecialTokens, SpmDecodeDropsOnlyTheAddedSpace) {
  // llama_detokenize: the prefix space is removed when the text starts with the first word, and
  // kept after BOS (BOS takes the removal).
  const Tokenizer* tok = vocab_tokenizer("llama-spm");
  ASSERT_NE(tok, nullptr);
  const auto plain = tok->encode("Hello world", {.add_special = false});
  EXPECT_EQ(tok->decode(plain), "Hello world");
  const auto with_bos = tok->encode("Hello world");
  ASSERT_EQ(with_bos.front(), 1);
  EXPECT_EQ(tok->decode(with_bos), " Hello world");
  EXPECT_EQ(tok->decode(with_bos, {.remove_special = true}), " Hello world");
  EXPECT_EQ(tok->decode(with_bos, {.unparse_special = true}), "<s> Hello world");
}

TEST(SpecialTokens, UnknownPreTokenizerIsAClearError) {
  Vocab v;
  v.pre = "no-such-pre";
  v.tokens = {"a"};
  auto tok = Tokenizer::from_vocab(v);
  ASSERT_FALSE(tok.ok());
  EXPECT_EQ(tok.error().code, Errc::kUnsupported);
  EXPECT_NE(tok.error().message.find("no-such-pre"), std::string::npos);
}

TEST(SpecialTokens, MalformedVocabulariesAreRejected) {
  Vocab v;
  v.tokens = {"a", "b"};
  v.scores = {0.0f};
  EXPECT_EQ(Tokenizer::from_vocab(v).error().code, Errc::kCorruptData);
  v.scores.clear();
  v.merges = {"ab"};
  EXPECT_EQ(Tokenizer::from_vocab(v).error().code, Errc::kCorruptData);
  EXPECT_EQ(Tokenizer::from_vocab(Vocab{}).error().code, Errc::kCorruptData);
}

}  // namespace
}  // namespace woolly::engine::test
