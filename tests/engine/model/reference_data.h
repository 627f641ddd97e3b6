// Loads the llama.cpp reference cases of shared/reference (see its README) for the model tests.
#pragma once

#include <string>
#include <vector>

namespace woolly::engine::testing {

struct GreedyStep {
  int id = 0;
  std::vector<std::pair<int, double>> top5;  // (token, logprob), descending
};

struct ReferenceCase {
  std::string name;
  std::vector<int> tokens;
  std::vector<float> logits;        // default settings (F16 KV cache)
  std::vector<float> logits_f32kv;  // F32/F16 models only
  std::vector<GreedyStep> greedy, greedy_f32kv;
};

struct ReferenceModel {
  std::string name, gguf_path, arch;
  std::vector<ReferenceCase> cases;
};

std::string reference_dir();
// Reads <dir>/<name>.json and its logits files; aborts the test binary on a malformed file.
ReferenceModel load_reference(const std::string& name);

}  // namespace woolly::engine::testing
