// The runtime over a real (random-weight) model: batching several sequences in one forward step
// must give every request exactly what it gets alone.
#include "engine/runtime/local_model.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>

#include "engine/runtime/generator.h"
#include "engine/runtime/random_llama.h"
#include "engine/runtime/scheduler.h"

namespace woolly::engine {
namespace {

// Byte-level vocabulary: the 256 bytes as GPT-2 maps them to characters, plus an end token.
Vocab byte_vocab() {
  Vocab v;
  v.model = TokenizerModel::kBpe;
  int extra = 0;
  for (int b = 0; b < 256; ++b) {
    const bool direct = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
    const uint32_t cp = direct ? static_cast<uint32_t>(b) : 256u + static_cast<uint32_t>(extra++);
    std::string s;
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    v.tokens.push_back(s);
    v.types.push_back(TokenType::kNormal);
  }
  v.tokens.push_back("<|end|>");
  v.types.push_back(TokenType::kControl);
  v.eos = 256;
  return v;
}

class LocalModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // ctest runs every case in its own process, several at once: one file per process.
    path_ = (std::filesystem::temp_directory_path() /
             ("woolly_runtime_test." + std::to_string(::getpid()) + ".gguf"))
                .string();
    RandomLlamaSpec spec;
    spec.shape.n_embd = 64;
    spec.shape.n_ff = 128;
    spec.type = TensorType::kQ8_0;
    spec.vocab = byte_vocab();
    ASSERT_TRUE(write_random_llama(path_, spec).ok());
  }
  static void TearDownTestSuite() { std::filesystem::remove(path_); }
  static std::string path_;
};
std::string LocalModelTest::path_;

GenerationRequest request(const std::string& prompt_text, const LocalModel& m, uint64_t seed,
                          float temperature) {
  GenerationRequest r;
  r.prompt = m.encode_prompt(prompt_text, false);
  r.sampling.seed = seed;
  r.sampling.temperature = temperature;
  r.stop.max_tokens = 24;
  r.stop.ignore_eos = true;
  return r;
}

TEST_F(LocalModelTest, SchedulerBatchesGiveTheSameTokensAsSingleRuns) {
  LocalModelOptions opt;
  opt.threads = 2;
  opt.max_sequences = 4;
  opt.n_ctx = 256;
  auto loaded = LocalModel::load(path_, opt);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  LocalModel& m = **loaded;

  const std::vector<std::string> prompts = {"Hello there, general", "a", "The quick brown fox",
                                            "0123456789 0123456789 0123456789"};
  std::vector<std::vector<int32_t>> alone;
  Generator gen(m, &m.text(), 7);  // odd chunking on purpose
  for (size_t i = 0; i < prompts.size(); ++i) {
    std::vector<int32_t> toks;
    auto r = request(prompts[i], m, 11 + i, i % 2 ? 0.0f : 0.9f);
    r.on_piece = [&](const GeneratedPiece& p) { if (p.token >= 0) toks.push_back(p.token); };
    ASSERT_TRUE(gen.run(std::move(r)).ok());
    ASSERT_EQ(toks.size(), 24u);
    alone.push_back(toks);
  }

  SchedulerOptions so;
  so.batch_tokens = 16;
  Scheduler sched(m, &m.text(), so);
  std::vector<std::vector<int32_t>> together(prompts.size());
  std::vector<std::promise<void>> done(prompts.size());
  for (size_t i = 0; i < prompts.size(); ++i) {
    auto r = request(prompts[i], m, 11 + i, i % 2 ? 0.0f : 0.9f);
    r.on_piece = [&, i](const GeneratedPiece& p) { if (p.token >= 0) together[i].push_back(p.token); };
    r.on_done = [&, i](const GenerationResult&) { done[i].set_value(); };
    ASSERT_TRUE(sched.submit(std::move(r)).ok());
  }
  for (auto& d : done) d.get_future().wait();
  for (size_t i = 0; i < prompts.size(); ++i) EXPECT_EQ(together[i], alone[i]) << prompts[i];
}

TEST_F(LocalModelTest, PromptLogitsDoNotDependOnChunking) {
  LocalModelOptions opt;
  opt.threads = 1;
  auto loaded = LocalModel::load(path_, opt);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  LocalModel& m = **loaded;
  const auto prompt = m.encode_prompt("chunking must not matter to the result", false);
  auto whole = prompt_logits(m, prompt, 512);
  auto pieces = prompt_logits(m, prompt, 5);
  ASSERT_TRUE(whole.ok() && pieces.ok());
  ASSERT_EQ(whole->size(), 257u);
  for (size_t i = 0; i < whole->size(); ++i) EXPECT_NEAR((*whole)[i], (*pieces)[i], 1e-3f);
}

}  // namespace
}  // namespace woolly::engine
