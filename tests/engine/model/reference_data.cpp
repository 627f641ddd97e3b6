#include "reference_data.h"

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace woolly::engine::testing {
namespace json = boost::json;

std::string reference_dir() { return std::string(WOOLLY_SHARED_DIR) + "/reference"; }

namespace {

std::vector<float> read_floats(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<float> out(bytes.size() / 4);
  std::memcpy(out.data(), bytes.data(), out.size() * 4);
  return out;
}

std::vector<GreedyStep> read_steps(const json::object& greedy) {
  std::vector<GreedyStep> out;
  for (const auto& s : greedy.at("steps").as_array()) {
    GreedyStep step;
    step.id = static_cast<int>(s.at("id").to_number<int64_t>());
    for (const auto& p : s.at("top5").as_array()) {
      step.top5.emplace_back(static_cast<int>(p.as_array()[0].to_number<int64_t>()),
                             p.as_array()[1].to_number<double>());
    }
    out.push_back(std::move(step));
  }
  return out;
}

}  // namespace

ReferenceModel load_reference(const std::string& name) {
  const std::string dir = reference_dir();
  std::ifstream in(dir + "/" + name + ".json");
  if (!in) throw std::runtime_error("cannot open reference " + name);
  std::stringstream ss;
  ss << in.rdbuf();
  const json::object root = json::parse(ss.str()).as_object();
  ReferenceModel m;
  m.name = name;
  m.gguf_path = dir + "/" + std::string(root.at("file").as_string());
  m.arch = std::string(root.at("arch").as_string());
  for (const auto& cv : root.at("cases").as_array()) {
    const json::object& c = cv.as_object();
    ReferenceCase rc;
    rc.name = std::string(c.at("name").as_string());
    for (const auto& t : c.at("tokens").as_array())
      rc.tokens.push_back(static_cast<int>(t.to_number<int64_t>()));
    rc.logits = read_floats(dir + "/" + std::string(c.at("logits_file").as_string()));
    rc.greedy = read_steps(c.at("greedy").as_object());
    if (c.contains("logits_f32kv_file")) {
      rc.logits_f32kv = read_floats(dir + "/" + std::string(c.at("logits_f32kv_file").as_string()));
      rc.greedy_f32kv = read_steps(c.at("greedy_f32kv").as_object());
    }
    m.cases.push_back(std::move(rc));
  }
  return m;
}

}  // namespace woolly::engine::testing
