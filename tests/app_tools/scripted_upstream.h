// A scripted OpenAI-compatible upstream on loopback that drives Woolly's tool loop the way a real
// model would: asked with the tool `read_tool` on offer, it calls it on `path`; asked again with
// the tool's result as the last message, it answers "The file says: <result>". Without the tool
// on offer it answers "no tools were offered". A user message containing "slow" asks for
// server-everything's 300 s trigger-long-running-operation instead (for cancellation); one
// containing "hermes" gets the call written into the text as <tool_call>{...}</tool_call>, as a
// model without native tool calls answers. Streams (SSE) when the request asks to.
#pragma once

#include <boost/json.hpp>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>

#include "net/test_server.h"

namespace woolly::app::testing {

class ScriptedUpstream {
 public:
  static constexpr int kPromptTokens = 11;  // reported per call, so summed usage is checkable
  static constexpr int kCompletionTokens = 5;

  ScriptedUpstream(std::string read_tool, std::string path)
      : read_tool_(std::move(read_tool)), path_(std::move(path)) {
    net::Router router;
    (void)router.get("/v1/models", [](const net::Request&) {
      return net::Response::json(200, R"({"object":"list","data":[{"id":"scripted","object":"model"}]})");
    });
    (void)router.add(net::Method::kPost, "/v1/chat/completions",
                     [this](net::Request req, net::Responder res) { chat(req, std::move(res)); });
    server_ = std::make_unique<net::testing::RunningServer>(net::ServerOptions{}, std::move(router));
  }

  uint16_t port() const { return server_->port(); }
  int calls() const { return calls_.load(); }
  // Runs (on the upstream's I/O thread) before it answers with the tool call.
  void before_tool_call(std::function<void()> fn) {
    std::lock_guard lock(mu_);
    before_tool_call_ = std::move(fn);
  }

 private:
  void chat(const net::Request& req, net::Responder res) {
    ++calls_;
    namespace json = boost::json;
    json::object body = json::parse(req.body).as_object();
    const json::array& messages = body.at("messages").as_array();
    const json::object& last = messages.back().as_object();
    const json::value& text = last.at("content");
    bool slow = text.is_string() && text.as_string().find("slow") != json::string::npos;
    std::string tool = slow ? "everything__trigger-long-running-operation" : read_tool_;
    json::object args{{"path", path_}};
    if (slow) args = {{"duration", 300}, {"steps", 300}};
    bool offered = false;
    if (auto* tools = body.if_contains("tools"))
      for (const auto& t : tools->as_array())
        if (t.at("function").at("name").as_string() == tool) offered = true;

    json::object message{{"role", "assistant"}};
    std::string finish = "stop";
    if (last.at("role").as_string() == "tool") {
      message["content"] = "The file says: " + std::string(last.at("content").as_string());
    } else if (offered && text.as_string().find("hermes") != json::string::npos) {
      // A model without native tool calls writes the call into its text (Hermes/Qwen style).
      message["content"] = "Let me read it. <tool_call>{\"name\": \"" + tool +
                           "\", \"arguments\": " + json::serialize(args) + "}</tool_call>";
    } else if (offered) {
      std::function<void()> hook;
      {
        std::lock_guard lock(mu_);
        hook = before_tool_call_;
      }
      if (hook) hook();
      message["content"] = nullptr;
      message["tool_calls"] = json::array{json::object{
          {"id", "call_" + std::to_string(calls_.load())}, {"type", "function"},
          {"function", {{"name", tool}, {"arguments", json::serialize(args)}}}}};
      finish = "tool_calls";
    } else {
      message["content"] = "no tools were offered";
    }
    json::object usage{{"prompt_tokens", kPromptTokens}, {"completion_tokens", kCompletionTokens},
                       {"total_tokens", kPromptTokens + kCompletionTokens}};
    auto stream = body.if_contains("stream");
    if (!stream || !stream->as_bool()) {
      json::object out{{"id", "chatcmpl-scripted"}, {"object", "chat.completion"}, {"created", 1},
                       {"model", "scripted"},
                       {"choices", json::array{json::object{{"index", 0}, {"message", message},
                                                            {"finish_reason", finish}}}},
                       {"usage", usage}};
      return res.send(net::Response::json(200, json::serialize(out)));
    }
    auto w = res.start_stream(200);
    auto chunk = [&](json::object delta, json::value finish_reason) {
      json::object c{{"id", "chatcmpl-scripted"}, {"object", "chat.completion.chunk"},
                     {"created", 1}, {"model", "scripted"},
                     {"choices", json::array{json::object{{"index", 0}, {"delta", std::move(delta)},
                                                          {"finish_reason", finish_reason}}}}};
      w.write_event("", json::serialize(c));
    };
    if (auto* calls = message.if_contains("tool_calls")) {
      json::object call = calls->as_array()[0].as_object();
      call["index"] = 0;
      chunk({{"role", "assistant"}, {"tool_calls", json::array{call}}}, nullptr);
    } else {
      // Two pieces, so the client sees a real stream.
      std::string text(message.at("content").as_string());
      size_t half = text.size() / 2;
      chunk({{"role", "assistant"}, {"content", text.substr(0, half)}}, nullptr);
      chunk({{"content", text.substr(half)}}, nullptr);
    }
    chunk({}, json::value(finish));
    w.write_event("", json::serialize(json::object{{"id", "chatcmpl-scripted"},
                                                   {"object", "chat.completion.chunk"},
                                                   {"created", 1}, {"model", "scripted"},
                                                   {"choices", json::array()}, {"usage", usage}}));
    w.write_event("", "[DONE]");
    w.close();
  }

  std::string read_tool_, path_;
  std::atomic<int> calls_{0};
  std::mutex mu_;  // guards before_tool_call_
  std::function<void()> before_tool_call_;
  std::unique_ptr<net::testing::RunningServer> server_;
};

}  // namespace woolly::app::testing
