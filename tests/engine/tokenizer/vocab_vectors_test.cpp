// Every test vector of shared/vocab (llama.cpp's tokenizer tests) reproduced exactly, and the
// inputs decoded back to themselves.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "test_vocabs.h"

namespace woolly::engine::test {
namespace {

struct VectorCase {
  std::string input;
  std::vector<int32_t> expected;
};

std::vector<VectorCase> load_cases(const std::string& name) {
  const std::string base = shared_path("vocab/ggml-vocab-" + name + ".gguf");
  const std::string inp = read_file(base + ".inp");
  const std::string out = read_file(base + ".out");
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> inputs;
  for (std::size_t pos = 0;;) {
    const std::size_t next = inp.find(sep, pos);
    if (next == std::string::npos) break;
    inputs.push_back(inp.substr(pos, next - pos));
    pos = next + sep.size();
  }
  std::vector<VectorCase> cases;
  std::istringstream lines(out);
  std::string line;
  for (const std::string& in : inputs) {
    if (!std::getline(lines, line)) break;
    VectorCase c{in, {}};
    std::istringstream ids(line);
    for (int32_t id; ids >> id;) c.expected.push_back(id);
    cases.push_back(std::move(c));
  }
  EXPECT_EQ(cases.size(), inputs.size()) << name << ": .out has fewer lines than .inp has tests";
  return cases;
}

class VocabVectors : public ::testing::TestWithParam<const char*> {};

TEST_P(VocabVectors, TokenizesLikeLlamaCpp) {
  const std::string name = GetParam();
  const Tokenizer* tok = vocab_tokenizer(name);
  ASSERT_NE(tok, nullptr);
  const auto cases = load_cases(name);
  ASSERT_GT(cases.size(), 30u);
  for (const auto& c : cases) {
    const auto ids = tok->encode(c.input, {.add_special = false, .parse_special = false});
    EXPECT_EQ(ids, c.expected) << name << " input: \"" << c.input << "\"";
  }
}

TEST_P(VocabVectors, DecodeRestoresInput) {
  const std::string name = GetParam();
  const Tokenizer* tok = vocab_tokenizer(name);
  ASSERT_NE(tok, nullptr);
  for (const auto& c : load_cases(name)) {
    const auto ids = tok->encode(c.input, {.add_special = false});
    EXPECT_EQ(tok->decode(ids), c.input) << name;
  }
}

// "Tokenizing a few KB of text must take milliseconds": 16 KiB of the mixed-script vector
// inputs, best of three, with a wide margin for a loaded machine (measured: ~1-5 ms).
TEST_P(VocabVectors, EncodesKilobytesInMilliseconds) {
  const std::string name = GetParam();
  const Tokenizer* tok = vocab_tokenizer(name);
  ASSERT_NE(tok, nullptr);
  std::string text;
  for (const auto& c : load_cases(name)) text += c.input;
  while (text.size() < 16384) text += text;
  double best_ms = 1e9;
  for (int i = 0; i < 3; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const auto ids = tok->encode(text);
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    ASSERT_GT(ids.size(), text.size() / 16);
    best_ms = std::min(best_ms, took.count());
  }
  EXPECT_LT(best_ms, 100.0) << name;
}

INSTANTIATE_TEST_SUITE_P(All, VocabVectors,
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

}  // namespace
}  // namespace woolly::engine::test
