// The BPE vocabulary builder: learns merges that compress its training text, round-trips any
// text, and survives a trip through GGUF metadata.
#include "engine/tokenizer/bpe_builder.h"

#include <gtest/gtest.h>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/tokenizer/gguf_vocab.h"
#include "engine/tokenizer/tokenizer.h"
#include "test_vocabs.h"

namespace woolly::engine::test {
namespace {

std::string training_text() {
  std::string text = read_file(shared_path("reference/prompts.json"));
  text += read_file(shared_path("vocab/README.md"));
  return text;
}

TEST(BpeBuilder, LearnsAVocabularyThatRoundTrips) {
  const std::string text = training_text();
  ASSERT_GT(text.size(), 2000u);
  auto vocab = build_bpe_vocab(text, {.vocab_size = 600});
  ASSERT_TRUE(vocab.ok()) << vocab.error().message;
  EXPECT_EQ(vocab->tokens.size(), 600u);
  EXPECT_EQ(vocab->types.size(), 600u);
  EXPECT_EQ(vocab->tokens[597], "<|endoftext|>");
  EXPECT_EQ(vocab->eos, 599);  // <|im_end|>
  EXPECT_EQ(vocab->bos, 597);
  EXPECT_FALSE(vocab->add_bos);

  auto tok = Tokenizer::from_vocab(*vocab);
  ASSERT_TRUE(tok.ok()) << tok.error().message;
  const auto ids = tok->encode(text, {.add_special = false});
  EXPECT_LT(ids.size(), text.size() / 2) << "the learned merges should compress their text";
  EXPECT_EQ(tok->decode(ids), text);

  const std::string unseen = "Zebras \xF0\x9F\xA6\x93 qu\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87\n\t{x}";
  EXPECT_EQ(tok->decode(tok->encode(unseen, {.add_special = false})), unseen);

  const auto chat = tok->encode("<|im_start|>user\nhi<|im_end|>", {.parse_special = true});
  EXPECT_EQ(chat.front(), 598);
  EXPECT_EQ(chat.back(), 599);
  EXPECT_TRUE(tok->is_eog(599));
}

TEST(BpeBuilder, IsDeterministic) {
  const std::string text = training_text();
  auto a = build_bpe_vocab(text, {.vocab_size = 400});
  auto b = build_bpe_vocab(text, {.vocab_size = 400});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->tokens, b->tokens);
  EXPECT_EQ(a->merges, b->merges);
}

TEST(BpeBuilder, StopsWhenNothingRepeatsAndRejectsTinySizes) {
  auto small = build_bpe_vocab("abc", {.vocab_size = 1000});
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->tokens.size(), 259u);  // no pair occurs twice
  EXPECT_EQ(build_bpe_vocab("abc", {.vocab_size = 100}).error().code, Errc::kInvalidArgument);
}

TEST(BpeBuilder, GgufMetadataRoundTrip) {
  const std::string text = training_text();
  auto vocab = build_bpe_vocab(text, {.vocab_size = 500});
  ASSERT_TRUE(vocab.ok());
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  write_vocab(w, *vocab);
  auto file = GgufFile::from_buffer(w.to_bytes());
  ASSERT_TRUE(file.ok()) << file.error().message;
  auto loaded = load_vocab(**file);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->tokens, vocab->tokens);
  EXPECT_EQ(loaded->merges, vocab->merges);
  EXPECT_EQ(loaded->types, vocab->types);
  EXPECT_EQ(loaded->eos, vocab->eos);
  EXPECT_EQ(loaded->add_bos, false);
  auto a = Tokenizer::from_vocab(*vocab);
  auto b = Tokenizer::from_gguf(**file);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->encode(text), b->encode(text));
}

TEST(GgufVocab, UnsupportedTokenizerModelIsNamed) {
  GgufWriter w;
  w.set_string("tokenizer.ggml.model", "bert");
  w.set_string_array("tokenizer.ggml.tokens", std::vector<std::string>{"a"});
  auto file = GgufFile::from_buffer(w.to_bytes());
  ASSERT_TRUE(file.ok()) << file.error().message;
  const auto v = load_vocab(**file);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, Errc::kUnsupported);
  EXPECT_NE(v.error().message.find("bert"), std::string::npos);

  GgufWriter empty;
  empty.set_string("general.architecture", "llama");
  auto no_vocab = GgufFile::from_buffer(empty.to_bytes());
  ASSERT_TRUE(no_vocab.ok());
  EXPECT_EQ(load_vocab(**no_vocab).error().code, Errc::kNotFound);
}

}  // namespace
}  // namespace woolly::engine::test
