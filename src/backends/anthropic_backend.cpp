// Anthropic's Messages API: POST /v1/messages with x-api-key and anthropic-version. The system
// prompt travels apart from the messages; content is a list of blocks (text, tool_use,
// tool_result); roles must alternate, so consecutive messages of one role are merged. Streams
// are SSE: message_start (input tokens), content_block_start/delta/stop, message_delta (stop
// reason, output tokens), message_stop; "error" events end the stream.
#include "backends/anthropic_backend.h"

#include <map>

#include "backends/detail/upstream_util.h"

namespace woolly::backends {

namespace json = boost::json;
using namespace detail;

namespace {

constexpr std::string_view kProvider = "Anthropic upstream";

FinishReason finish_of(std::string_view s) {
  if (s == "max_tokens") return FinishReason::kLength;
  if (s == "tool_use") return FinishReason::kToolCalls;
  if (s == "refusal") return FinishReason::kContentFilter;
  return FinishReason::kStop;
}

json::object body_of(const UpstreamConfig& cfg, const std::string& model, const ChatRequest& req,
                     bool stream) {
  json::object o{{"model", model_for(cfg, model)}};
  std::string system;
  json::array msgs;
  for (const auto& m : req.messages) {
    if (m.role == "system") {
      if (!system.empty()) system += "\n\n";
      system += m.content;
      continue;
    }
    const std::string role = m.role == "assistant" ? "assistant" : "user";
    json::array blocks;
    if (m.role == "tool") {
      blocks.push_back({{"type", "tool_result"}, {"tool_use_id", m.tool_call_id}, {"content", m.content}});
    } else {
      if (!m.content.empty()) blocks.push_back({{"type", "text"}, {"text", m.content}});
      for (const auto& c : m.tool_calls)
        blocks.push_back({{"type", "tool_use"}, {"id", c.id}, {"name", c.name}, {"input", json_or_empty(c.arguments)}});
    }
    if (blocks.empty()) continue;
    if (!msgs.empty() && msgs.back().as_object().at("role").as_string() == role) {
      auto& prev = msgs.back().as_object()["content"].as_array();
      for (auto& b : blocks) prev.push_back(std::move(b));
    } else {
      msgs.push_back({{"role", role}, {"content", std::move(blocks)}});
    }
  }
  if (!system.empty()) o["system"] = system;
  o["messages"] = std::move(msgs);
  const auto& s = req.sampling;
  o["max_tokens"] = s.max_tokens.value_or(cfg.default_max_tokens);
  if (s.temperature) o["temperature"] = *s.temperature;
  if (s.top_p) o["top_p"] = *s.top_p;
  if (s.top_k) o["top_k"] = *s.top_k;
  if (!s.stop.empty()) {
    json::array stop;
    for (const auto& x : s.stop) stop.emplace_back(x);
    o["stop_sequences"] = std::move(stop);
  }
  if (!req.tools.empty() && req.tool_choice.mode != ToolChoiceMode::kNone) {
    json::array tools;
    for (const auto& t : req.tools)
      tools.push_back({{"name", t.name}, {"description", t.description}, {"input_schema", json_or_empty(t.parameters_json)}});
    o["tools"] = std::move(tools);
    if (req.tool_choice.mode == ToolChoiceMode::kRequired) o["tool_choice"] = {{"type", "any"}};
    if (req.tool_choice.mode == ToolChoiceMode::kNamed)
      o["tool_choice"] = {{"type", "tool"}, {"name", req.tool_choice.name}};
  }
  o["stream"] = stream;
  return o;
}

// Folds whole messages and stream events into one ChatResponse.
struct MessageAccumulator {
  ChatResponse resp;
  StreamCallback on_event;
  std::map<int64_t, int> tool_of_block;  // content block index -> tool call index

