// Ollama's native API: POST /api/chat, /api/generate, /api/embed; GET /api/tags. Streams are
// newline-delimited JSON objects, the last one with "done": true, the counts and durations (ns).
// Tool calls arrive whole (arguments as an object), never in fragments.
#include "backends/ollama_backend.h"

#include "backends/detail/upstream_util.h"

namespace woolly::backends {

namespace json = boost::json;
using namespace detail;

namespace {

constexpr std::string_view kProvider = "Ollama upstream";

json::object options_of(const SamplingOptions& s) {
  json::object o;
  if (s.max_tokens) o["num_predict"] = *s.max_tokens;
  if (s.temperature) o["temperature"] = *s.temperature;
  if (s.top_p) o["top_p"] = *s.top_p;
  if (s.top_k) o["top_k"] = *s.top_k;
  if (s.min_p) o["min_p"] = *s.min_p;
  if (s.repetition_penalty) o["repeat_penalty"] = *s.repetition_penalty;
  if (s.presence_penalty) o["presence_penalty"] = *s.presence_penalty;
  if (s.frequency_penalty) o["frequency_penalty"] = *s.frequency_penalty;
  if (s.seed) o["seed"] = *s.seed;
  if (!s.stop.empty()) {
    json::array stop;
    for (const auto& x : s.stop) stop.emplace_back(x);
    o["stop"] = std::move(stop);
  }
  return o;
}

void put_common(json::object& o, const SamplingOptions& s, const ResponseFormat& f, bool stream) {
  o["stream"] = stream;
  // Recent Ollama versions take these at the top level of /api/chat and /api/generate.
  if (s.logprobs || s.top_logprobs > 0) {
    o["logprobs"] = true;
    if (s.top_logprobs > 0) o["top_logprobs"] = s.top_logprobs;
  }
  json::object opts = options_of(s);
  if (!opts.empty()) o["options"] = std::move(opts);
  if (f.type == ResponseFormatType::kJsonObject) o["format"] = "json";
  if (f.type == ResponseFormatType::kJsonSchema) o["format"] = json_or_empty(f.schema_json);
}

float logprob_of(const json::object& o) {
  const json::value* v = o.if_contains("logprob");
  if (!v) return 0;
  if (v->is_double()) return static_cast<float>(v->as_double());
  if (v->is_int64()) return static_cast<float>(v->as_int64());
  return 0;
}

// An item's "logprobs": [{token, logprob, top_logprobs: [{token, logprob}]}], in OpenAI's shape.
// Absent (an Ollama without logprobs support): none, and the answer simply carries none.
std::vector<TokenLogprob> logprobs_of(const json::object& item) {
  std::vector<TokenLogprob> out;
  const json::array* lps = arr_at(item, "logprobs");
  if (!lps) return out;
  for (const auto& x : *lps) {
    if (!x.is_object()) continue;
    const json::object& e = x.as_object();
    TokenLogprob t{str_at(e, "token"), logprob_of(e), {}};
    if (const json::array* top = arr_at(e, "top_logprobs")) {
      for (const auto& y : *top)
        if (y.is_object()) t.top.push_back({str_at(y.as_object(), "token"), logprob_of(y.as_object())});
    }
    out.push_back(std::move(t));
  }
  return out;
}

FinishReason finish_of(const json::object& o, bool tool_calls) {
  if (tool_calls) return FinishReason::kToolCalls;
  return str_at(o, "done_reason") == "length" ? FinishReason::kLength : FinishReason::kStop;
}

// Ollama reports durations in nanoseconds.
void read_done(const json::object& o, Usage& u, Timings& t) {
  u.prompt_tokens = static_cast<int32_t>(int_at(o, "prompt_eval_count"));
  u.completion_tokens = static_cast<int32_t>(int_at(o, "eval_count"));
  if (o.contains("prompt_eval_duration")) t.prompt_ms = int_at(o, "prompt_eval_duration") / 1e6;
  if (o.contains("eval_duration")) t.generate_ms = int_at(o, "eval_duration") / 1e6;
}

}  // namespace

OllamaBackend::OllamaBackend(std::shared_ptr<net::client::HttpClient> client, UpstreamConfig config)
    : client_(std::move(client)), config_(std::move(config)) {}

Capabilities OllamaBackend::capabilities() const {
  Capabilities c;
  c.tools = true;
  c.json_output = true;
  return c;
}

void OllamaBackend::chat_async(ChatRequest request, StreamCallback on_event,
                               DoneCallback<ChatResponse> on_done) {
  const bool stream = static_cast<bool>(on_event);
  json::object body{{"model", model_for(config_, request.model)}};
  json::array msgs;
  for (const auto& m : request.messages) {
    json::object jm{{"role", m.role}, {"content", m.content}};
    if (!m.tool_calls.empty()) {
      json::array calls;
      for (const auto& c : m.tool_calls)
        calls.push_back(json::object{{"function", json::object{{"name", c.name}, {"arguments", json_or_empty(c.arguments)}}}});
      jm["tool_calls"] = std::move(calls);
    }
    if (!m.name.empty() && m.role == "tool") jm["tool_name"] = m.name;
    msgs.push_back(std::move(jm));
  }
  body["messages"] = std::move(msgs);
  if (!request.tools.empty() && request.tool_choice.mode != ToolChoiceMode::kNone) {
    json::array tools;
    for (const auto& t : request.tools)
      tools.push_back({{"type", "function"},
                       {"function", {{"name", t.name}, {"description", t.description},
                                     {"parameters", json_or_empty(t.parameters_json)}}}});
    body["tools"] = std::move(tools);
  }
  put_common(body, request.sampling, request.response_format, stream);

  auto resp = std::make_shared<ChatResponse>();
  resp->model = request.model;
  resp->message.role = "assistant";
  CallHandlers h;
  h.on_item = [resp, on_event = std::move(on_event)](const json::object& o, std::string_view) -> Status {
    if (o.contains("error")) return make_error(Errc::kUpstream, std::string(kProvider) + ": " + str_at(o, "error"));
    std::vector<TokenLogprob> lps = logprobs_of(o);
    resp->logprobs.insert(resp->logprobs.end(), lps.begin(), lps.end());
    if (auto* m = obj_at(o, "message")) {
      std::string text = str_at(*m, "content");
      if (!text.empty() || !lps.empty()) {
        resp->message.content += text;
        if (on_event) {
          StreamEvent ev;
          ev.text = std::move(text);
          ev.logprobs = std::move(lps);
          on_event(ev);
        }
      }
      if (auto* calls = arr_at(*m, "tool_calls"))
        for (const auto& c : *calls) {
          const json::object* fn = c.is_object() ? obj_at(c.as_object(), "function") : nullptr;
          if (!fn) continue;
          ToolCall tc;
          tc.id = "call_" + std::to_string(resp->message.tool_calls.size());
          tc.name = str_at(*fn, "name");
          const json::value* args = fn->if_contains("arguments");
          tc.arguments = args ? (args->is_string() ? std::string(args->as_string()) : json::serialize(*args)) : "{}";
          if (on_event) {
            StreamEvent ev;
            ev.kind = StreamEvent::Kind::kToolCallDelta;
            ev.tool_index = static_cast<int>(resp->message.tool_calls.size());
            ev.tool_id = tc.id;
            ev.tool_name = tc.name;
            ev.arguments_delta = tc.arguments;
            on_event(ev);
          }
          resp->message.tool_calls.push_back(std::move(tc));
        }
    }
    if (const auto* d = o.if_contains("done"); d && d->is_bool() && d->as_bool()) {
      read_done(o, resp->usage, resp->timings);
      resp->finish = finish_of(o, !resp->message.tool_calls.empty());
    }
    return {};
  };
  h.on_done = [resp, on_done = std::move(on_done)](Status s, const CallTimes& t) {
    if (!s.ok()) return on_done(s.take_error());
    resp->timings.total_ms = t.total_ms;
    on_done(std::move(*resp));
  };
  auto http_req = make_post(config_, "/api/chat", json::serialize(body), request.cancel);
  upstream_call(*client_, std::move(http_req), stream ? BodyFraming::kNdjson : BodyFraming::kWhole,
                std::string(kProvider), std::move(h));
}

void OllamaBackend::complete_async(CompletionRequest request, StreamCallback on_event,
                                   DoneCallback<CompletionResponse> on_done) {
  const bool stream = static_cast<bool>(on_event);
  json::object body{{"model", model_for(config_, request.model)}, {"prompt", request.prompt}};
  put_common(body, request.sampling, request.response_format, stream);
  auto resp = std::make_shared<CompletionResponse>();
  resp->model = request.model;
  CallHandlers h;
  h.on_item = [resp, on_event = std::move(on_event)](const json::object& o, std::string_view) -> Status {
    if (o.contains("error")) return make_error(Errc::kUpstream, std::string(kProvider) + ": " + str_at(o, "error"));
    std::string text = str_at(o, "response");
    std::vector<TokenLogprob> lps = logprobs_of(o);
    resp->logprobs.insert(resp->logprobs.end(), lps.begin(), lps.end());
    if (!text.empty() || !lps.empty()) {
      resp->text += text;
      if (on_event) {
        StreamEvent ev;
        ev.text = std::move(text);
        ev.logprobs = std::move(lps);
        on_event(ev);
      }
    }
    if (const auto* d = o.if_contains("done"); d && d->is_bool() && d->as_bool()) {
      read_done(o, resp->usage, resp->timings);
      resp->finish = finish_of(o, false);
    }
    return {};
  };
  h.on_done = [resp, on_done = std::move(on_done)](Status s, const CallTimes& t) {
    if (!s.ok()) return on_done(s.take_error());
    resp->timings.total_ms = t.total_ms;
    on_done(std::move(*resp));
  };
  auto http_req = make_post(config_, "/api/generate", json::serialize(body), request.cancel);
  upstream_call(*client_, std::move(http_req), stream ? BodyFraming::kNdjson : BodyFraming::kWhole,
                std::string(kProvider), std::move(h));
}

void OllamaBackend::embed_async(EmbedRequest request, DoneCallback<EmbedResponse> on_done) {
  json::array inputs;
  for (const auto& s : request.inputs) inputs.emplace_back(s);
  json::object body{{"model", model_for(config_, request.model)}, {"input", std::move(inputs)}};
  auto resp = std::make_shared<EmbedResponse>();
  resp->model = request.model;
  CallHandlers h;
  h.on_item = [resp, n = request.inputs.size()](const json::object& o, std::string_view) -> Status {
    if (o.contains("error")) return make_error(Errc::kUpstream, std::string(kProvider) + ": " + str_at(o, "error"));
    const json::array* e = arr_at(o, "embeddings");
    if (!e || e->size() != n) return make_error(Errc::kUpstream, std::string(kProvider) + " returned the wrong number of embeddings");
    for (const auto& v : *e) {
      std::vector<float> vec;
      if (v.is_array())
        for (const auto& x : v.as_array()) vec.push_back(x.is_number() ? static_cast<float>(x.to_number<double>()) : 0.f);
      resp->vectors.push_back(std::move(vec));
    }
    resp->usage.prompt_tokens = static_cast<int32_t>(int_at(o, "prompt_eval_count"));
    return {};
  };
  h.on_done = [resp, on_done = std::move(on_done)](Status s, const CallTimes&) {
    if (!s.ok()) return on_done(s.take_error());
    on_done(std::move(*resp));
  };
  upstream_call(*client_, make_post(config_, "/api/embed", json::serialize(body), request.cancel),
                BodyFraming::kWhole, std::string(kProvider), std::move(h));
}

Status OllamaBackend::health() { return check_health(*client_, config_, "/api/tags", kProvider); }

}  // namespace woolly::backends
