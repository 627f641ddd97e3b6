// The built-in Woolly tools over a fake ModelAccess: arguments reach the model, progress carries
// the partial text, cancellation stops generation, bad arguments are tool errors, and the model
// resources read back.
#include "mcp/tools/builtin_tools.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace woolly::mcp::tools {
namespace {

class FakeModels : public ModelAccess {
 public:
  std::vector<ModelSummary> list_models() override {
    return {{.id = "local_tiny", .name = "tiny", .type = "local", .loaded = true, .tokenize = true}};
  }
  Result<ModelSummary> model_info(std::string_view name) override {
    if (name.empty() || name == "tiny") return list_models().front();
    return make_error(Errc::kNotFound, "no model " + std::string(name));
  }
  Result<GenerateResult> generate(const GenerateRequest& req,
                                  const std::function<void(std::string_view)>& on_text) override {
    last = req;
    GenerateResult r{.model = "tiny", .finish_reason = "length"};
    const int n = req.params.max_tokens.value_or(3);
    for (int i = 0; i < n; ++i) {
      if (req.cancel && req.cancel->load()) {
        r.finish_reason = "cancelled";
        break;
      }
      std::string piece = "w" + std::to_string(i) + " ";
      r.text += piece;
      ++r.completion_tokens;
      on_text(piece);
      if (i == cancel_after && req.cancel) req.cancel->store(true);
    }
    last_text = r.text;
    return r;
  }
  Result<std::vector<int32_t>> tokenize(std::string_view, std::string_view text) override {
    std::vector<int32_t> ids;
    for (char c : text) ids.push_back(static_cast<unsigned char>(c));
    return ids;
  }
  Result<std::vector<float>> embed(std::string_view, std::string_view text,
                                   const std::shared_ptr<const void>& caller) override {
    last_embed_caller = caller;
    return std::vector<float>{static_cast<float>(text.size()), 0.5f};
  }
  GenerateRequest last;
  std::shared_ptr<const void> last_embed_caller;
  std::string last_text;
  int cancel_after = -1;
};

struct Outcome {
  std::optional<ToolResult> result;
  std::vector<json::object> notes;
};

class BuiltinToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    models_ = std::make_shared<FakeModels>();
    builtin_ = std::make_unique<BuiltinTools>(BuiltinToolsOptions{
        .models = models_, .status = [] { return json::object{{"uptime_s", 5}}; }});
    ASSERT_TRUE(builtin_->register_all(tools_, resources_).ok());
  }
  // `session`: the calling MCP session's store (the fixture's own one unless told otherwise;
  // null = a call without a session, as through the REST mirror).
  Outcome call(const std::string& name, std::string_view args_json, json::value progress = nullptr,
               std::optional<bool> expect_result = true,
               std::shared_ptr<const void> caller = nullptr) {
    return call_in(session_, name, args_json, std::move(progress), expect_result, std::move(caller));
  }
  Outcome call_in(const std::shared_ptr<SessionStore>& session, const std::string& name,
                  std::string_view args_json, json::value progress = nullptr,
                  std::optional<bool> expect_result = true,
                  std::shared_ptr<const void> caller = nullptr) {
    CancelFlag cancel = std::make_shared<std::atomic<bool>>(false);
    Outcome out;
    auto entry = tools_.find(name);
    EXPECT_TRUE(entry) << name;
    if (!entry) return out;
    ToolContext::Hooks hooks;
    hooks.notify = [&out](json::object n) { out.notes.push_back(std::move(n)); };
    hooks.finish = [&out](ToolResult r) { out.result = std::move(r); };
    auto ctx = std::make_shared<ToolContext>(name, json::parse(args_json).as_object(), progress,
                                             std::nullopt, cancel, std::move(hooks));
    ctx->set_caller(std::move(caller));
    ctx->set_session_store(session);
    entry->spec.handler(ctx);
    if (expect_result) {
      EXPECT_EQ(out.result.has_value(), *expect_result);
    }
    return out;
  }
  static std::string text_of(const ToolResult& r) {
    return std::string(r.content.at(0).at("text").as_string());
  }

  std::shared_ptr<FakeModels> models_;
  std::shared_ptr<SessionStore> session_ = std::make_shared<SessionStore>();
  ToolRegistry tools_;
  ResourceRegistry resources_;
  std::unique_ptr<BuiltinTools> builtin_;
};

TEST_F(BuiltinToolsTest, AllToolsRegistered) {
  std::vector<std::string> names;
  for (const auto& e : tools_.list()) names.push_back(e->spec.name);
  EXPECT_EQ(names, (std::vector<std::string>{"chat", "embed", "generate_text", "get_model_info",
                                             "get_server_status", "list_models",
                                             "set_generation_params", "tokenize_text"}));
}

TEST_F(BuiltinToolsTest, GenerateTextPassesParamsAndReportsProgress) {
  Outcome o = call("generate_text",
                   R"({"prompt":"hi","max_tokens":2,"temperature":0.5,"top_k":4,"top_p":0.9,"stop_sequence":"\n"})",
                   json::value("tok"));
  ASSERT_TRUE(o.result);
  EXPECT_FALSE(o.result->is_error);
  EXPECT_EQ(text_of(*o.result), "w0 w1 ");
  EXPECT_EQ(models_->last.prompt, "hi");
  EXPECT_EQ(models_->last.params.top_k, 4);
  EXPECT_DOUBLE_EQ(*models_->last.params.temperature, 0.5);
  ASSERT_EQ(models_->last.params.stop.size(), 1u);
  ASSERT_EQ(o.notes.size(), 2u);
  EXPECT_EQ(o.notes[1].at("params").at("message").as_string(), "w0 w1 ");
}

