#include "backends/local_backend.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <valijson/adapters/boost_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <filesystem>
#include <future>

#include "engine/runtime/demo_model.h"

namespace woolly::backends {
namespace {

namespace json = boost::json;

std::string demo_path() {
  static const std::string path = [] {
    std::string p = std::string(WOOLLY_BINARY_DIR) + "/test_models/backends_demo_tiny.gguf";
    if (!std::filesystem::exists(p)) {
      auto s = engine::create_demo_model(p, engine::DemoSize::kTiny);
      if (!s.ok()) ADD_FAILURE() << s.error().message;
    }
    return p;
  }();
  return path;
}

LocalBackendOptions small_options(int slots = 8, int queue = 64) {
  LocalBackendOptions o;
  o.model.threads = 1;
  o.model.n_ctx = 512;
  o.model.max_sequences = slots;
  o.max_queue = queue;
  return o;
}

ChatRequest hello(uint64_t seed, int max_tokens = 12) {
  ChatRequest r;
  r.model = "demo";
  r.messages = {{"system", "You are a demo.", {}, {}, {}}, {"user", "Hello there", {}, {}, {}}};
  r.sampling.seed = seed;
  r.sampling.max_tokens = max_tokens;
  r.sampling.temperature = 0.9f;
  return r;
}

TEST(LocalBackend, ChatRendersTheTemplateAndGeneratesAndStreams) {
  auto b = LocalBackend::load(demo_path(), small_options());
  ASSERT_TRUE(b.ok()) << b.error().message;
  auto text = (*b)->render_chat(hello(1));
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_NE(text->find("Hello there"), std::string::npos);
  EXPECT_NE(text->find("<|im_start|>assistant"), std::string::npos) << *text;
  // Control tokens in the rendered text become single tokens, and BOS appears at most once.
  auto tokens = (*b)->encode(*text);
  auto again = (*b)->encode("<|im_start|>");
  EXPECT_LE(again.size(), 2u);

  std::string streamed;
  auto r = (*b)->chat(hello(7), [&](const StreamEvent& ev) { streamed += ev.text; });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(streamed, r->message.content);
  EXPECT_EQ(r->message.role, "assistant");
  EXPECT_EQ(r->usage.prompt_tokens, static_cast<int32_t>(tokens.size()));
  EXPECT_GT(r->usage.completion_tokens, 0);
  EXPECT_LE(r->usage.completion_tokens, 12);
  EXPECT_GT(r->timings.total_ms, 0);
}

TEST(LocalBackend, EightConcurrentSeededRequestsAreDeterministic) {
  auto b = LocalBackend::load(demo_path(), small_options(8));
  ASSERT_TRUE(b.ok()) << b.error().message;
  auto run_all = [&] {
    std::vector<std::future<Result<ChatResponse>>> fs;
    for (int i = 0; i < 8; ++i)
      fs.push_back(std::async(std::launch::async, [&, i] { return (*b)->chat(hello(100 + i, 16)); }));
    std::vector<std::string> out;
    for (auto& f : fs) {
      auto r = f.get();
      EXPECT_TRUE(r.ok()) << r.error().message;
      out.push_back(r.ok() ? r->message.content : "");
    }
    return out;
  };
  auto first = run_all();
  auto second = run_all();
  EXPECT_EQ(first, second);
  // Different seeds give different texts (not all eight equal).
  EXPECT_NE(std::count(first.begin(), first.end(), first[0]), 8);
}

TEST(LocalBackend, CancelStopsWithinAStep) {
  auto b = LocalBackend::load(demo_path(), small_options(1));
  ASSERT_TRUE(b.ok()) << b.error().message;
  auto req = hello(3, 400);
  req.sampling.stop.clear();
  CancelToken cancel = req.cancel;
  int pieces_after_cancel = 0;
  bool cancelled = false;
  auto r = (*b)->chat(req, [&](const StreamEvent&) {
    if (cancelled) ++pieces_after_cancel;
    cancel.cancel();
    cancelled = true;
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kCancelled);
  EXPECT_LE(pieces_after_cancel, 1);
}

TEST(LocalBackend, FullQueueIsUnavailable) {
  auto b = LocalBackend::load(demo_path(), small_options(1, 1));
  ASSERT_TRUE(b.ok()) << b.error().message;
  std::vector<CancelToken> tokens;
  std::vector<std::promise<Errc>> results(6);
  for (int i = 0; i < 6; ++i) {
    auto req = hello(i, 400);
    tokens.push_back(req.cancel);
    (*b)->chat_async(req, {}, [&results, i](Result<ChatResponse> r) {
      results[i].set_value(r.ok() ? Errc::kInternal : r.error().code);
    });
  }
  int unavailable = 0;
  for (auto& t : tokens) t.cancel();
  for (auto& p : results) {
    Errc e = p.get_future().get();
    if (e == Errc::kUnavailable) ++unavailable;
  }
  EXPECT_GE(unavailable, 3);  // one decoding, one queued, the rest refused at once
}

TEST(LocalBackend, EmbeddingsHaveModelWidthAndAreDeterministic) {
  auto b = LocalBackend::load(demo_path(), small_options());
  ASSERT_TRUE(b.ok()) << b.error().message;
  EmbedRequest e;
  e.inputs = {"hello world", "something else"};
  auto r1 = (*b)->embed(e);
  auto r2 = (*b)->embed(e);
  ASSERT_TRUE(r1.ok()) << r1.error().message;
  ASSERT_TRUE(r2.ok());
  ASSERT_EQ(r1->vectors.size(), 2u);
  EXPECT_EQ(r1->vectors[0].size(), 64u);  // the tiny demo model's n_embd
  EXPECT_EQ(r1->vectors, r2->vectors);
  EXPECT_NE(r1->vectors[0], r1->vectors[1]);
  EXPECT_GT(r1->usage.prompt_tokens, 0);
}

TEST(LocalBackend, LogprobsPerTokenAndContextOverflow) {
  auto b = LocalBackend::load(demo_path(), small_options());
  ASSERT_TRUE(b.ok()) << b.error().message;
  auto req = hello(5, 8);
  req.sampling.logprobs = true;
  req.sampling.top_logprobs = 3;
  size_t streamed_logprobs = 0;
  auto r = (*b)->chat(req, [&](const StreamEvent& ev) { streamed_logprobs += ev.logprobs.size(); });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->logprobs.size(), static_cast<size_t>(r->usage.completion_tokens));
  EXPECT_EQ(streamed_logprobs, r->logprobs.size());
  for (const auto& lp : r->logprobs) {
    EXPECT_LE(lp.logprob, 0.0f);
    ASSERT_EQ(lp.top.size(), 3u);
    EXPECT_GE(lp.top[0].logprob, lp.top[2].logprob);
  }

  std::string long_text;
  for (int i = 0; i < 3000; ++i) long_text += "x y ";
  auto big = hello(1);
  big.messages.back().content = long_text;
  auto o = (*b)->chat(big);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().code, Errc::kOutOfRange) << o.error().message;
}

bool validates(const std::string& schema_text, const json::value& doc) {
  json::value schema_json = json::parse(schema_text);
  valijson::Schema schema;
  valijson::SchemaParser parser;
  valijson::adapters::BoostJsonAdapter schema_adapter(schema_json);
  parser.populateSchema(schema_adapter, schema);
  valijson::Validator validator;
  valijson::adapters::BoostJsonAdapter target(doc);
  return validator.validate(schema, target, nullptr);
}

TEST(LocalBackend, JsonObjectAndJsonSchemaOutputsParseAndValidate) {
  auto b = LocalBackend::load(demo_path(), small_options());
  ASSERT_TRUE(b.ok()) << b.error().message;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    auto req = hello(seed, 400);
    req.response_format.type = ResponseFormatType::kJsonObject;
    auto r = (*b)->chat(req);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->finish, FinishReason::kStop) << r->message.content;
    boost::system::error_code ec;
    json::value v = json::parse(r->message.content, ec);
    ASSERT_FALSE(ec) << r->message.content;
    EXPECT_TRUE(v.is_object());
  }
  const std::string schema = R"({"type":"object","properties":{
      "name":{"type":"string"},"age":{"type":"integer"},"pet":{"enum":["cat","dog"]},
      "tags":{"type":"array","items":{"type":"string"}},"ok":{"type":"boolean"}},
      "required":["name","age","pet","tags","ok"],"additionalProperties":false})";
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    auto req = hello(seed, 400);
    req.response_format.type = ResponseFormatType::kJsonSchema;
    req.response_format.schema_json = schema;
    auto r = (*b)->chat(req);
    ASSERT_TRUE(r.ok()) << r.error().message;
    boost::system::error_code ec;
    json::value v = json::parse(r->message.content, ec);
    ASSERT_FALSE(ec) << r->message.content;
    EXPECT_TRUE(validates(schema, v)) << r->message.content;
  }
}

