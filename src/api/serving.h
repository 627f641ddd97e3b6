// The inference surfaces over the backends: the OpenAI-compatible API (/v1), Woolly's REST
// inference routes (/api/v1/inference) and the prompt API (POST /). They see models only through
// ServingContext, so the app builds it over the ModelRegistry and tests over fake backends.
//
//   auto ctx = std::make_shared<api::ServingContext>(api::serving_context_from_registry(reg));
//   api::install_openai_routes(router, ctx);
//
// Threads: handlers run on I/O threads and never block on generation: they call the backends'
// *_async methods, whose callbacks answer through the thread-safe Responder/StreamWriter. A client
// that goes away (or a request that times out) cancels its generation through on_cancel.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.h"
#include "common/result.h"
#include "net/router.h"

namespace woolly::obs {
class Registry;
}
namespace woolly::backends {
class ModelRegistry;
}

namespace woolly::api {

class Metering;
class ToolRunner;  // api/tool_chat.h

struct ModelSummary {
  std::string id;
  std::string name;
  std::string type;  // local | openai | ollama | anthropic
};

struct ServingContext {
  // The backend for a model name or id ("" = the default model); kNotFound for an unknown one.
  std::function<Result<std::shared_ptr<backends::Backend>>(std::string_view model)> resolve;
  std::function<std::vector<ModelSummary>()> list_models;
  std::string system_prompt;           // generation.system_prompt (prompt API)
  backends::SamplingOptions defaults;  // for fields a request leaves unset
  // woolly_generations_cancelled_total{surface} counts generations stopped because the client
  // went away; null = not counted.
  obs::Registry* metrics = nullptr;
  // The registry's name of a model name or id ("" = the default model): what prices and usage
  // records name. Unset = the name as requested.
  std::function<std::string(std::string_view model)> model_name;
  // Credits, usage records and the tokens-per-minute bucket around every generation (see
  // api/metering.h); null = unmetered.
  std::shared_ptr<Metering> metering;
  // Runs chats that use the MCP servers' tools (api/tool_chat.h); null = no MCP servers, and
  // requests asking for tools are answered without any.
  std::shared_ptr<ToolRunner> tools;
};

// kPermissionDenied when the request's API key lists allowed models and `model` (by its resolved
// name) is not one of them.
Status model_allowed(const ServingContext& ctx, const net::Request& req, std::string_view model);
// The backend a request's generation on `model` goes through: ctx.resolve(model) after
// model_allowed, metered for the request's identity when the context has a Metering and the
// request passed the auth hook.
Result<std::shared_ptr<backends::Backend>> resolve_for(const ServingContext& ctx,
                                                       const net::Request& req,
                                                       std::string_view model);
// `backend` (already resolved for `model`) metered the same way.
std::shared_ptr<backends::Backend> metered(const ServingContext& ctx, const net::Request& req,
                                           std::string_view model,
                                           std::shared_ptr<backends::Backend> backend);

// resolve/list_models over the registry (which must outlive the context).
ServingContext serving_context_from_registry(std::shared_ptr<backends::ModelRegistry> registry);

// GET /v1/models, POST /v1/chat/completions, /v1/completions, /v1/embeddings; errors in OpenAI's
// shape {"error":{"message","type","param","code"}}.
Status install_openai_routes(net::Router& router, std::shared_ptr<ServingContext> ctx);
// POST /api/v1/inference/{complete,completion,stream,chat,embedding}.
Status install_inference_routes(net::Router& router, std::shared_ptr<ServingContext> ctx);
// POST / {"prompt": "..."} -> {"response": "..."}; errors {"Error": "..."}.
Status install_prompt_routes(net::Router& router, std::shared_ptr<ServingContext> ctx);

}  // namespace woolly::api
