// The OpenAI-compatible API (/v1): what the official clients send, answered in OpenAI's shapes,
// including its SSE framing (data-only events ending with "data: [DONE]") and error bodies. Chat
// may use the MCP servers' tools ("mcp_tools", tool_chat.h).
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <atomic>
#include <cstring>

#include "api/detail/request_parse.h"
#include "api/serving.h"
#include "api/tool_chat.h"
#include "net/error_http.h"

namespace woolly::api {
namespace {
namespace json = boost::json;
using detail::optional_bool;
using detail::optional_string;

std::string_view openai_error_type(Errc code) {
  switch (code) {
    case Errc::kUnauthenticated: return "authentication_error";
    case Errc::kPermissionDenied: return "permission_error";
    case Errc::kRateLimited:
    case Errc::kInsufficientCredits: return "rate_limit_error";
    case Errc::kUnavailable:
    case Errc::kTimeout:
    case Errc::kUpstream:
    case Errc::kInternal:
    case Errc::kIo:
    case Errc::kCorruptData: return "server_error";
    default: return "invalid_request_error";
  }
}

json::object openai_error_body(const Error& e) {
  json::value code = nullptr;
  if (e.code == Errc::kNotFound) code = "model_not_found";
  else if (e.code == Errc::kOutOfRange) code = "context_length_exceeded";
  else code = errc_name(e.code);
  return {{"error", {{"message", e.message}, {"type", openai_error_type(e.code)},
                     {"param", nullptr}, {"code", code}}}};
}

net::Response openai_error_response(const Error& e) {
  net::Response r = net::Response::json(net::http_status(e.code), json::serialize(openai_error_body(e)));
  if (e.code == Errc::kUnavailable) r.headers.set("Retry-After", "1");
  return r;
}

net::RouteMeta openai_meta(std::string scope) {
  net::RouteMeta m;
  m.scope = std::move(scope);
  m.error_formatter = openai_error_response;
  return m;
}

json::object usage_json(const backends::Usage& u) {
  return {{"prompt_tokens", u.prompt_tokens}, {"completion_tokens", u.completion_tokens},
          {"total_tokens", u.total_tokens()}};
}

// Cancels the generation when the client goes away, unless it has already finished; counts it.
struct Flight {
  backends::CancelToken cancel;
  std::atomic<bool> done{false};
  obs::Registry* metrics = nullptr;
  void client_gone() {
    if (done.exchange(true)) return;
    cancel.cancel();
    detail::count_cancelled(metrics, "openai");
  }
};

std::string chunk(const std::string& id, int64_t created, const std::string& model,
                  std::string_view object, json::value choice) {
  json::array choices;
  if (!choice.is_null()) choices.push_back(std::move(choice));
  return json::serialize(json::object{{"id", id}, {"object", object}, {"created", created},
                                      {"model", model}, {"choices", std::move(choices)}});
}

// A tool event of a chat that uses MCP tools, as a chunk with no choices (like the usage chunk,
// which OpenAI clients already skip) and the event under "woolly_tool_event".
ToolEventCallback tool_event_chunks(std::shared_ptr<detail::LazyStream> w, std::string id,
                                    int64_t created, std::string model) {
  return [w, id, created, model](const agent::ToolEvent& e) {
    json::object event = tool_event_json(e);
    event["type"] = agent::tool_event_name(e.kind);
    json::object c{{"id", id}, {"object", "chat.completion.chunk"}, {"created", created},
                   {"model", model}, {"choices", json::array()},
                   {"woolly_tool_event", std::move(event)}};
    w->writer().write_event("", json::serialize(c));
  };
}

void send_chat_stream(const ServingContext& ctx, std::shared_ptr<backends::Backend> backend,
                      backends::ChatRequest cr, std::optional<agent::ToolFilter> tools,
                      bool include_usage, std::shared_ptr<Flight> flight, net::Responder res) {
  res.on_cancel([flight] { flight->client_gone(); });
  auto w = std::make_shared<detail::LazyStream>(std::move(res));
  auto id = detail::random_id("chatcmpl-");
  int64_t created = detail::unix_seconds();
  std::string model = cr.model;
  w->on_open = [id, created, model](net::StreamWriter& sw) {
    sw.write_event("", chunk(id, created, model, "chat.completion.chunk",
                             {{"index", 0}, {"delta", {{"role", "assistant"}, {"content", ""}}},
                              {"logprobs", nullptr}, {"finish_reason", nullptr}}));
  };
  auto on_event = [w, id, created, model](const backends::StreamEvent& ev) {
    json::object delta;
    json::value logprobs = nullptr;
    if (ev.kind == backends::StreamEvent::Kind::kText) {
      delta["content"] = ev.text;
      if (!ev.logprobs.empty()) logprobs = {{"content", detail::logprobs_json(ev.logprobs)}};
    } else {
      json::object call{{"index", ev.tool_index}};
      json::object fn{{"arguments", ev.arguments_delta}};
      if (!ev.tool_id.empty()) {
        call["id"] = ev.tool_id;
        call["type"] = "function";
      }
      if (!ev.tool_name.empty()) fn["name"] = ev.tool_name;
      call["function"] = std::move(fn);
      delta["tool_calls"] = json::array{std::move(call)};
    }
    w->writer().write_event("", chunk(id, created, model, "chat.completion.chunk",
                                      {{"index", 0}, {"delta", std::move(delta)},
                                       {"logprobs", std::move(logprobs)}, {"finish_reason", nullptr}}));
  };
  // While tool calls run, SSE comments (ignored by clients) let a client that went away be noticed.
  auto keep_alive = [w] {
    if (w->started()) w->writer().write_comment("tool call running");
  };
  auto on_done = [w, id, created, model, include_usage, flight](Result<backends::ChatResponse> r) {
    flight->done = true;
    if (!r.ok() && !w->started()) return w->fail_unopened(r.error());
    if (!r.ok()) {
      w->writer().write_event("", json::serialize(openai_error_body(r.error())));
    } else {
      w->writer().write_event("", chunk(id, created, model, "chat.completion.chunk",
                               {{"index", 0}, {"delta", json::object()}, {"logprobs", nullptr},
                                {"finish_reason", backends::finish_reason_name(r->finish)}}));
      if (include_usage) {
        json::object u{{"id", id}, {"object", "chat.completion.chunk"}, {"created", created},
                       {"model", model}, {"choices", json::array()}, {"usage", usage_json(r->usage)}};
        w->writer().write_event("", json::serialize(u));
      }
    }
    w->writer().write_event("", "[DONE]");
    w->writer().close();
  };
  start_chat(ctx, std::move(backend), std::move(cr), tools,
             {on_event, tool_event_chunks(w, id, created, model), keep_alive, on_done});
}

void chat_completions(const std::shared_ptr<ServingContext>& ctx, net::Request req,
                      net::Responder res) {
  auto fail = [&](Error e) { res.send_error(e); };
  auto o = detail::parse_object(req.body);
  if (!o.ok()) return fail(o.take_error());
  auto model = optional_string(*o, "model");
  if (!model.ok()) return fail(model.take_error());
  if (!*model) return fail(Error(Errc::kInvalidArgument, "'model' is required"));
  backends::ChatRequest cr;
  cr.model = **model;
  auto messages = detail::parse_messages(*o);
  if (!messages.ok()) return fail(messages.take_error());
  cr.messages = std::move(*messages);
  auto tools = detail::parse_tools(*o);
  if (!tools.ok()) return fail(tools.take_error());
  cr.tools = std::move(*tools);
  auto choice = detail::parse_tool_choice(*o);
  if (!choice.ok()) return fail(choice.take_error());
  cr.tool_choice = *choice;
  auto sampling = detail::parse_sampling(*o);
  if (!sampling.ok()) return fail(sampling.take_error());
  cr.sampling = std::move(*sampling);
  detail::apply_defaults(cr.sampling, ctx->defaults);
  auto format = detail::parse_response_format(*o);
  if (!format.ok()) return fail(format.take_error());
  cr.response_format = std::move(*format);
  if (auto n = o->if_contains("n"); n && !(n->is_int64() && n->get_int64() == 1) && !n->is_null()) {
    return fail(Error(Errc::kInvalidArgument, "'n' must be 1: Woolly generates one choice"));
  }
  auto stream = optional_bool(*o, "stream");
  if (!stream.ok()) return fail(stream.take_error());
  bool include_usage = false;
  if (auto so = o->if_contains("stream_options"); so && so->is_object()) {
    if (auto iu = so->get_object().if_contains("include_usage"); iu && iu->is_bool()) {
      include_usage = iu->get_bool();
    }
  }
  auto mcp_tools = parse_mcp_tools(*o, false);
  if (!mcp_tools.ok()) return fail(mcp_tools.take_error());
  if (*mcp_tools && !cr.tools.empty()) {
    // A call the model makes to the client's own tool must go back to the client, one to an MCP
    // tool is run here: one answer cannot do both, so a request picks one of them.
    return fail(Error(Errc::kInvalidArgument,
                      "'tools' and 'mcp_tools' cannot be combined: send your own tools or use "
                      "Woolly's MCP tools"));
  }
  auto allowed = allowed_tools(req, std::move(*mcp_tools));
  auto backend = resolve_for(*ctx, req, cr.model);
  if (!backend.ok()) return fail(backend.take_error());

  auto flight = std::make_shared<Flight>();
  flight->cancel = cr.cancel;
  flight->metrics = ctx->metrics;
  if (stream->value_or(false)) {
    return send_chat_stream(*ctx, std::move(*backend), std::move(cr), std::move(allowed),
                            include_usage, flight, std::move(res));
  }
  res.on_cancel([flight] { flight->client_gone(); });
  auto r = std::make_shared<net::Responder>(std::move(res));
  std::string requested = cr.model;
  auto on_done = [r, flight, requested](Result<backends::ChatResponse> out) {
    flight->done = true;
    if (!out.ok()) return r->send_error(out.error());
    json::object msg{{"role", "assistant"}, {"content", out->message.content}};
    if (!out->message.tool_calls.empty()) {
      msg["tool_calls"] = detail::tool_calls_json(out->message.tool_calls);
      if (out->message.content.empty()) msg["content"] = nullptr;
    }
    json::value logprobs = nullptr;
    if (!out->logprobs.empty()) logprobs = {{"content", detail::logprobs_json(out->logprobs)}};
    json::object body{
        {"id", detail::random_id("chatcmpl-")}, {"object", "chat.completion"},
        {"created", detail::unix_seconds()}, {"model", requested},
        {"choices", json::array{json::object{
                        {"index", 0}, {"message", std::move(msg)}, {"logprobs", std::move(logprobs)},
                        {"finish_reason", backends::finish_reason_name(out->finish)}}}},
        {"usage", usage_json(out->usage)}};
    r->send(net::Response::json(200, json::serialize(body)));
  };
  start_chat(*ctx, std::move(*backend), std::move(cr), allowed, {{}, {}, {}, on_done});
}

// The legacy completions API's logprobs object.
json::value completion_logprobs(const std::vector<backends::TokenLogprob>& lps) {
  if (lps.empty()) return nullptr;
  json::array tokens, token_logprobs, top, offsets;
  size_t offset = 0;
  for (const auto& lp : lps) {
    tokens.push_back(json::value(lp.token));
    token_logprobs.push_back(lp.logprob);
    json::object t;
    for (const auto& x : lp.top) t[x.token] = x.logprob;
    top.push_back(std::move(t));
    offsets.push_back(offset);
    offset += lp.token.size();
  }
  return {{"tokens", std::move(tokens)}, {"token_logprobs", std::move(token_logprobs)},
          {"top_logprobs", std::move(top)}, {"text_offset", std::move(offsets)}};
}

void completions(const std::shared_ptr<ServingContext>& ctx, net::Request req, net::Responder res) {
  auto fail = [&](Error e) { res.send_error(e); };
  auto o = detail::parse_object(req.body);
  if (!o.ok()) return fail(o.take_error());
  auto model = optional_string(*o, "model");
  if (!model.ok()) return fail(model.take_error());
  if (!*model) return fail(Error(Errc::kInvalidArgument, "'model' is required"));
  auto prompts = detail::parse_inputs(*o, "prompt");
  if (!prompts.ok()) return fail(prompts.take_error());
  if (prompts->size() != 1) {
    return fail(Error(Errc::kInvalidArgument, "'prompt' must be one string: batches are not served"));
  }
  backends::CompletionRequest cr;
  cr.model = **model;
  cr.prompt = std::move(prompts->front());
  auto sampling = detail::parse_sampling(*o);
  if (!sampling.ok()) return fail(sampling.take_error());
  cr.sampling = std::move(*sampling);
  detail::apply_defaults(cr.sampling, ctx->defaults);
  auto format = detail::parse_response_format(*o);
  if (!format.ok()) return fail(format.take_error());
  cr.response_format = std::move(*format);
  auto stream = optional_bool(*o, "stream");
  if (!stream.ok()) return fail(stream.take_error());
  auto backend = resolve_for(*ctx, req, cr.model);
  if (!backend.ok()) return fail(backend.take_error());

  auto flight = std::make_shared<Flight>();
  flight->cancel = cr.cancel;
  flight->metrics = ctx->metrics;
  std::string id = detail::random_id("cmpl-");
  int64_t created = detail::unix_seconds();
  std::string name = cr.model;
  if (stream->value_or(false)) {
    res.on_cancel([flight] { flight->client_gone(); });
    auto w = std::make_shared<detail::LazyStream>(std::move(res));
    auto on_event = [w, id, created, name](const backends::StreamEvent& ev) {
      if (ev.kind != backends::StreamEvent::Kind::kText) return;
      w->writer().write_event("", chunk(id, created, name, "text_completion",
                               {{"index", 0}, {"text", ev.text},
                                {"logprobs", completion_logprobs(ev.logprobs)},
                                {"finish_reason", nullptr}}));
    };
    (*backend)->complete_async(std::move(cr), on_event,
                               [w, id, created, name, flight](Result<backends::CompletionResponse> r) {
      flight->done = true;
      if (!r.ok() && !w->started()) return w->fail_unopened(r.error());
      if (!r.ok()) {
        w->writer().write_event("", json::serialize(openai_error_body(r.error())));
      } else {
        w->writer().write_event("", chunk(id, created, name, "text_completion",
                                          {{"index", 0}, {"text", ""}, {"logprobs", nullptr},
                                           {"finish_reason", backends::finish_reason_name(r->finish)}}));
      }
      w->writer().write_event("", "[DONE]");
      w->writer().close();
    });
    return;
  }
  res.on_cancel([flight] { flight->client_gone(); });
  auto r = std::make_shared<net::Responder>(std::move(res));
  (*backend)->complete_async(std::move(cr), {},
                             [r, flight, id, created, name](Result<backends::CompletionResponse> out) {
    flight->done = true;
    if (!out.ok()) return r->send_error(out.error());
    json::object body{{"id", id}, {"object", "text_completion"}, {"created", created},
                      {"model", name},
                      {"choices", json::array{json::object{
                                      {"index", 0}, {"text", out->text},
                                      {"logprobs", completion_logprobs(out->logprobs)},
                                      {"finish_reason", backends::finish_reason_name(out->finish)}}}},
                      {"usage", usage_json(out->usage)}};
    r->send(net::Response::json(200, json::serialize(body)));
  });
}

// Little-endian float32 bytes in base64: what the official clients ask for by default.
std::string base64_floats(const std::vector<float>& v) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes(v.size() * sizeof(float), '\0');
  if (!v.empty()) std::memcpy(bytes.data(), v.data(), bytes.size());  // x86/ARM: little-endian
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(n >> s) & 63];
  }
  if (size_t rest = bytes.size() - i; rest > 0) {
    uint32_t n = uint8_t(bytes[i]) << 16;
    if (rest == 2) n |= uint8_t(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

void embeddings(const std::shared_ptr<ServingContext>& ctx, net::Request req, net::Responder res) {
  auto fail = [&](Error e) { res.send_error(e); };
  auto o = detail::parse_object(req.body);
  if (!o.ok()) return fail(o.take_error());
  auto model = optional_string(*o, "model");
  if (!model.ok()) return fail(model.take_error());
  if (!*model) return fail(Error(Errc::kInvalidArgument, "'model' is required"));
  auto inputs = detail::parse_inputs(*o, "input");
  if (!inputs.ok()) return fail(inputs.take_error());
  auto encoding = optional_string(*o, "encoding_format");
  if (!encoding.ok()) return fail(encoding.take_error());
  bool base64 = encoding->value_or("float") == "base64";
  if (!base64 && encoding->value_or("float") != "float") {
    return fail(Error(Errc::kInvalidArgument, "'encoding_format' must be float or base64"));
  }
  auto backend = resolve_for(*ctx, req, **model);
  if (!backend.ok()) return fail(backend.take_error());
  backends::EmbedRequest er;
  er.model = **model;
  er.inputs = std::move(*inputs);
  auto flight = std::make_shared<Flight>();
  flight->cancel = er.cancel;
  flight->metrics = ctx->metrics;
  res.on_cancel([flight] { flight->client_gone(); });
  auto r = std::make_shared<net::Responder>(std::move(res));
  std::string name = er.model;
  (*backend)->embed_async(std::move(er), [r, flight, name, base64](Result<backends::EmbedResponse> out) {
    flight->done = true;
    if (!out.ok()) return r->send_error(out.error());
    json::array data;
    for (size_t i = 0; i < out->vectors.size(); ++i) {
      json::value emb;
      if (base64) {
        emb = base64_floats(out->vectors[i]);
      } else {
        json::array a;
        a.reserve(out->vectors[i].size());
        for (float f : out->vectors[i]) a.push_back(f);
        emb = std::move(a);
      }
      data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", std::move(emb)}});
    }
    json::object body{{"object", "list"}, {"data", std::move(data)}, {"model", name},
                      {"usage", {{"prompt_tokens", out->usage.prompt_tokens},
                                 {"total_tokens", out->usage.prompt_tokens}}}};
    r->send(net::Response::json(200, json::serialize(body)));
  });
}

json::object model_json(const ModelSummary& m) {
  return {{"id", m.id}, {"object", "model"}, {"created", 0}, {"owned_by", m.type}};
}

}  // namespace

Status install_openai_routes(net::Router& router, std::shared_ptr<ServingContext> ctx) {
  WOOLLY_TRY(router.get("/v1/models", [ctx](const net::Request&) {
    json::array data;
    for (const auto& m : ctx->list_models()) data.push_back(model_json(m));
    return net::Response::json(200, json::serialize(json::object{{"object", "list"}, {"data", std::move(data)}}));
  }, openai_meta("models:read")));
  WOOLLY_TRY(router.get("/v1/models/:id", [ctx](const net::Request& req) {
    for (const auto& m : ctx->list_models()) {
      if (m.id == req.param("id") || m.name == req.param("id")) {
        return net::Response::json(200, json::serialize(model_json(m)));
      }
    }
    return openai_error_response(
        Error(Errc::kNotFound, "The model '" + std::string(req.param("id")) + "' does not exist"));
  }, openai_meta("models:read")));
  WOOLLY_TRY(router.add(net::Method::kPost, "/v1/chat/completions",
      [ctx](net::Request req, net::Responder res) { chat_completions(ctx, std::move(req), std::move(res)); },
      openai_meta("inference")));
  WOOLLY_TRY(router.add(net::Method::kPost, "/v1/completions",
      [ctx](net::Request req, net::Responder res) { completions(ctx, std::move(req), std::move(res)); },
      openai_meta("inference")));
  WOOLLY_TRY(router.add(net::Method::kPost, "/v1/embeddings",
      [ctx](net::Request req, net::Responder res) { embeddings(ctx, std::move(req), std::move(res)); },
      openai_meta("inference")));
  return {};
}

}  // namespace woolly::api
