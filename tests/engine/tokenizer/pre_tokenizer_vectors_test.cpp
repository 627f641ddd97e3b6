// The hand-written pre-tokenizers against word splits computed by Python's `re` from llama.cpp's
// regex lists (data/pre_tokenizer_vectors.txt, written by gen_pre_tokenizer_vectors.py).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "engine/tokenizer/pre_tokenizer.h"

namespace woolly::engine {
namespace {

std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    const char e = s[++i];
    if (e == 't') {
      out += '\t';
    } else if (e == 'n') {
      out += '\n';
    } else if (e == 'r') {
      out += '\r';
    } else if (e == 'x' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += e;
    }
  }
  return out;
}

TEST(PreTokenizerVectors, MatchRegexSemantics) {
  std::ifstream in(std::string(WOOLLY_SOURCE_DIR) +
                   "/tests/engine/tokenizer/data/pre_tokenizer_vectors.txt");
  ASSERT_TRUE(in.good());
  std::map<std::string, int> checked;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    for (std::size_t pos = 0;;) {
      const std::size_t tab = line.find('\t', pos);
      fields.push_back(line.substr(pos, tab - pos));
      if (tab == std::string::npos) break;
      pos = tab + 1;
    }
    ASSERT_GE(fields.size(), 2u) << line;
    const auto pre = pre_tokenizer_from_name(fields[0]);
    ASSERT_TRUE(pre.ok()) << fields[0];
    std::vector<std::string> expected;
    std::string text;
    for (std::size_t i = 1; i < fields.size(); ++i) {
      expected.push_back(unescape(fields[i]));
      text += expected.back();
    }
    std::vector<std::string> words;
    pre_tokenize(*pre, text, words);
    EXPECT_EQ(words, expected) << fields[0] << ": " << line;
    ++checked[fields[0]];
  }
  // Every rule set llama.cpp knows under these names, 150 strings each.
  EXPECT_EQ(checked.size(), 12u);
  for (const auto& [name, count] : checked) EXPECT_EQ(count, 150) << name;
}

}  // namespace
}  // namespace woolly::engine
