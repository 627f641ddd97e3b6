#include "backends/model_registry.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "engine/runtime/demo_model.h"
#include "fake_upstream.h"

namespace woolly::backends {
namespace {

namespace fs = std::filesystem;

// A models_dir with one tiny demo model, created once.
std::string models_dir() {
  static const std::string dir = [] {
    std::string d = std::string(WOOLLY_BINARY_DIR) + "/test_models/registry_models";
    std::string p = d + "/Tiny Demo.gguf";
    if (!fs::exists(p)) {
      auto s = engine::create_demo_model(p, engine::DemoSize::kTiny);
      if (!s.ok()) ADD_FAILURE() << s.error().message;
    }
    return d;
  }();
  return dir;
}

RegistryOptions options(int64_t budget = 0, bool lazy = false) {
  RegistryOptions o;
  o.memory_budget = budget;
  o.lazy_load = lazy;
  o.local.model.threads = 1;
  o.local.model.n_ctx = 256;
  o.local.model.max_sequences = 2;
  return o;
}

BackendSpec upstream(std::string name, std::string type, std::string url) {
  BackendSpec s;
  s.name = std::move(name);
  s.type = std::move(type);
  s.upstream.base_url = std::move(url);
  return s;
}

// Keeps registrations in memory, as the store adapter would in its table.
struct MemoryPersistence : ModelPersistence {
  std::map<std::string, std::pair<std::string, std::string>> rows;  // name -> type, config
  Status save(const BackendSpec& s) override {
    rows[s.name] = {s.type, to_config_json(s)};
    return {};
  }
  Status erase(const std::string& name) override {
    rows.erase(name);
    return {};
  }
  Result<std::vector<BackendSpec>> load_all() override {
    std::vector<BackendSpec> out;
    for (const auto& [name, row] : rows) {
      WOOLLY_ASSIGN_OR_RETURN(auto s, from_config_json(name, row.first, row.second));
      out.push_back(std::move(s));
    }
    return out;
  }
};

TEST(ModelRegistry, IdsDeriveFromBackendAndName) {
  EXPECT_EQ(derive_model_id("ollama", "Llama 3.2 3B"), "ollama_llama_3_2_3b");
  EXPECT_EQ(derive_model_id("openai", "gpt-4o-mini"), "openai_gpt_4o_mini");
  EXPECT_EQ(derive_model_id("local", "  Qwen2.5 (7B)! "), "local_qwen2_5_7b");
}

TEST(ModelRegistry, RegisterListGetRemoveAndPersist) {
  auto client = std::make_shared<net::client::HttpClient>();
  MemoryPersistence store;
  {
    ModelRegistry reg(options(), client, &store);
    auto id = reg.register_model(upstream("Llama 3.2 3B", "ollama", "http://127.0.0.1:9"));
    ASSERT_TRUE(id.ok()) << id.error().message;
    EXPECT_EQ(*id, "ollama_llama_3_2_3b");
    EXPECT_EQ(reg.register_model(upstream("Llama 3.2 3B", "ollama", "http://127.0.0.1:9")).error().code,
              Errc::kAlreadyExists);
    EXPECT_EQ(reg.add(upstream("x", "grpc", "http://h")).error().code, Errc::kInvalidArgument);
    EXPECT_EQ(reg.add(upstream("y", "openai", "")).error().code, Errc::kInvalidArgument);
    ASSERT_TRUE(reg.add(upstream("gpt", "openai", "http://127.0.0.1:9/v1")).ok());
    auto all = reg.list();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_TRUE(reg.get("Llama 3.2 3B").ok());  // by name
    auto by_id = reg.get("ollama_llama_3_2_3b");
    ASSERT_TRUE(by_id.ok());
    EXPECT_EQ((*by_id)->type(), "ollama");
    EXPECT_EQ(reg.get("nope").error().code, Errc::kNotFound);
    EXPECT_EQ(store.rows.size(), 1u);  // only the runtime registration persists
  }
  {
    ModelRegistry reg(options(), client, &store);
    ASSERT_TRUE(reg.restore().ok());
    ASSERT_TRUE(reg.info("ollama_llama_3_2_3b").ok());
    ASSERT_TRUE(reg.remove("ollama_llama_3_2_3b").ok());
    EXPECT_TRUE(reg.list().empty());
    EXPECT_TRUE(store.rows.empty());
  }
}

TEST(ModelRegistry, MemoryBudgetRefusesALoadNamingTheNumbers) {
  ModelRegistry reg(options(1000), std::make_shared<net::client::HttpClient>());
  auto n = reg.scan_models_dir(models_dir());
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, Errc::kUnavailable);
  EXPECT_NE(n.error().message.find("1000"), std::string::npos) << n.error().message;
  EXPECT_TRUE(reg.list().empty());
  EXPECT_EQ(reg.loaded_bytes(), 0);
}

TEST(ModelRegistry, LazyLocalModelLoadsOnFirstUseAndUnloads) {
  ModelRegistry reg(options(0, true), std::make_shared<net::client::HttpClient>());
  auto n = reg.scan_models_dir(models_dir());
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 1);
  auto info = reg.info("local_tiny_demo");
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info->loaded);
  EXPECT_EQ(reg.health("local_tiny_demo").error().code, Errc::kUnavailable);
  reg.set_default_model("Tiny Demo");
  auto b = reg.get("");
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ((*b)->type(), "local");
  info = reg.info("local_tiny_demo");
  EXPECT_TRUE(info->loaded);
  EXPECT_GT(info->memory_bytes, 0u);
  EXPECT_EQ(reg.loaded_bytes(), static_cast<int64_t>(info->memory_bytes));
  EXPECT_TRUE(reg.health("local_tiny_demo").ok());
  ASSERT_TRUE(reg.unload("local_tiny_demo").ok());
  EXPECT_EQ(reg.loaded_bytes(), 0);
  EXPECT_FALSE(reg.info("local_tiny_demo")->loaded);
}

