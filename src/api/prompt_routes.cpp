// The prompt API: POST / {"prompt": "..."} -> {"response": "..."}, one chat turn with the
// configured system prompt and sampling defaults on the default model, with every MCP tool
// (tool_chat.h) unless "mcp_tools" says otherwise. Its error body is
// {"Error": "..."} (capital E), the shape its existing clients read.
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

net::Response prompt_error(const Error& e) {
  // Details of internal failures stay in the log; the client learns only that it failed.
  int status = net::http_status(e.code);
  std::string message = status >= 500 && e.code != Errc::kUnavailable && e.code != Errc::kTimeout
                            ? "internal error: the model could not answer"
                            : e.message;
  net::Response r = net::Response::json(status, json::serialize(json::object{{"Error", message}}));
  if (e.code == Errc::kUnavailable) r.headers.set("Retry-After", "1");
  return r;
}

}  // namespace

Status install_prompt_routes(net::Router& router, std::shared_ptr<ServingContext> ctx) {
  net::RouteMeta meta;
  meta.scope = "inference";
  meta.error_formatter = prompt_error;
  return router.add(net::Method::kPost, "/", [ctx](net::Request req, net::Responder res) {
    auto o = detail::parse_object(req.body);
    if (!o.ok()) return res.send_error(Error(Errc::kInvalidArgument, "the body must be a JSON object"));
    const json::value* prompt = o->if_contains("prompt");
    if (!prompt || !prompt->is_string()) {
      return res.send_error(Error(Errc::kInvalidArgument, "'prompt' must be a string"));
    }
    // Every MCP tool by default, as the original LLM-Server did; "mcp_tools" narrows or disables.
    auto tools = parse_mcp_tools(*o, true);
    if (!tools.ok()) return res.send_error(tools.error());
    auto backend = resolve_for(*ctx, req, "");
    if (!backend.ok()) return res.send_error(backend.error());
    backends::ChatRequest cr;
    if (!ctx->system_prompt.empty()) cr.messages.push_back({"system", ctx->system_prompt});
    cr.messages.push_back({"user", std::string(prompt->get_string())});
    cr.sampling = ctx->defaults;
    auto token = cr.cancel;
    auto done = std::make_shared<std::atomic<bool>>(false);
    obs::Registry* metrics = ctx->metrics;
    res.on_cancel([token, done, metrics] {
      if (done->exchange(true)) return;
      token.cancel();
      detail::count_cancelled(metrics, "prompt");
    });
    auto r = std::make_shared<net::Responder>(std::move(res));
    auto on_done = [r, done](Result<backends::ChatResponse> out) {
      done->store(true);
      if (!out.ok()) return r->send_error(out.error());
      r->send(net::Response::json(
          200, json::serialize(json::object{{"response", out->message.content}})));
    };
    start_chat(*ctx, std::move(*backend), std::move(cr), allowed_tools(req, std::move(*tools)),
               {{}, {}, {}, on_done});
  }, meta);
}

}  // namespace woolly::api
