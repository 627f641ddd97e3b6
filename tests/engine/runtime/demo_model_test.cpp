#include "engine/runtime/demo_model.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/runtime/generator.h"
#include "engine/runtime/local_model.h"

namespace woolly::engine {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST(DemoModel, TinyIsQuickDeterministicAndSpeaksChatMl) {
  const auto dir = std::filesystem::temp_directory_path() / "woolly_demo_test";
  const std::string a = (dir / "a" / "demo.gguf").string();  // parent dirs are created
  const std::string b = (dir / "b.gguf").string();
  ASSERT_TRUE(create_demo_model(a, DemoSize::kTiny).ok());
  ASSERT_TRUE(create_demo_model(b, DemoSize::kTiny).ok());
  EXPECT_EQ(slurp(a), slurp(b));
  EXPECT_LT(std::filesystem::file_size(a), 4u << 20);

  LocalModelOptions opt;
  opt.threads = 1;
  auto m = LocalModel::load(a, opt);
  ASSERT_TRUE(m.ok()) << m.error().message;
  const Tokenizer& tok = (*m)->tokenizer();
  const int32_t im_end = tok.find_token("<|im_end|>");
  ASSERT_NE(im_end, kNoToken);
  EXPECT_TRUE(tok.is_eog(im_end));
  const auto ids = (*m)->encode_prompt("<|im_start|>user\nHello<|im_end|>", true);
  EXPECT_EQ(ids.front(), tok.find_token("<|im_start|>"));
  EXPECT_EQ(ids.back(), im_end);
  // Common words of the training text became single tokens.
  EXPECT_EQ((*m)->encode_prompt(" the", false).size(), 1u);

  GenerationRequest r;
  r.prompt = ids;
  r.stop.max_tokens = 16;
  r.sampling.seed = 3;
  Generator gen(**m, &(*m)->text());
  auto res = gen.run(std::move(r));
  ASSERT_TRUE(res.ok());
  EXPECT_GT(res->usage.completion_tokens, 0);
  std::filesystem::remove_all(dir);
}

TEST(DemoModel, SizeNames) {
  EXPECT_EQ(*parse_demo_size("small"), DemoSize::kSmall);
  EXPECT_FALSE(parse_demo_size("huge").ok());
}

}  // namespace
}  // namespace woolly::engine
