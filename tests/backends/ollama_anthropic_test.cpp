#include <gtest/gtest.h>

#include "backends/anthropic_backend.h"
#include "backends/ollama_backend.h"
#include "fake_upstream.h"

namespace woolly::backends {
namespace {

using testing::Recorder;
using testing::sse;
namespace json = boost::json;

net::Router ollama_router(Recorder& rec) {
  net::Router r;
  (void)r.add(net::Method::kPost, "/api/chat", [&rec](net::Request req, net::Responder res) {
    rec.add(req);
    auto body = json::parse(req.body).as_object();
    if (!body["stream"].as_bool()) {
      res.send(net::Response::json(200, R"({"model":"llama3.2","message":{"role":"assistant","content":"",
        "tool_calls":[{"function":{"name":"add","arguments":{"a":1,"b":2}}}]},"done":true,"done_reason":"stop",
        "prompt_eval_count":9,"eval_count":3,"prompt_eval_duration":2000000,"eval_duration":5000000})"));
      return;
    }
    auto w = res.start_stream(200, testing::content_type("application/x-ndjson"));
    w.write_raw("{\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}\n");
    w.write_raw("{\"message\":{\"role\":\"assistant\",\"content\":\" you\"},\"done\":false}\n");
    w.write_raw("{\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"length\","
                "\"prompt_eval_count\":4,\"eval_count\":2}\n");
    w.close();
  });
  (void)r.add(net::Method::kPost, "/api/generate", [&rec](net::Request req, net::Responder res) {
    rec.add(req);
    auto w = res.start_stream(200, testing::content_type("application/x-ndjson"));
    w.write_raw("{\"response\":\"a\",\"done\":false}\n{\"response\":\"b\",\"done\":false}\n");
    w.write_raw("{\"response\":\"\",\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":1,\"eval_count\":2}");
    w.close();
  });
  (void)r.post("/api/embed", [&rec](const net::Request& req) {
    rec.add(req);
    return net::Response::json(200, R"({"model":"e","embeddings":[[0.1,0.2,0.3],[0.4,0.5,0.6]],"prompt_eval_count":4})");
  });
  (void)r.get("/api/tags", [](const net::Request&) { return net::Response::json(200, R"({"models":[]})"); });
  return r;
}

TEST(Ollama, ChatGenerateEmbedAndHealth) {
  Recorder rec;
  net::testing::RunningServer s{net::ServerOptions{}, ollama_router(rec)};
  UpstreamConfig cfg;
  cfg.base_url = "http://127.0.0.1:" + std::to_string(s.port());
  cfg.model_name = "llama3.2";
  OllamaBackend b(std::make_shared<net::client::HttpClient>(), cfg);

  ChatRequest req;
  req.messages = {{"user", "add 1 and 2", {}, {}, {}}};
  req.tools = {{"add", "adds", R"({"type":"object"})"}};
  req.sampling.max_tokens = 8;
  req.sampling.temperature = 0.0f;
  req.response_format.type = ResponseFormatType::kJsonObject;
  auto r = b.chat(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->message.tool_calls.size(), 1u);
  EXPECT_EQ(r->message.tool_calls[0].name, "add");
  EXPECT_EQ(json::parse(r->message.tool_calls[0].arguments), json::parse(R"({"a":1,"b":2})"));
  EXPECT_EQ(r->finish, FinishReason::kToolCalls);
  EXPECT_EQ(r->usage.prompt_tokens, 9);
  EXPECT_EQ(r->usage.completion_tokens, 3);
  EXPECT_DOUBLE_EQ(r->timings.generate_ms, 5.0);
  auto body = rec.last_json();
  EXPECT_EQ(body["model"].as_string(), "llama3.2");
  EXPECT_EQ(body["options"].at("num_predict").as_int64(), 8);
  EXPECT_EQ(body["format"].as_string(), "json");
  EXPECT_FALSE(body["stream"].as_bool());

  std::string streamed;
  auto sr = b.chat(req, [&](const StreamEvent& ev) { streamed += ev.text; });
  ASSERT_TRUE(sr.ok()) << sr.error().message;
  EXPECT_EQ(streamed, "Hi you");
  EXPECT_EQ(sr->message.content, "Hi you");
  EXPECT_EQ(sr->finish, FinishReason::kLength);
  EXPECT_EQ(sr->usage.completion_tokens, 2);

  CompletionRequest c;
  c.prompt = "x";
  std::string pieces;
  auto cr = b.complete(c, [&](const StreamEvent& ev) { pieces += ev.text + "|"; });
  ASSERT_TRUE(cr.ok()) << cr.error().message;
  EXPECT_EQ(pieces, "a|b|");
  EXPECT_EQ(cr->text, "ab");
  EXPECT_EQ(rec.last().path, "/api/generate");

  EmbedRequest e;
  e.inputs = {"p", "q"};
  auto er = b.embed(e);
  ASSERT_TRUE(er.ok()) << er.error().message;
  ASSERT_EQ(er->vectors.size(), 2u);
  EXPECT_FLOAT_EQ(er->vectors[1][2], 0.6f);
  EXPECT_TRUE(b.health().ok());
}

net::Router anthropic_router(Recorder& rec) {
  net::Router r;
  (void)r.add(net::Method::kPost, "/v1/messages", [&rec](net::Request req, net::Responder res) {
    rec.add(req);
    auto body = json::parse(req.body).as_object();
    if (!body["stream"].as_bool()) {
      res.send(net::Response::json(200, R"({"id":"msg_1","type":"message","role":"assistant","model":"claude",
        "content":[{"type":"text","text":"Let me check."},{"type":"tool_use","id":"toolu_1","name":"weather",
        "input":{"city":"Oslo"}}],"stop_reason":"tool_use","usage":{"input_tokens":20,"output_tokens":12}})"));
      return;
    }
    auto w = res.start_stream(200, testing::content_type("text/event-stream"));
    w.write_raw(sse("message_start", R"({"type":"message_start","message":{"id":"m","usage":{"input_tokens":15,"output_tokens":1}}})"));
    w.write_raw(sse("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"));
    w.write_raw(sse("ping", R"({"type":"ping"})"));
    w.write_raw(sse("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}})"));
    w.write_raw(sse("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}})"));
    w.write_raw(sse("content_block_stop", R"({"type":"content_block_stop","index":0})"));
    w.write_raw(sse("content_block_start", R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_2","name":"weather","input":{}}})"));
    w.write_raw(sse("content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}})"));
    w.write_raw(sse("content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"Rome\"}"}})"));
    w.write_raw(sse("content_block_stop", R"({"type":"content_block_stop","index":1})"));
    w.write_raw(sse("message_delta", R"({"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}})"));
    w.write_raw(sse("message_stop", R"({"type":"message_stop"})"));
    w.close();
  });
  return r;
}

