#include "backends/openai_backend.h"

#include <chrono>

#include "backends/detail/upstream_util.h"

namespace woolly::backends {

namespace json = boost::json;
using namespace detail;

namespace {

constexpr std::string_view kProvider = "OpenAI-compatible upstream";

void put_sampling(json::object& o, const SamplingOptions& s) {
  if (s.max_tokens) o["max_tokens"] = *s.max_tokens;
  if (s.temperature) o["temperature"] = *s.temperature;
  if (s.top_p) o["top_p"] = *s.top_p;
  // Not in OpenAI's API, but vLLM, llama-server and LocalAI read them; OpenAI ignores unset ones.
  if (s.top_k) o["top_k"] = *s.top_k;
  if (s.min_p) o["min_p"] = *s.min_p;
  if (s.repetition_penalty) o["repetition_penalty"] = *s.repetition_penalty;
  if (s.presence_penalty) o["presence_penalty"] = *s.presence_penalty;
  if (s.frequency_penalty) o["frequency_penalty"] = *s.frequency_penalty;
  if (s.seed) o["seed"] = *s.seed;
  if (!s.stop.empty()) {
    json::array stop;
    for (const auto& x : s.stop) stop.emplace_back(x);
    o["stop"] = std::move(stop);
  }
}

void put_format(json::object& o, const ResponseFormat& f) {
  if (f.type == ResponseFormatType::kJsonObject) {
    o["response_format"] = {{"type", "json_object"}};
  } else if (f.type == ResponseFormatType::kJsonSchema) {
    o["response_format"] = {{"type", "json_schema"},
                            {"json_schema", {{"name", f.schema_name.empty() ? "response" : f.schema_name},
                                             {"schema", json_or_empty(f.schema_json)}}}};
  }
}

json::object chat_body(const UpstreamConfig& cfg, const ChatRequest& req, bool stream) {
  json::object o;
  o["model"] = model_for(cfg, req.model);
  json::array msgs;
  for (const auto& m : req.messages) {
    json::object jm{{"role", m.role}};
    if (m.content.empty() && !m.tool_calls.empty()) jm["content"] = nullptr;
    else jm["content"] = m.content;
    if (!m.tool_calls.empty()) {
      json::array calls;
      for (const auto& c : m.tool_calls)
        calls.push_back({{"id", c.id}, {"type", "function"},
                         {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
      jm["tool_calls"] = std::move(calls);
    }
    if (!m.tool_call_id.empty()) jm["tool_call_id"] = m.tool_call_id;
    if (!m.name.empty()) jm["name"] = m.name;
    msgs.push_back(std::move(jm));
  }
  o["messages"] = std::move(msgs);
  if (!req.tools.empty()) {
    json::array tools;
    for (const auto& t : req.tools)
      tools.push_back({{"type", "function"},
                       {"function", {{"name", t.name}, {"description", t.description},
                                     {"parameters", json_or_empty(t.parameters_json)}}}});
    o["tools"] = std::move(tools);
    switch (req.tool_choice.mode) {
      case ToolChoiceMode::kAuto: break;
      case ToolChoiceMode::kNone: o["tool_choice"] = "none"; break;
      case ToolChoiceMode::kRequired: o["tool_choice"] = "required"; break;
      case ToolChoiceMode::kNamed:
        o["tool_choice"] = {{"type", "function"}, {"function", {{"name", req.tool_choice.name}}}};
        break;
    }
  }
  put_sampling(o, req.sampling);
  if (req.sampling.logprobs || req.sampling.top_logprobs > 0) {
    o["logprobs"] = true;
    if (req.sampling.top_logprobs > 0) o["top_logprobs"] = req.sampling.top_logprobs;
  }
  put_format(o, req.response_format);
  o["stream"] = stream;
  if (stream) o["stream_options"] = {{"include_usage", true}};
  return o;
}

FinishReason parse_finish(std::string_view s) {
  if (s == "length") return FinishReason::kLength;
  if (s == "tool_calls" || s == "function_call") return FinishReason::kToolCalls;
  if (s == "content_filter") return FinishReason::kContentFilter;
  return FinishReason::kStop;
}

void read_usage(const json::object& o, Usage& u) {
  if (auto* us = obj_at(o, "usage")) {
    u.prompt_tokens = static_cast<int32_t>(int_at(*us, "prompt_tokens"));
    u.completion_tokens = static_cast<int32_t>(int_at(*us, "completion_tokens"));
  }
}

// Chat: {"content": [{"token","logprob","top_logprobs":[...]}]}; completions: tokens/token_logprobs.
std::vector<TokenLogprob> read_logprobs(const json::object& choice) {
  std::vector<TokenLogprob> out;
  const json::object* lp = obj_at(choice, "logprobs");
  if (!lp) return out;
  if (auto* content = arr_at(*lp, "content")) {
    for (const auto& e : *content) {
      if (!e.is_object()) continue;
      TokenLogprob t;
      t.token = str_at(e.as_object(), "token");
      if (auto* v = e.as_object().if_contains("logprob"); v && v->is_number()) t.logprob = static_cast<float>(v->to_number<double>());
      if (auto* top = arr_at(e.as_object(), "top_logprobs"))
        for (const auto& x : *top)
          if (x.is_object()) {
            TopLogprob tl{str_at(x.as_object(), "token"), 0};
            if (auto* v = x.as_object().if_contains("logprob"); v && v->is_number()) tl.logprob = static_cast<float>(v->to_number<double>());
            t.top.push_back(std::move(tl));
          }
      out.push_back(std::move(t));
    }
  } else if (auto* tokens = arr_at(*lp, "tokens")) {
    const json::array* values = arr_at(*lp, "token_logprobs");
    for (size_t i = 0; i < tokens->size(); ++i) {
      TokenLogprob t;
      t.token = str(&(*tokens)[i]);
      if (values && i < values->size() && (*values)[i].is_number()) t.logprob = static_cast<float>((*values)[i].to_number<double>());
      out.push_back(std::move(t));
    }
  }
  return out;
}

// Collects a streamed or whole answer into the final response, passing deltas on.
struct ChatAccumulator {
  ChatResponse resp;
  StreamCallback on_event;
  void apply_message(const json::object& m, bool delta) {
    std::string content = str_at(m, "content");
    if (!content.empty()) {
      resp.message.content += content;
      if (delta && on_event) {
        StreamEvent ev;
        ev.text = content;
        on_event(ev);
      }
    }
    if (auto* calls = arr_at(m, "tool_calls")) {
      for (size_t i = 0; i < calls->size(); ++i) {
        if (!(*calls)[i].is_object()) continue;
        const auto& c = (*calls)[i].as_object();
        size_t index = delta && c.contains("index") ? static_cast<size_t>(int_at(c, "index")) : i;
        if (resp.message.tool_calls.size() <= index) resp.message.tool_calls.resize(index + 1);
        ToolCall& tc = resp.message.tool_calls[index];
        StreamEvent ev;
        ev.kind = StreamEvent::Kind::kToolCallDelta;
        ev.tool_index = static_cast<int>(index);
        ev.tool_id = str_at(c, "id");
        if (!ev.tool_id.empty()) tc.id = ev.tool_id;
        if (auto* fn = obj_at(c, "function")) {
          ev.tool_name = str_at(*fn, "name");
          ev.arguments_delta = str_at(*fn, "arguments");
          if (!ev.tool_name.empty()) tc.name = ev.tool_name;
          tc.arguments += ev.arguments_delta;
        }
        if (delta && on_event) on_event(ev);
      }
    }
  }

  void apply_chunk(const json::object& o, bool delta) {
    if (!resp.model.size()) resp.model = str_at(o, "model");
    read_usage(o, resp.usage);
    if (auto* choices = arr_at(o, "choices")) {
      for (const auto& ch : *choices) {
        if (!ch.is_object()) continue;
        const auto& c = ch.as_object();
        if (auto* m = obj_at(c, delta ? "delta" : "message")) apply_message(*m, delta);
        auto lps = read_logprobs(c);
        if (!lps.empty()) resp.logprobs.insert(resp.logprobs.end(), lps.begin(), lps.end());
        std::string fin = str_at(c, "finish_reason");
        if (!fin.empty()) resp.finish = parse_finish(fin);
      }
    }
  }
};

template <typename Resp, typename Acc>
void stream_or_fetch(net::client::HttpClient& client, net::client::HttpRequest http_req, bool stream,
                     std::shared_ptr<Acc> acc, DoneCallback<Resp> on_done) {
  CallHandlers h;
  h.on_item = [acc, stream](const json::object& o, std::string_view) -> Status {
    if (const auto* err = o.if_contains("error"))
      return make_error(Errc::kUpstream, std::string(kProvider) + ": " +
                                             (err->is_object() ? str_at(err->as_object(), "message") : str(err)));
    acc->apply_chunk(o, stream);
    return {};
  };
  h.on_done = [acc, stream, on_done = std::move(on_done)](Status s, const CallTimes& t) {
    if (!s.ok()) return on_done(s.take_error());
    fill_timings(acc->resp.timings, t, stream);
    on_done(std::move(acc->resp));
  };
  upstream_call(client, std::move(http_req), stream ? BodyFraming::kSse : BodyFraming::kWhole,
                std::string(kProvider), std::move(h));
}

struct CompletionAccumulator {
  CompletionResponse resp;
  StreamCallback on_event;
  void apply_chunk(const json::object& o, bool delta) {
    if (resp.model.empty()) resp.model = str_at(o, "model");
    read_usage(o, resp.usage);
    if (auto* choices = arr_at(o, "choices"))
      for (const auto& ch : *choices) {
        if (!ch.is_object()) continue;
        const auto& c = ch.as_object();
        std::string text = str_at(c, "text");
        auto lps = read_logprobs(c);
        if (!text.empty()) {
          resp.text += text;
          if (delta && on_event) {
            StreamEvent ev;
            ev.text = text;
            ev.logprobs = lps;
            on_event(ev);
          }
        }
        resp.logprobs.insert(resp.logprobs.end(), lps.begin(), lps.end());
        std::string fin = str_at(c, "finish_reason");
        if (!fin.empty()) resp.finish = parse_finish(fin);
      }
  }
};

}  // namespace

OpenAiBackend::OpenAiBackend(std::shared_ptr<net::client::HttpClient> client, UpstreamConfig config)
    : client_(std::move(client)), config_(std::move(config)) {}

Capabilities OpenAiBackend::capabilities() const {
  Capabilities c;
  c.tools = true;
  c.json_output = true;
  return c;
}

void OpenAiBackend::chat_async(ChatRequest request, StreamCallback on_event,
                               DoneCallback<ChatResponse> on_done) {
  const bool stream = static_cast<bool>(on_event);
  auto acc = std::make_shared<ChatAccumulator>();
  acc->on_event = std::move(on_event);
  acc->resp.message.role = "assistant";
  auto http_req = make_post(config_, "/v1/chat/completions",
                            json::serialize(chat_body(config_, request, stream)), request.cancel);
  if (!config_.api_key.empty()) http_req.headers.set("Authorization", "Bearer " + config_.api_key);
  stream_or_fetch<ChatResponse>(*client_, std::move(http_req), stream, acc, std::move(on_done));
}

void OpenAiBackend::complete_async(CompletionRequest request, StreamCallback on_event,
                                   DoneCallback<CompletionResponse> on_done) {
  const bool stream = static_cast<bool>(on_event);
  json::object o;
  o["model"] = model_for(config_, request.model);
  o["prompt"] = request.prompt;
  put_sampling(o, request.sampling);
  if (request.sampling.logprobs || request.sampling.top_logprobs > 0)
    o["logprobs"] = std::max(request.sampling.top_logprobs, 1);
  put_format(o, request.response_format);
  o["stream"] = stream;
  if (stream) o["stream_options"] = {{"include_usage", true}};
  auto acc = std::make_shared<CompletionAccumulator>();
  acc->on_event = std::move(on_event);
  auto http_req = make_post(config_, "/v1/completions", json::serialize(o), request.cancel);
  if (!config_.api_key.empty()) http_req.headers.set("Authorization", "Bearer " + config_.api_key);
  stream_or_fetch<CompletionResponse>(*client_, std::move(http_req), stream, acc, std::move(on_done));
}

void OpenAiBackend::embed_async(EmbedRequest request, DoneCallback<EmbedResponse> on_done) {
  json::array inputs;
  for (const auto& s : request.inputs) inputs.emplace_back(s);
  json::object o{{"model", model_for(config_, request.model)}, {"input", std::move(inputs)}};
  auto http_req = make_post(config_, "/v1/embeddings", json::serialize(o), request.cancel);
  if (!config_.api_key.empty()) http_req.headers.set("Authorization", "Bearer " + config_.api_key);
  auto st = std::make_shared<std::pair<int, std::string>>();
  net::client::StreamHandlers h;
  h.on_head = [st](int status, const net::Headers&) { st->first = status; st->second.clear(); };
  h.on_body = [st](std::string_view b) { st->second.append(b); };
  h.on_done = [st, n = request.inputs.size(), on_done = std::move(on_done)](Status s) {
    if (!s.ok()) return on_done(s.take_error());
    if (st->first < 200 || st->first >= 300) return on_done(status_error(kProvider, st->first, st->second));
    auto v = parse_json(kProvider, st->second);
    if (!v.ok() || !v->is_object()) return on_done(make_error(Errc::kUpstream, std::string(kProvider) + " sent malformed embeddings"));
    EmbedResponse resp;
    const auto& o = v->as_object();
    resp.model = str_at(o, "model");
    read_usage(o, resp.usage);
    resp.vectors.resize(n);
    if (auto* data = arr_at(o, "data"))
      for (size_t i = 0; i < data->size(); ++i) {
        if (!(*data)[i].is_object()) continue;
        const auto& d = (*data)[i].as_object();
        size_t index = d.contains("index") ? static_cast<size_t>(int_at(d, "index")) : i;
        const json::array* e = arr_at(d, "embedding");
        if (!e || index >= n) continue;
        for (const auto& x : *e) resp.vectors[index].push_back(x.is_number() ? static_cast<float>(x.to_number<double>()) : 0.f);
      }
    for (const auto& vec : resp.vectors)
      if (vec.empty()) return on_done(make_error(Errc::kUpstream, std::string(kProvider) + " left an input without an embedding"));
    on_done(std::move(resp));
  };
  client_->stream(std::move(http_req), std::move(h));
}

Status OpenAiBackend::health() { return check_health(*client_, config_, "/v1/models", kProvider); }

}  // namespace woolly::backends
