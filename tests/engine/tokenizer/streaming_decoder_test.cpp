// The streaming decoder never emits part of a UTF-8 character, and the chunks add up to the
// full decode.
#include "engine/tokenizer/streaming_decoder.h"

#include <gtest/gtest.h>

#include "engine/tokenizer/unicode.h"
#include "test_vocabs.h"

namespace woolly::engine::test {
namespace {

bool valid_utf8(std::string_view s) {
  const Utf8Prefix p = utf8_valid_prefix(s);
  return p.valid == s.size() && !p.incomplete_tail;
}

// Text whose emoji, CJK and combining sequences are spread over several byte tokens.
const std::string kText =
    "Llamas \xF0\x9F\xA6\x99 like \xE6\x88\x91\xE6\x83\xB3 tea \xF0\x9F\x98\xB6\xE2\x80\x8D"
    "\xF0\x9F\x8C\xAB\xEF\xB8\x8F and \xF0\x9F\x87\xBA\xF0\x9F\x87\xA6 flags, caf\xC3\xA9.";

void check_stream(const Tokenizer& tok, bool add_special) {
  const auto ids = tok.encode(kText, {.add_special = add_special});
  StreamingDecoder dec(tok, {.starts_text = true});
  std::string all;
  int held_back = 0;
  for (const int32_t id : ids) {
    const std::string chunk = dec.push(id);
    EXPECT_TRUE(valid_utf8(chunk)) << "chunk is not valid UTF-8";
    if (dec.pending_bytes() > 0) ++held_back;
    all += chunk;
  }
  all += dec.flush();
  EXPECT_GT(held_back, 0) << "no character was split across tokens; the test proves nothing";
  EXPECT_EQ(all, tok.decode(ids));
  EXPECT_NE(all.find("caf\xC3\xA9."), std::string::npos);
}

TEST(StreamingDecoder, SpmByteFallbackIsReassembled) {
  const Tokenizer* tok = vocab_tokenizer("llama-spm");
  ASSERT_NE(tok, nullptr);
  check_stream(*tok, false);
  check_stream(*tok, true);
}

TEST(StreamingDecoder, ByteLevelBpeIsReassembled) {
  const Tokenizer* tok = vocab_tokenizer("gpt-2");
  ASSERT_NE(tok, nullptr);
  check_stream(*tok, false);
}

TEST(StreamingDecoder, InvalidBytesBecomeReplacementCharacters) {
  const Tokenizer* tok = vocab_tokenizer("llama-spm");
  ASSERT_NE(tok, nullptr);
  StreamingDecoder dec(*tok);
  EXPECT_EQ(dec.push(tok->find_token("<0xE6>")), "");
  EXPECT_EQ(dec.pending_bytes(), 1u);
  // A lead byte followed by ASCII can never complete: U+FFFD, then the ASCII.
  EXPECT_EQ(dec.push(tok->find_token("<0x41>")),
            "\xEF\xBF\xBD"
            "A");
  EXPECT_EQ(dec.push(tok->find_token("<0xFF>")), "\xEF\xBF\xBD");
  EXPECT_EQ(dec.push(tok->find_token("<0xF0>")), "");
  EXPECT_EQ(dec.push(tok->find_token("<0x9F>")), "");
  EXPECT_EQ(dec.flush(), "\xEF\xBF\xBD");  // the stream ended inside a character
  EXPECT_EQ(dec.pending_bytes(), 0u);
}

TEST(StreamingDecoder, ContinuationKeepsLeadingSpace) {
  const Tokenizer* tok = vocab_tokenizer("llama-spm");
  ASSERT_NE(tok, nullptr);
  const int32_t hello = tok->find_token("\xE2\x96\x81Hello");
  ASSERT_NE(hello, kNoToken);
  StreamingDecoder continuation(*tok);
  EXPECT_EQ(continuation.push(hello), " Hello");
  StreamingDecoder fresh(*tok, {.starts_text = true});
  EXPECT_EQ(fresh.push(hello), "Hello");
}

}  // namespace
}  // namespace woolly::engine::test
