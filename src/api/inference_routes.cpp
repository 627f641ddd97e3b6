// Woolly's own REST inference routes (/api/v1/inference): completion, SSE streaming, chat and
// embeddings. Answers carry usage and timings; errors use the server's default JSON shape. Chat
// may use the MCP servers' tools ("mcp_tools", tool_chat.h); its stream then carries tool events.
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <atomic>

#include "api/detail/request_parse.h"
#include "api/serving.h"
#include "api/tool_chat.h"
#include "net/error_http.h"

namespace woolly::api {
namespace {
namespace json = boost::json;

// The server's usual error body, plus Retry-After when the queue is full, so clients back off.
net::Response rest_error(const Error& e) {
  net::Response r = net::json_error_response(e);
  if (e.code == Errc::kUnavailable) r.headers.set("Retry-After", "1");
  return r;
}

json::object usage_json(const backends::Usage& u) {
  return {{"prompt_tokens", u.prompt_tokens}, {"completion_tokens", u.completion_tokens},
          {"total_tokens", u.total_tokens()}};
}

json::object timings_json(const backends::Timings& t) {
  return {{"queue_ms", t.queue_ms}, {"prompt_ms", t.prompt_ms}, {"generate_ms", t.generate_ms},
          {"total_ms", t.total_ms}};
}

struct Flight {
  backends::CancelToken cancel;
  std::atomic<bool> done{false};
  obs::Registry* metrics = nullptr;
  void client_gone() {
    if (done.exchange(true)) return;
    cancel.cancel();
    detail::count_cancelled(metrics, "rest");
  }
};

// {"model"} or {"model_id"}; "" = the default model.
Result<std::string> model_field(const json::object& o) {
  WOOLLY_ASSIGN_OR_RETURN(auto model, detail::optional_string(o, "model"));
  if (model) return *model;
  WOOLLY_ASSIGN_OR_RETURN(auto model_id, detail::optional_string(o, "model_id"));
  return model_id.value_or("");
}

struct Parsed {
  json::object body;
  std::string model;
  backends::SamplingOptions sampling;
  bool stream = false;
};

Result<Parsed> parse_common(const ServingContext& ctx, const std::string& text) {
  Parsed p;
  WOOLLY_ASSIGN_OR_RETURN(p.body, detail::parse_object(text));
  WOOLLY_ASSIGN_OR_RETURN(p.model, model_field(p.body));
  WOOLLY_ASSIGN_OR_RETURN(p.sampling, detail::parse_sampling(p.body));
  detail::apply_defaults(p.sampling, ctx.defaults);
  WOOLLY_ASSIGN_OR_RETURN(auto stream, detail::optional_bool(p.body, "stream"));
  p.stream = stream.value_or(false);
  return p;
}

// Streams text events ("token": {"text"}) then one "done" event with the final figures, or an
// "error" event. `finish` turns the backend's answer into the done payload.
template <typename Resp>
std::function<void(Result<Resp>)> stream_done(std::shared_ptr<detail::LazyStream> w,
                                              std::shared_ptr<Flight> flight,
                                              std::function<json::object(const Resp&)> finish) {
  return [w, flight, finish](Result<Resp> r) {
    flight->done = true;
    if (!r.ok() && !w->started()) return w->fail_unopened(r.error());
    if (!r.ok()) {
      w->writer().write_event("error", json::serialize(json::object{
                                  {"error", {{"code", error_code(r.error().code)},
                                             {"message", r.error().message}}}}));
    } else {
      w->writer().write_event("done", json::serialize(finish(*r)));
    }
    w->writer().close();
  };
}

backends::StreamCallback token_events(std::shared_ptr<detail::LazyStream> w) {
  return [w](const backends::StreamEvent& ev) {
    if (ev.kind != backends::StreamEvent::Kind::kText) return;
    w->writer().write_event("token", json::serialize(json::object{{"text", ev.text}}));
  };
}

// tool_call_started / _finished / _failed events of a chat that uses MCP tools.
ToolEventCallback tool_events(std::shared_ptr<detail::LazyStream> w) {
  return [w](const agent::ToolEvent& e) {
    w->writer().write_event(agent::tool_event_name(e.kind), json::serialize(tool_event_json(e)));
  };
}

// An SSE comment while tool calls run: the write that finds a client gone cancels the loop.
std::function<void()> keep_alive(std::shared_ptr<detail::LazyStream> w) {
  return [w] {
    if (w->started()) w->writer().write_comment("tool call running");
  };
}

json::object completion_json(const backends::CompletionResponse& r) {
  return {{"text", r.text}, {"model", r.model}, {"finish_reason", backends::finish_reason_name(r.finish)},
          {"usage", usage_json(r.usage)}, {"timings", timings_json(r.timings)}};
}

json::object chat_json(const backends::ChatResponse& r) {
  json::object msg{{"role", "assistant"}, {"content", r.message.content}};
  if (!r.message.tool_calls.empty()) msg["tool_calls"] = detail::tool_calls_json(r.message.tool_calls);
  return {{"message", std::move(msg)}, {"model", r.model},
          {"finish_reason", backends::finish_reason_name(r.finish)},
          {"usage", usage_json(r.usage)}, {"timings", timings_json(r.timings)}};
}

void complete(const std::shared_ptr<ServingContext>& ctx, net::Request req, net::Responder res,
              bool force_stream) {
  auto p = parse_common(*ctx, req.body);
  if (!p.ok()) return res.send_error(p.error());
  auto prompt = detail::optional_string(p->body, "prompt");
  if (!prompt.ok()) return res.send_error(prompt.error());
  if (!*prompt) return res.send_error(Error(Errc::kInvalidArgument, "'prompt' must be a string"));
  auto backend = resolve_for(*ctx, req, p->model);
  if (!backend.ok()) return res.send_error(backend.error());
  backends::CompletionRequest cr;
  cr.model = p->model;
  cr.prompt = std::move(**prompt);
  cr.sampling = std::move(p->sampling);
  auto flight = std::make_shared<Flight>();
  flight->cancel = cr.cancel;
  flight->metrics = ctx->metrics;
  if (force_stream || p->stream) {
    res.on_cancel([flight] { flight->client_gone(); });
    auto w = std::make_shared<detail::LazyStream>(std::move(res));
    (*backend)->complete_async(std::move(cr), token_events(w),
                               stream_done<backends::CompletionResponse>(w, flight, completion_json));
    return;
  }
  res.on_cancel([flight] { flight->client_gone(); });
  auto r = std::make_shared<net::Responder>(std::move(res));
  (*backend)->complete_async(std::move(cr), {}, [r, flight](Result<backends::CompletionResponse> out) {
    flight->done = true;
    if (!out.ok()) return r->send_error(out.error());
    r->send(net::Response::json(200, json::serialize(completion_json(*out))));
  });
}

void chat(const std::shared_ptr<ServingContext>& ctx, net::Request req, net::Responder res) {
  auto p = parse_common(*ctx, req.body);
  if (!p.ok()) return res.send_error(p.error());
  auto messages = detail::parse_messages(p->body);
  if (!messages.ok()) return res.send_error(messages.error());
  auto tools = parse_mcp_tools(p->body, false);
  if (!tools.ok()) return res.send_error(tools.error());
  auto allowed = allowed_tools(req, std::move(*tools));
  auto backend = resolve_for(*ctx, req, p->model);
  if (!backend.ok()) return res.send_error(backend.error());
  backends::ChatRequest cr;
  cr.model = p->model;
  cr.messages = std::move(*messages);
  cr.sampling = std::move(p->sampling);
  auto flight = std::make_shared<Flight>();
  flight->cancel = cr.cancel;
  flight->metrics = ctx->metrics;
  if (p->stream) {
    res.on_cancel([flight] { flight->client_gone(); });
    auto w = std::make_shared<detail::LazyStream>(std::move(res));
    start_chat(*ctx, std::move(*backend), std::move(cr), allowed,
               {token_events(w), tool_events(w), keep_alive(w),
                stream_done<backends::ChatResponse>(w, flight, chat_json)});
    return;
  }
  res.on_cancel([flight] { flight->client_gone(); });
  auto r = std::make_shared<net::Responder>(std::move(res));
  start_chat(*ctx, std::move(*backend), std::move(cr), allowed,
             {{}, {}, {}, [r, flight](Result<backends::ChatResponse> out) {
                flight->done = true;
                if (!out.ok()) return r->send_error(out.error());
                r->send(net::Response::json(200, json::serialize(chat_json(*out))));
              }});
}

void embedding(const std::shared_ptr<ServingContext>& ctx, net::Request req, net::Responder res) {
  auto o = detail::parse_object(req.body);
  if (!o.ok()) return res.send_error(o.error());
  auto model = model_field(*o);
  if (!model.ok()) return res.send_error(model.error());
  // "input" as in OpenAI's API; "text" for a single string.
  auto inputs = detail::parse_inputs(*o, o->contains("text") ? "text" : "input");
  if (!inputs.ok()) return res.send_error(inputs.error());
  auto backend = resolve_for(*ctx, req, *model);
  if (!backend.ok()) return res.send_error(backend.error());
  backends::EmbedRequest er;
  er.model = *model;
  er.inputs = std::move(*inputs);
  auto r = std::make_shared<net::Responder>(std::move(res));
  (*backend)->embed_async(std::move(er), [r](Result<backends::EmbedResponse> out) {
    if (!out.ok()) return r->send_error(out.error());
    json::array vectors;
    for (const auto& v : out->vectors) {
      json::array a;
      a.reserve(v.size());
      for (float f : v) a.push_back(f);
      vectors.push_back(std::move(a));
    }
    json::object body{{"embeddings", std::move(vectors)}, {"model", out->model},
                      {"dimensions", out->vectors.empty() ? 0 : out->vectors[0].size()},
                      {"usage", usage_json(out->usage)}};
    r->send(net::Response::json(200, json::serialize(body)));
  });
}

}  // namespace

Status install_inference_routes(net::Router& router, std::shared_ptr<ServingContext> ctx) {
  net::RouteMeta meta;
  meta.scope = "inference";
  meta.error_formatter = rest_error;
  auto completion = [ctx](net::Request req, net::Responder res) {
    complete(ctx, std::move(req), std::move(res), false);
  };
  WOOLLY_TRY(router.add(net::Method::kPost, "/api/v1/inference/complete", completion, meta));
  WOOLLY_TRY(router.add(net::Method::kPost, "/api/v1/inference/completion", completion, meta));
  WOOLLY_TRY(router.add(net::Method::kPost, "/api/v1/inference/stream",
      [ctx](net::Request req, net::Responder res) { complete(ctx, std::move(req), std::move(res), true); },
      meta));
  WOOLLY_TRY(router.add(net::Method::kPost, "/api/v1/inference/chat",
      [ctx](net::Request req, net::Responder res) { chat(ctx, std::move(req), std::move(res)); }, meta));
  WOOLLY_TRY(router.add(net::Method::kPost, "/api/v1/inference/embedding",
      [ctx](net::Request req, net::Responder res) { embedding(ctx, std::move(req), std::move(res)); },
      meta));
  return {};
}

}  // namespace woolly::api