// Even a random-weight model ends with a complete, valid value when the budget is small: the
// constraint keeps room for the shortest way to close whatever it has opened.
TEST(LocalBackend, JsonOutputIsCompleteWithinASmallBudget) {
  auto b = LocalBackend::load(demo_path(), small_options());
  ASSERT_TRUE(b.ok()) << b.error().message;
  const std::string schema = R"({"type":"object","properties":{
      "name":{"type":"string"},"age":{"type":"integer"},"pet":{"enum":["cat","dog"]},
      "tags":{"type":"array","items":{"type":"string"}},"ok":{"type":"boolean"}},
      "required":["name","age","pet","tags","ok"],"additionalProperties":false})";
  for (int max_tokens : {60, 90, 150}) {
    for (uint64_t seed = 1; seed <= 2; ++seed) {
      auto req = hello(seed, max_tokens);
      req.response_format.type = ResponseFormatType::kJsonSchema;
      req.response_format.schema_json = schema;
      auto r = (*b)->chat(req);
      ASSERT_TRUE(r.ok()) << r.error().message;
      EXPECT_EQ(r->finish, FinishReason::kStop) << max_tokens << ": " << r->message.content;
      EXPECT_LE(r->usage.completion_tokens, max_tokens);
      boost::system::error_code ec;
      json::value v = json::parse(r->message.content, ec);
      ASSERT_FALSE(ec) << max_tokens << ": " << r->message.content;
      EXPECT_TRUE(validates(schema, v)) << r->message.content;
    }
  }
}

}  // namespace
}  // namespace woolly::backends
