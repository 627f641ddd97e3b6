// `eval`, `tokenize`, `generate`, `bench` and `models` against llama.cpp's reference outputs in
// shared/reference (README there: tolerances per model type).
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cmath>
#include <filesystem>

#include "cli/cli_run.h"

namespace woolly::cli_test {
namespace {

namespace json = boost::json;

json::value load_json(const std::string& path) { return json::parse(read_file(path)); }

const json::object& find_case(const json::value& model, const std::string& name) {
  for (const auto& c : model.at("cases").as_array()) {
    if (c.at("name").as_string() == name) return c.as_object();
  }
  throw std::runtime_error("no case " + name);
}

std::vector<int64_t> ints(const json::value& v) {
  std::vector<int64_t> out;
  for (const auto& x : v.as_array()) out.push_back(x.to_number<int64_t>());
  return out;
}

std::vector<float> read_floats(const std::string& path) {
  const std::string bytes = read_file(path);
  std::vector<float> v(bytes.size() / sizeof(float));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
  return v;
}

struct Diff {
  double max_over_sigma = 0, rms_over_sigma = 0, cosine = 0;
};

Diff compare(const std::vector<float>& got, const std::vector<float>& ref) {
  double mean = 0;
  for (float r : ref) mean += r;
  mean /= static_cast<double>(ref.size());
  double var = 0, dot = 0, ng = 0, nr = 0, max_d = 0, ss = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    var += (ref[i] - mean) * (ref[i] - mean);
    const double d = static_cast<double>(got[i]) - ref[i];
    max_d = std::max(max_d, std::fabs(d));
    ss += d * d;
    dot += static_cast<double>(got[i]) * ref[i];
    ng += static_cast<double>(got[i]) * got[i];
    nr += static_cast<double>(ref[i]) * ref[i];
  }
  const double sigma = std::sqrt(var / static_cast<double>(ref.size()));
  return {max_d / sigma, std::sqrt(ss / static_cast<double>(ref.size())) / sigma,
          dot / std::sqrt(ng * nr)};
}

struct EvalCase {
  std::string model;
  std::string case_name;
  bool f32kv;
  double max_tol, rms_tol, min_cos;
};

class EvalReference : public ::testing::TestWithParam<EvalCase> {};

TEST_P(EvalReference, ReproducesTokensAndLogits) {
  const EvalCase& p = GetParam();
  const auto model = load_json(reference(p.model + ".json"));
  const auto& c = find_case(model, p.case_name);
  // Cases run as parallel processes: the file name must be unique to this one.
  const auto out = std::filesystem::temp_directory_path() /
                   ("woolly_eval_" + p.model + "_" + p.case_name + "_" +
                    std::to_string(::getpid()) + ".bin");
  std::vector<std::string> args = {"eval", "--model", reference(p.model + ".gguf"), "--prompt",
                                   std::string(c.at("prompt").as_string()), "--logits-out",
                                   out.string(), "--top", "5", "--threads", "2"};
  if (c.at("parse_special").as_bool()) args.push_back("--parse-special");
  if (p.f32kv) args.push_back("--f32-kv");
  RunResult r = run(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto printed = json::parse(r.out);
  EXPECT_EQ(ints(printed.at("tokens")), ints(c.at("tokens")));
  ASSERT_EQ(printed.at("top").as_array().size(), 5u);

  const auto logits = read_floats(out.string());
  std::filesystem::remove(out);
  const std::string ref_file(c.at(p.f32kv ? "logits_f32kv_file" : "logits_file").as_string());
  const auto ref = read_floats(reference(ref_file));
  ASSERT_EQ(logits.size(), ref.size());
  const Diff d = compare(logits, ref);
  EXPECT_LE(d.max_over_sigma, p.max_tol);
  EXPECT_LE(d.rms_over_sigma, p.rms_tol);
  EXPECT_GE(d.cosine, p.min_cos);
  // The printed top entry is the file's argmax.
  const auto top0 = printed.at("top").as_array()[0].as_array();
  const auto argmax = std::max_element(logits.begin(), logits.end()) - logits.begin();
  EXPECT_EQ(top0[0].to_number<int64_t>(), argmax);
}

INSTANTIATE_TEST_SUITE_P(
    Reference, EvalReference,
    ::testing::Values(EvalCase{"llama-spm-e128-f32", "prose100", true, 2e-4, 1e-4, 0.99999},
                      EvalCase{"llama-spm-e128-f32", "chat", false, 2e-2, 5e-3, 0.99999},
                      EvalCase{"llama-spm-e128-f16", "unicode", false, 2.5e-2, 6e-3, 0.99999},
                      EvalCase{"llama-spm-e128-q8_0", "code", false, 0.35, 0.1, 0.997},
                      EvalCase{"qwen2-gpt2-e128-q8_0", "chat", false, 0.35, 0.1, 0.997},
                      EvalCase{"llama3-bpe-e64-q8_0", "chat", false, 0.35, 0.1, 0.997},
                      EvalCase{"qwen3-gpt2-e128-f32", "short", true, 2e-4, 1e-4, 0.99999}),
    [](const auto& info) {
      std::string n = info.param.model + "_" + info.param.case_name;
      for (auto& ch : n) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
      return n;
    });

TEST(Tokenize, ParseSpecialTurnsChatMarkupIntoControlTokens) {
  const auto model = load_json(reference("llama3-bpe-e64-q8_0.json"));
  const auto& c = find_case(model, "chat");
  const std::string prompt(c.at("prompt").as_string());
  const std::string file = reference("llama3-bpe-e64-q8_0.gguf");
  RunResult special = run({"tokenize", "--model", file, "--text", prompt, "--parse-special", "--json"});
  RunResult plain = run({"tokenize", "--model", file, "--text", prompt, "--json"});
  ASSERT_EQ(special.exit_code, 0) << special.err;
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const auto s = ints(json::parse(special.out).at("tokens"));
  const auto p = ints(json::parse(plain.out).at("tokens"));
  EXPECT_EQ(s, ints(c.at("tokens")));
  const int64_t eot = 128009;  // <|eot_id|>
  EXPECT_NE(std::find(s.begin(), s.end(), eot), s.end());
  EXPECT_EQ(std::find(p.begin(), p.end(), eot), p.end());
  EXPECT_GT(p.size(), s.size());
  EXPECT_EQ(json::parse(special.out).at("pieces").as_array().size(), s.size());
}

TEST(Generate, GreedyFollowsTheReferenceContinuation) {
  const auto model = load_json(reference("llama-spm-e128-f32.json"));
  const auto& c = find_case(model, "prose100");
  RunResult r = run({"generate", "--model", reference("llama-spm-e128-f32.gguf"), "--prompt",
                     std::string(c.at("prompt").as_string()), "-n", "24", "--temperature", "0",
                     "--threads", "2", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto got = ints(json::parse(r.out).at("tokens"));
  size_t compared = 0;
  for (const auto& step : c.at("greedy").at("steps").as_array()) {
    if (step.at("eog").as_bool()) break;
    const auto& top5 = step.at("top5").as_array();
    ASSERT_LT(compared, got.size());
    EXPECT_EQ(got[compared], step.at("id").to_number<int64_t>()) << "step " << compared;
    ++compared;
    const double gap = top5[0].as_array()[1].to_number<double>() -
                       top5[1].as_array()[1].to_number<double>();
    if (gap < 0.1) break;  // a near-tie: llama.cpp's rounding may legitimately go the other way
  }
  EXPECT_GT(compared, 0u);
}

class DemoModel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // ctest runs every case in its own process, several at once: one file per process.
    path_ = (std::filesystem::temp_directory_path() /
             ("woolly_cli_demo_tiny." + std::to_string(::getpid()) + ".gguf"))
                .string();
    RunResult r = run({"models", "create-demo", "--out", path_, "--size", "tiny"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { std::filesystem::remove(path_); }
  static std::string path_;
};
std::string DemoModel::path_;

TEST_F(DemoModel, IsSmallAndCarriesAChatTemplate) {
  EXPECT_LT(std::filesystem::file_size(path_), 4u << 20);
  RunResult r = run({"tokenize", "--model", path_, "--text", "<|im_start|>user\nHello<|im_end|>",
                     "--parse-special", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto pieces = json::parse(r.out).at("pieces").as_array();
  ASSERT_GE(pieces.size(), 3u);
  EXPECT_EQ(pieces[0].as_string(), "<|im_start|>");
  EXPECT_EQ(pieces.back().as_string(), "<|im_end|>");
  EXPECT_NE(read_file(path_).find("tokenizer.chat_template"), std::string::npos);
}

TEST_F(DemoModel, SameSeedSameTextOtherSeedOtherText) {
  auto gen = [&](const std::string& seed) {
    RunResult r = run({"generate", "--model", path_, "--prompt", "Hello! How", "-n", "32",
                       "--temperature", "1.0", "--top-k", "0", "--top-p", "1", "--min-p", "0",
                       "--seed", seed, "--ignore-eos", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return ints(json::parse(r.out).at("tokens"));
  };
  const auto a = gen("7");
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a, gen("7"));
  EXPECT_NE(a, gen("8"));
}

TEST_F(DemoModel, BenchReportsBothRates) {
  RunResult r = run({"bench", "--model", path_, "-p", "32", "-n", "8", "-r", "2", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = json::parse(r.out);
  EXPECT_GT(j.at("pp").at("mean").to_number<double>(), 0);
  EXPECT_GT(j.at("tg").at("mean").to_number<double>(), 0);
  EXPECT_EQ(j.at("pp").at("n").to_number<int>(), 32);
  RunResult table = run({"bench", "--model", path_, "-p", "16", "-n", "4", "-r", "1"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("| pp16 |"), std::string::npos);
  EXPECT_NE(table.out.find("| tg4 |"), std::string::npos);
}

TEST(Errors, MissingModelFailsWithAMessage) {
  RunResult r = run({"generate", "--model", "/nonexistent/model.gguf", "--prompt", "x"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("error"), std::string::npos);
}

}  // namespace
}  // namespace woolly::cli_test
