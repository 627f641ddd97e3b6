// Renders real models' chat templates (from /work/shared/templates) and the built-ins over a
// fixed set of conversations, and compares with Python jinja2 under Hugging Face's settings,
// byte for byte. A conversation that makes jinja2 raise must make our engine fail too.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "engine/template/builtin_templates.h"
#include "engine/template/chat_template.h"
#include "engine/template/hf_reference.h"

namespace woolly::engine {
namespace {

using testing::ReferenceCase;
using testing::ReferenceOutcome;

const std::string kTemplateDir = std::string(WOOLLY_SHARED_DIR) + "/templates";

// Templates we claim to render exactly like transformers does.
const std::vector<std::string> kSupported = {
#include "engine/template/supported_templates.inc"
};

// Templates we do not claim, each with the reason.
const std::map<std::string, std::string> kUnsupported = {
#include "engine/template/unsupported_templates.inc"
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Mismatch {
  std::string where;
  std::string detail;
};

// Renders `sources` (name -> template text) over every standard conversation on both sides.
// Returns mismatches, and per template whether at least one conversation rendered.
std::vector<Mismatch> compare(const std::map<std::string, std::string>& sources,
                              std::map<std::string, int>* rendered_ok) {
  const auto conversations = testing::standard_conversations();
  std::vector<ReferenceCase> cases;
  std::vector<std::string> labels;
  std::vector<Result<std::string>> ours;
  for (const auto& [name, source] : sources) {
    auto parsed = ChatTemplate::parse(source);
    for (const auto& conv : conversations) {
      auto ctx = ChatTemplate::make_context(conv.input);
      cases.push_back({source, ctx.value()});
      labels.push_back(name + " / " + conv.name);
      if (parsed.ok()) ours.push_back(parsed->render_context(ctx.value(), testing::fixed_now()));
      else ours.push_back(parsed.error());
    }
  }
  const auto reference = testing::render_reference(cases);
  std::vector<Mismatch> mismatches;
  if (reference.size() != cases.size()) return {{"harness", "reference renderer gave no result"}};
  for (size_t i = 0; i < cases.size(); ++i) {
    const ReferenceOutcome& ref = reference[i];
    const auto& mine = ours[i];
    const std::string name = labels[i].substr(0, labels[i].find(" / "));
    if (ref.ok && mine.ok()) {
      if (ref.text != *mine) {
        size_t at = 0;
        while (at < ref.text.size() && at < mine->size() && ref.text[at] == (*mine)[at]) ++at;
        mismatches.push_back({labels[i], "output differs at byte " + std::to_string(at) +
                                             "\n--- jinja2:\n" + ref.text.substr(at > 80 ? at - 80 : 0, 200) +
                                             "\n--- ours:\n" + mine->substr(at > 80 ? at - 80 : 0, 200)});
      } else if (rendered_ok != nullptr) {
        ++(*rendered_ok)[name];
      }
    } else if (ref.ok) {
      mismatches.push_back({labels[i], "we failed where jinja2 rendered: " + mine.error().message});
    } else if (mine.ok()) {
      mismatches.push_back({labels[i], "jinja2 raised (" + ref.error + ") but we rendered"});
    }
  }
  return mismatches;
}

class HfCompatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::reference_available()) GTEST_SKIP() << "/usr/bin/python3 with jinja2 is not installed";
  }
};

TEST_F(HfCompatTest, ClaimedTemplatesMatchJinja2ByteForByte) {
  std::map<std::string, std::string> sources;
  for (const auto& file : kSupported) {
    const std::string text = read_file(kTemplateDir + "/" + file);
    ASSERT_FALSE(text.empty()) << file;
    sources[file] = text;
  }
  std::map<std::string, int> rendered;
  for (const auto& m : compare(sources, &rendered)) ADD_FAILURE() << m.where << ": " << m.detail;
  for (const auto& file : kSupported) {
    EXPECT_GE(rendered[file], 3) << file << " renders too few conversations to claim support";
  }
}

TEST_F(HfCompatTest, BuiltinTemplatesMatchJinja2ByteForByte) {
  std::map<std::string, std::string> sources;
  for (std::string_view name : builtin_template_names()) {
    sources[std::string(name)] = std::string(*builtin_template_source(name));
  }
  std::map<std::string, int> rendered;
  for (const auto& m : compare(sources, &rendered)) ADD_FAILURE() << m.where << ": " << m.detail;
  for (const auto& [name, source] : sources) EXPECT_GE(rendered[name], 5) << name;
}

// Every shared template is either claimed or explained, so a new one cannot slip by.
TEST(HfCompatCatalogue, EveryTemplateIsClaimedOrExplained) {
  std::set<std::string> claimed(kSupported.begin(), kSupported.end());
  for (const auto& entry : std::filesystem::directory_iterator(kTemplateDir)) {
    const std::string file = entry.path().filename().string();
    if (entry.path().extension() != ".jinja") continue;
    const bool is_claimed = claimed.count(file) != 0;
    const bool is_explained = kUnsupported.count(file) != 0;
    EXPECT_TRUE(is_claimed != is_explained) << file << " must be in exactly one list";
  }
}

// Developer aid: WOOLLY_TEMPLATE_SURVEY=1 compares every shared template and prints the result.
TEST_F(HfCompatTest, Survey) {
  if (std::getenv("WOOLLY_TEMPLATE_SURVEY") == nullptr) GTEST_SKIP() << "set WOOLLY_TEMPLATE_SURVEY=1";
  std::map<std::string, std::string> sources;
  for (const auto& entry : std::filesystem::directory_iterator(kTemplateDir)) {
    if (entry.path().extension() == ".jinja") sources[entry.path().filename().string()] = read_file(entry.path().string());
  }
  std::map<std::string, int> rendered;
  std::map<std::string, std::string> first_problem;
  for (const auto& m : compare(sources, &rendered)) {
    const std::string name = m.where.substr(0, m.where.find(" / "));
    if (!first_problem.count(name)) first_problem[name] = m.where + ": " + m.detail;
  }
  for (const auto& [name, src] : sources) {
    std::cout << (first_problem.count(name) ? "MISMATCH " : "OK       ") << name << " ("
              << rendered[name] << " rendered)\n";
    if (first_problem.count(name)) std::cout << "    " << first_problem[name].substr(0, 600) << "\n";
  }
}

}  // namespace
}  // namespace woolly::engine
