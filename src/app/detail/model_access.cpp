#include "app/detail/model_access.h"

#include "auth/identity.h"

namespace woolly::app::detail {
namespace {

mcp::tools::ModelSummary summarize(const backends::ModelInfo& info) {
  mcp::tools::ModelSummary s;
  s.id = info.id;
  s.name = info.name;
  s.type = info.type;
  s.loaded = info.loaded;
  s.chat = info.capabilities.chat;
  s.completion = info.capabilities.completion;
  s.embeddings = info.capabilities.embeddings;
  s.tokenize = info.capabilities.tokenize;
  if (!info.path.empty()) s.details["path"] = info.path;
  if (!info.base_url.empty()) s.details["base_url"] = info.base_url;
  if (info.memory_bytes > 0) s.details["memory_bytes"] = static_cast<int64_t>(info.memory_bytes);
  return s;
}

backends::SamplingOptions sampling_of(const mcp::tools::GenerationParams& p) {
  backends::SamplingOptions s;
  if (p.temperature) s.temperature = static_cast<float>(*p.temperature);
  if (p.max_tokens) s.max_tokens = *p.max_tokens;
  if (p.top_k) s.top_k = *p.top_k;
  if (p.top_p) s.top_p = static_cast<float>(*p.top_p);
  s.stop = p.stop;
  return s;
}

}  // namespace

std::vector<mcp::tools::ModelSummary> RegistryModelAccess::list_models() {
  std::vector<mcp::tools::ModelSummary> out;
  for (const auto& info : registry_->list()) out.push_back(summarize(info));
  return out;
}

Result<mcp::tools::ModelSummary> RegistryModelAccess::model_info(std::string_view name) {
  WOOLLY_ASSIGN_OR_RETURN(auto info, registry_->info(name));  // "" = the default model
  return summarize(info);
}

Result<std::shared_ptr<backends::Backend>> RegistryModelAccess::backend_for(
    std::string_view model, const std::shared_ptr<const void>& caller) {
  WOOLLY_ASSIGN_OR_RETURN(auto backend, registry_->get(model));
  if (!metering_ || !caller) return backend;
  // The MCP transports set the caller from net::Principal::detail, which the auth hook fills
  // with the auth::Identity the request was admitted as.
  const auto& who = *std::static_pointer_cast<const auth::Identity>(caller);
  auto info = registry_->info(model);
  return metering_->wrap(std::move(backend), who, info.ok() ? info->name : std::string(model));
}

Result<mcp::tools::GenerateResult> RegistryModelAccess::generate(
    const mcp::tools::GenerateRequest& request,
    const std::function<void(std::string_view)>& on_text) {
  WOOLLY_ASSIGN_OR_RETURN(auto backend, backend_for(request.model, request.caller));
  // The MCP request's cancel flag is seen at every streamed piece, so a notifications/cancelled
  // stops the generation within one token.
  engine::CancelToken cancel;
  auto on_event = [&](const backends::StreamEvent& ev) {
    if (request.cancel && request.cancel->load()) cancel.cancel();
    if (ev.kind == backends::StreamEvent::Kind::kText && !ev.text.empty() && on_text)
      on_text(ev.text);
  };
  mcp::tools::GenerateResult out;
  if (request.messages.empty()) {
    backends::CompletionRequest req;
    req.model = request.model;
    req.prompt = request.prompt;
    req.sampling = sampling_of(request.params);
    req.cancel = cancel;
    WOOLLY_ASSIGN_OR_RETURN(auto resp, backend->complete(std::move(req), on_event));
    out.model = resp.model;
    out.text = std::move(resp.text);
    out.finish_reason = backends::finish_reason_name(resp.finish);
    out.prompt_tokens = resp.usage.prompt_tokens;
    out.completion_tokens = resp.usage.completion_tokens;
    return out;
  }
  backends::ChatRequest req;
  req.model = request.model;
  for (const auto& turn : request.messages) {
    backends::Message m;
    m.role = turn.role;
    m.content = turn.content;
    req.messages.push_back(std::move(m));
  }
  req.sampling = sampling_of(request.params);
  req.cancel = cancel;
  WOOLLY_ASSIGN_OR_RETURN(auto resp, backend->chat(std::move(req), on_event));
  out.model = resp.model;
  out.text = std::move(resp.message.content);
  out.finish_reason = backends::finish_reason_name(resp.finish);
  out.prompt_tokens = resp.usage.prompt_tokens;
  out.completion_tokens = resp.usage.completion_tokens;
  return out;
}

Result<std::vector<int32_t>> RegistryModelAccess::tokenize(std::string_view model,
                                                           std::string_view text) {
  WOOLLY_ASSIGN_OR_RETURN(auto backend, registry_->get(model));
  WOOLLY_ASSIGN_OR_RETURN(auto resp, backend->tokenize(std::string(model), std::string(text)));
  return std::move(resp.tokens);
}

Result<std::vector<float>> RegistryModelAccess::embed(std::string_view model, std::string_view text,
                                                      const std::shared_ptr<const void>& caller) {
  WOOLLY_ASSIGN_OR_RETURN(auto backend, backend_for(model, caller));
  backends::EmbedRequest req;
  req.model = std::string(model);
  req.inputs.push_back(std::string(text));
  WOOLLY_ASSIGN_OR_RETURN(auto resp, backend->embed(std::move(req)));
  if (resp.vectors.empty()) return make_error(Errc::kUpstream, "the model returned no embedding");
  return std::move(resp.vectors.front());
}

}  // namespace woolly::app::detail