TEST_F(BuiltinToolsTest, CancellationStopsGeneration) {
  models_->cancel_after = 1;
  // The flag the model sees is the MCP request's: setting it (notifications/cancelled) stops the
  // generation after the current piece, whatever the call then reports.
  call("generate_text", R"({"prompt":"hi","max_tokens":50})", nullptr, std::nullopt);
  EXPECT_EQ(models_->last_text, "w0 w1 ");
}

TEST_F(BuiltinToolsTest, BadArgumentsAreToolErrors) {
  EXPECT_TRUE(call("generate_text", R"({"prompt":"hi","temperature":7})").result->is_error);
  EXPECT_TRUE(call("generate_text", R"({"prompt":""})").result->is_error);
  EXPECT_TRUE(call("chat", R"({"messages":[{"role":"robot","content":"x"}]})").result->is_error);
  EXPECT_TRUE(call("get_model_info", R"({"model":"nope"})").result->is_error);
}

TEST_F(BuiltinToolsTest, DefaultsApplyToLaterCalls) {
  EXPECT_FALSE(call("set_generation_params", R"({"max_tokens":1,"temperature":0.1})").result->is_error);
  Outcome o = call("chat", R"({"messages":[{"role":"user","content":"hello"}]})");
  EXPECT_EQ(text_of(*o.result), "w0 ");
  EXPECT_EQ(models_->last.messages.at(0).content, "hello");
  EXPECT_DOUBLE_EQ(*models_->last.params.temperature, 0.1);
}

// set_generation_params defaults belong to the session that set them: another session (another
// client) still generates with its own settings.
TEST_F(BuiltinToolsTest, DefaultsAreKeptPerSession) {
  auto other = std::make_shared<SessionStore>();
  ASSERT_FALSE(call_in(session_, "set_generation_params", R"({"temperature":0.25,"top_k":7})")
                   .result->is_error);
  ASSERT_FALSE(call_in(other, "set_generation_params", R"({"temperature":1.5})").result->is_error);

  call_in(other, "generate_text", R"({"prompt":"a"})");
  EXPECT_DOUBLE_EQ(*models_->last.params.temperature, 1.5);
  EXPECT_FALSE(models_->last.params.top_k.has_value());
  call_in(session_, "generate_text", R"({"prompt":"b"})");
  EXPECT_DOUBLE_EQ(*models_->last.params.temperature, 0.25);
  EXPECT_EQ(models_->last.params.top_k, 7);
  // A fresh session starts without defaults; arguments of a call still win over defaults.
  call_in(std::make_shared<SessionStore>(), "generate_text", R"({"prompt":"c"})");
  EXPECT_FALSE(models_->last.params.temperature.has_value());
  call_in(session_, "generate_text", R"({"prompt":"d","temperature":0.75})");
  EXPECT_DOUBLE_EQ(*models_->last.params.temperature, 0.75);
}

TEST_F(BuiltinToolsTest, DefaultsNeedASession) {
  Outcome o = call_in(nullptr, "set_generation_params", R"({"temperature":0.5})");
  ASSERT_TRUE(o.result);
  EXPECT_TRUE(o.result->is_error);
  EXPECT_NE(text_of(*o.result).find("session"), std::string::npos) << text_of(*o.result);
  // Generation without a session works, with no defaults.
  EXPECT_FALSE(call_in(nullptr, "generate_text", R"({"prompt":"x"})").result->is_error);
}

TEST_F(BuiltinToolsTest, InfoToolsAndResources) {
  Outcome t = call("tokenize_text", R"({"text":"abc"})");
  EXPECT_EQ(t.result->structured_content.at("count").as_int64(), 3);
  EXPECT_EQ(t.result->structured_content.at("tokens").at(0).as_int64(), 'a');
  EXPECT_EQ(call("embed", R"({"text":"abcd"})").result->structured_content.at("dimensions").as_int64(), 2);
  EXPECT_EQ(call("list_models", "{}").result->structured_content.at("models").as_array().size(), 1u);
  EXPECT_EQ(call("get_model_info", "{}").result->structured_content.at("name").as_string(), "tiny");
  EXPECT_EQ(call("get_server_status", "{}").result->structured_content.at("uptime_s").as_int64(), 5);
  auto read = resources_.read("woolly://models/tiny");
  ASSERT_TRUE(read.ok());
  EXPECT_NE(read->at(0).text->find("\"local_tiny\""), std::string::npos);
  EXPECT_FALSE(resources_.read("woolly://models/nope").ok());
  ASSERT_EQ(resources_.list().size(), 1u);
  EXPECT_EQ(resources_.list()[0].uri, "woolly://models/tiny");
}

TEST_F(BuiltinToolsTest, TheCallerReachesTheModelsSoTheyCanChargeIt) {
  // The app's model access charges this caller's credits; the tools must pass it on untouched.
  auto caller = std::make_shared<const int>(7);
  ASSERT_TRUE(call("generate_text", R"({"prompt":"hi"})", nullptr, true, caller).result);
  EXPECT_EQ(models_->last.caller, caller);
  ASSERT_TRUE(call("chat", R"({"messages":[{"role":"user","content":"hi"}]})", nullptr, true,
                   caller).result);
  EXPECT_EQ(models_->last.caller, caller);
  ASSERT_TRUE(call("embed", R"({"text":"abcd"})", nullptr, true, caller).result);
  EXPECT_EQ(models_->last_embed_caller, caller);
  ASSERT_TRUE(call("generate_text", R"({"prompt":"hi"})").result);
  EXPECT_EQ(models_->last.caller, nullptr);
}

}  // namespace
}  // namespace woolly::mcp::tools
