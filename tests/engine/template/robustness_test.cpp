// Damaged templates (every shared template cut at many points, or with bytes flipped) must give
// a clean error or a rendering, never a crash; run under the sanitizers this also checks memory.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "engine/template/chat_template.h"
#include "engine/template/hf_reference.h"

namespace woolly::engine {
namespace {

std::vector<std::string> shared_templates() {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(WOOLLY_SHARED_DIR) + "/templates")) {
    if (entry.path().extension() != ".jinja") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    out.push_back(s.str());
  }
  return out;
}

void parse_and_render(const std::string& source, const ChatInput& input, int& parsed, int& rendered) {
  auto t = ChatTemplate::parse(source);
  if (!t.ok()) {
    EXPECT_FALSE(t.error().message.empty());
    return;
  }
  ++parsed;
  auto r = t->render(input);
  if (r.ok()) ++rendered;
  else EXPECT_FALSE(r.error().message.empty());
}

TEST(TemplateRobustnessTest, TruncatedAndCorruptedTemplatesFailCleanly) {
  const auto templates = shared_templates();
  ASSERT_GT(templates.size(), 10u);
  const auto conversations = testing::standard_conversations();
  const ChatInput& input = conversations[6].input;  // tools, a call and its result
  std::mt19937 rng(1234);
  int parsed = 0, rendered = 0;
  for (const std::string& source : templates) {
    for (int cut = 1; cut < 24; ++cut) {
      parse_and_render(source.substr(0, source.size() * cut / 24), input, parsed, rendered);
    }
    for (int round = 0; round < 8; ++round) {
      std::string damaged = source;
      for (int k = 0; k < 3; ++k) {
        damaged[rng() % damaged.size()] = "{}%#-+()[]'\"|.,\n x"[rng() % 18];
      }
      parse_and_render(damaged, input, parsed, rendered);
    }
  }
  // Both outcomes must occur, or the damage is not exercising the error paths.
  EXPECT_GT(parsed, 0);
  EXPECT_GT(rendered, 0);
  EXPECT_LT(rendered, static_cast<int>(templates.size()) * 31);
}

}  // namespace
}  // namespace woolly::engine