  void read_usage(const json::object& o) {
    if (auto* u = obj_at(o, "usage")) {
      if (u->contains("input_tokens")) resp.usage.prompt_tokens = static_cast<int32_t>(int_at(*u, "input_tokens"));
      if (u->contains("output_tokens")) resp.usage.completion_tokens = static_cast<int32_t>(int_at(*u, "output_tokens"));
    }
  }
  void text(std::string t) {
    if (t.empty()) return;
    resp.message.content += t;
    if (on_event) {
      StreamEvent ev;
      ev.text = std::move(t);
      on_event(ev);
    }
  }
  void whole(const json::object& o) {
    read_usage(o);
    resp.finish = finish_of(str_at(o, "stop_reason"));
    if (auto* content = arr_at(o, "content"))
      for (const auto& b : *content) {
        if (!b.is_object()) continue;
        const auto& blk = b.as_object();
        std::string type = str_at(blk, "type");
        if (type == "text") text(str_at(blk, "text"));
        if (type == "tool_use") {
          const json::value* input = blk.if_contains("input");
          resp.message.tool_calls.push_back({str_at(blk, "id"), str_at(blk, "name"), input ? json::serialize(*input) : "{}"});
        }
      }
  }
  Status event(const json::object& o, std::string_view name) {
    std::string type = name.empty() ? str_at(o, "type") : std::string(name);
    if (type == "error") {
      const json::object* e = obj_at(o, "error");
      std::string etype = e ? str_at(*e, "type") : "";
      Errc code = etype == "overloaded_error" ? Errc::kUnavailable : Errc::kUpstream;
      return make_error(code, std::string(kProvider) + ": " + (e ? str_at(*e, "message") : "stream error"));
    }
    if (type == "message_start") {
      if (auto* m = obj_at(o, "message")) read_usage(*m);
    } else if (type == "content_block_start") {
      const json::object* blk = obj_at(o, "content_block");
      if (blk && str_at(*blk, "type") == "tool_use") {
        int index = static_cast<int>(resp.message.tool_calls.size());
        tool_of_block[int_at(o, "index")] = index;
        resp.message.tool_calls.push_back({str_at(*blk, "id"), str_at(*blk, "name"), ""});
        if (on_event) {
          StreamEvent ev;
          ev.kind = StreamEvent::Kind::kToolCallDelta;
          ev.tool_index = index;
          ev.tool_id = resp.message.tool_calls.back().id;
          ev.tool_name = resp.message.tool_calls.back().name;
          on_event(ev);
        }
      } else if (blk && str_at(*blk, "type") == "text") {
        text(str_at(*blk, "text"));
      }
    } else if (type == "content_block_delta") {
      const json::object* d = obj_at(o, "delta");
      if (!d) return {};
      std::string dtype = str_at(*d, "type");
      if (dtype == "text_delta") text(str_at(*d, "text"));
      if (dtype == "input_json_delta") {
        auto it = tool_of_block.find(int_at(o, "index"));
        if (it == tool_of_block.end()) return make_error(Errc::kUpstream, std::string(kProvider) + ": input_json_delta for an unknown block");
        std::string part = str_at(*d, "partial_json");
        resp.message.tool_calls[it->second].arguments += part;
        if (on_event) {
          StreamEvent ev;
          ev.kind = StreamEvent::Kind::kToolCallDelta;
          ev.tool_index = it->second;
          ev.arguments_delta = std::move(part);
          on_event(ev);
        }
      }
    } else if (type == "message_delta") {
      if (auto* d = obj_at(o, "delta")) {
        std::string stop = str_at(*d, "stop_reason");
        if (!stop.empty()) resp.finish = finish_of(stop);
      }
      read_usage(o);
    }
    return {};
  }
};

net::client::HttpRequest post(const UpstreamConfig& cfg, std::string body, const CancelToken& cancel) {
  auto r = make_post(cfg, "/v1/messages", std::move(body), cancel);
  if (!cfg.api_key.empty()) r.headers.set("x-api-key", cfg.api_key);
  r.headers.set("anthropic-version", cfg.anthropic_version);
  return r;
}

}  // namespace

AnthropicBackend::AnthropicBackend(std::shared_ptr<net::client::HttpClient> client, UpstreamConfig config)
    : client_(std::move(client)), config_(std::move(config)) {}

Capabilities AnthropicBackend::capabilities() const {
  Capabilities c;
  c.embeddings = false;
  c.tools = true;
  return c;
}

void AnthropicBackend::chat_async(ChatRequest request, StreamCallback on_event,
                                  DoneCallback<ChatResponse> on_done) {
  // The Messages API has no log probabilities: a request for them is refused (400) rather than
  // answered without them as if they had been honoured.
  if (request.sampling.logprobs || request.sampling.top_logprobs > 0) {
    return on_done(make_error(Errc::kInvalidArgument,
                              "logprobs are not available from the Anthropic upstream (model '" +
                                  request.model + "'): its Messages API does not report them"));
  }
  const bool stream = static_cast<bool>(on_event);
  auto acc = std::make_shared<MessageAccumulator>();
  acc->on_event = std::move(on_event);
  acc->resp.model = request.model;
  acc->resp.message.role = "assistant";
  CallHandlers h;
  h.on_item = [acc, stream](const json::object& o, std::string_view event) -> Status {
    if (!stream) {
      if (str_at(o, "type") == "error") return acc->event(o, "error");
      acc->whole(o);
      return {};
    }
    return acc->event(o, event);
  };
  h.on_done = [acc, stream, on_done = std::move(on_done)](Status s, const CallTimes& t) {
    if (!s.ok()) return on_done(s.take_error());
    fill_timings(acc->resp.timings, t, stream);
    on_done(std::move(acc->resp));
  };
  upstream_call(*client_, post(config_, json::serialize(body_of(config_, request.model, request, stream)), request.cancel),
                stream ? BodyFraming::kSse : BodyFraming::kWhole, std::string(kProvider), std::move(h));
}

void AnthropicBackend::complete_async(CompletionRequest request, StreamCallback on_event,
                                      DoneCallback<CompletionResponse> on_done) {
  // No completions endpoint: the prompt becomes one user message.
  ChatRequest chat;
  chat.model = request.model;
  chat.messages.push_back({"user", request.prompt, {}, {}, {}});
  chat.sampling = request.sampling;
  chat.cancel = request.cancel;
  chat_async(std::move(chat), std::move(on_event), [on_done = std::move(on_done)](Result<ChatResponse> r) {
    if (!r.ok()) return on_done(r.take_error());
    CompletionResponse c;
    c.model = r->model;
    c.text = std::move(r->message.content);
    c.finish = r->finish;
    c.usage = r->usage;
    c.timings = r->timings;
    on_done(std::move(c));
  });
}

void AnthropicBackend::embed_async(EmbedRequest, DoneCallback<EmbedResponse> on_done) {
  on_done(make_error(Errc::kUnsupported, "Anthropic offers no embeddings"));
}

Status AnthropicBackend::health() { return check_health(*client_, config_, "/v1/models", kProvider); }

}  // namespace woolly::backends