TEST(Anthropic, MessagesWithSystemToolUseAndToolResults) {
  Recorder rec;
  net::testing::RunningServer s{net::ServerOptions{}, anthropic_router(rec)};
  UpstreamConfig cfg;
  cfg.base_url = "http://127.0.0.1:" + std::to_string(s.port());
  cfg.api_key = "ak";
  cfg.model_name = "claude-x";
  AnthropicBackend b(std::make_shared<net::client::HttpClient>(), cfg);
  ChatRequest req;
  req.messages = {{"system", "You are terse.", {}, {}, {}},
                  {"user", "Weather in Oslo?", {}, {}, {}},
                  {"assistant", "", {{"toolu_0", "weather", R"({"city":"Oslo"})"}}, {}, {}},
                  {"tool", "cold", {}, "toolu_0", "weather"}};
  req.tools = {{"weather", "Weather", R"({"type":"object","properties":{"city":{"type":"string"}}})"}};
  auto r = b.chat(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->message.content, "Let me check.");
  ASSERT_EQ(r->message.tool_calls.size(), 1u);
  EXPECT_EQ(r->message.tool_calls[0].id, "toolu_1");
  EXPECT_EQ(json::parse(r->message.tool_calls[0].arguments), json::parse(R"({"city":"Oslo"})"));
  EXPECT_EQ(r->finish, FinishReason::kToolCalls);
  EXPECT_EQ(r->usage.prompt_tokens, 20);
  EXPECT_EQ(r->usage.completion_tokens, 12);

  auto seen = rec.last();
  EXPECT_EQ(seen.headers.get("x-api-key").value_or(""), "ak");
  EXPECT_EQ(seen.headers.get("anthropic-version").value_or(""), "2023-06-01");
  auto body = json::parse(seen.body).as_object();
  EXPECT_EQ(body["system"].as_string(), "You are terse.");
  EXPECT_EQ(body["model"].as_string(), "claude-x");
  EXPECT_TRUE(body["max_tokens"].is_int64());
  const auto& msgs = body["messages"].as_array();
  ASSERT_EQ(msgs.size(), 3u);
  EXPECT_EQ(msgs[1].at("content").at(0).at("type").as_string(), "tool_use");
  EXPECT_EQ(msgs[2].at("role").as_string(), "user");
  EXPECT_EQ(msgs[2].at("content").at(0).at("type").as_string(), "tool_result");
  EXPECT_EQ(msgs[2].at("content").at(0).at("tool_use_id").as_string(), "toolu_0");
  EXPECT_EQ(body["tools"].at(0).at("input_schema").at("type").as_string(), "object");
}

TEST(Anthropic, StreamingEvents) {
  Recorder rec;
  net::testing::RunningServer s{net::ServerOptions{}, anthropic_router(rec)};
  UpstreamConfig cfg;
  cfg.base_url = "http://127.0.0.1:" + std::to_string(s.port());
  AnthropicBackend b(std::make_shared<net::client::HttpClient>(), cfg);
  ChatRequest req;
  req.messages = {{"user", "hi", {}, {}, {}}};
  std::string text, args;
  int tool_starts = 0;
  auto r = b.chat(req, [&](const StreamEvent& ev) {
    if (ev.kind == StreamEvent::Kind::kText) text += ev.text;
    else {
      args += ev.arguments_delta;
      if (!ev.tool_name.empty()) ++tool_starts;
    }
  });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(text, "Hello");
  EXPECT_EQ(args, R"({"city":"Rome"})");
  EXPECT_EQ(tool_starts, 1);
  ASSERT_EQ(r->message.tool_calls.size(), 1u);
  EXPECT_EQ(r->message.tool_calls[0].id, "toolu_2");
  EXPECT_EQ(r->message.tool_calls[0].arguments, R"({"city":"Rome"})");
  EXPECT_EQ(r->finish, FinishReason::kToolCalls);
  EXPECT_EQ(r->usage.prompt_tokens, 15);
  EXPECT_EQ(r->usage.completion_tokens, 9);
  EXPECT_EQ(b.embed(EmbedRequest{}).error().code, Errc::kUnsupported);
}

}  // namespace
}  // namespace woolly::backends