TEST(ModelRegistry, HealthOfUpstreams) {
  net::Router r;
  (void)r.get("/api/tags", [](const net::Request&) { return net::Response::json(200, "{\"models\":[]}"); });
  net::testing::RunningServer s{net::ServerOptions{}, std::move(r)};
  ModelRegistry reg(options(), std::make_shared<net::client::HttpClient>());
  ASSERT_TRUE(reg.add(upstream("up", "ollama", "http://127.0.0.1:" + std::to_string(s.port()))).ok());
  auto down = upstream("down", "ollama", "http://127.0.0.1:1");
  down.upstream.max_retries = 0;
  ASSERT_TRUE(reg.add(down).ok());
  EXPECT_TRUE(reg.health("up").ok());
  auto h = reg.health("down");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code, Errc::kUnavailable);
}

}  // namespace
}  // namespace woolly::backends

namespace woolly::backends {
namespace {

// Observers hear every change with the model's name (the MCP server turns them into
// list_changed/updated notifications), and nothing after they are removed.
TEST(ModelRegistry, ObserversHearAddLoadUnloadRemove) {
  ModelRegistry reg(options(0, true), std::make_shared<net::client::HttpClient>());
  std::vector<std::pair<ModelEvent, std::string>> heard;
  const int id = reg.add_observer(
      [&heard](ModelEvent e, const std::string& name) { heard.emplace_back(e, name); });
  ASSERT_TRUE(reg.scan_models_dir(models_dir()).ok());
  ASSERT_TRUE(reg.load("local_tiny_demo").ok());
  ASSERT_TRUE(reg.load("local_tiny_demo").ok());  // already loaded: no event
  ASSERT_TRUE(reg.unload("local_tiny_demo").ok());
  ASSERT_TRUE(reg.unload("local_tiny_demo").ok());  // not loaded: no event
  ASSERT_TRUE(reg.remove("local_tiny_demo").ok());
  EXPECT_FALSE(reg.remove("local_tiny_demo").ok());  // unknown: no event
  using E = ModelEvent;
  const std::vector<std::pair<ModelEvent, std::string>> want{{E::kAdded, "Tiny Demo"},
                                                             {E::kLoaded, "Tiny Demo"},
                                                             {E::kUnloaded, "Tiny Demo"},
                                                             {E::kRemoved, "Tiny Demo"}};
  EXPECT_EQ(heard, want);
  reg.remove_observer(id);
  ASSERT_TRUE(reg.scan_models_dir(models_dir()).ok());
  EXPECT_EQ(heard.size(), want.size());
}

}  // namespace
}  // namespace woolly::backends
