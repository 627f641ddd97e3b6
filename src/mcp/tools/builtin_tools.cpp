#include "mcp/tools/builtin_tools.h"

#include <boost/json/serialize.hpp>
#include <cmath>
#include <mutex>

namespace woolly::mcp::tools {
namespace {

constexpr std::string_view kModelUriPrefix = "woolly://models/";

// set_generation_params defaults of one MCP session (in its SessionStore).
struct SessionDefaults {
  std::mutex mutex;  // guards params: the session's calls run on several workers
  GenerationParams params;
};
constexpr std::string_view kDefaultsKey = "woolly.generation_defaults";

std::shared_ptr<SessionDefaults> session_defaults(const ToolContext& ctx) {
  SessionStore* store = ctx.session_store();
  if (!store) return nullptr;
  return store->get_or_create<SessionDefaults>(kDefaultsKey,
                                               [] { return std::make_shared<SessionDefaults>(); });
}

json::object model_json(const ModelSummary& m) {
  json::object o{{"id", m.id},     {"name", m.name},
                 {"type", m.type}, {"loaded", m.loaded},
                 {"capabilities", json::object{{"chat", m.chat},
                                               {"completion", m.completion},
                                               {"embeddings", m.embeddings},
                                               {"tokenize", m.tokenize}}}};
  for (const auto& [k, v] : m.details) o[k] = v;
  return o;
}

ToolResult json_result(json::object body) {
  ToolResult r = ToolResult::text(json::serialize(body));
  r.structured_content = std::move(body);
  return r;
}

std::string string_arg(const json::object& args, std::string_view name) {
  const json::value* v = args.if_contains(name);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

Result<std::optional<double>> number_arg(const json::object& args, std::string_view name,
                                         double lo, double hi) {
  const json::value* v = args.if_contains(name);
  if (!v || v->is_null()) return std::optional<double>();
  if (!v->is_number()) return make_error(Errc::kInvalidArgument, std::string(name) + " must be a number");
  double d = v->to_number<double>();
  if (!std::isfinite(d) || d < lo || d > hi) {
    return make_error(Errc::kInvalidArgument, std::string(name) + " is out of range");
  }
  return std::optional<double>(d);
}

json::object schema(json::object properties, json::array required = {}) {
  json::object s{{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) s["required"] = std::move(required);
  return s;
}

json::object sampling_properties() {
  return {{"temperature", {{"type", "number"}, {"minimum", 0}, {"maximum", 2}}},
          {"max_tokens", {{"type", "integer"}, {"minimum", 1}, {"maximum", 1048576}}},
          {"top_k", {{"type", "integer"}, {"minimum", 0}}},
          {"top_p", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
          {"stop_sequence", {{"type", "string"}}},
          {"model", {{"type", "string"}, {"description", "model name or id; default model if absent"}}}};
}

// woolly://models/{name}: one resource per model, read as its metadata.
class ModelResources : public ResourceProvider {
 public:
  explicit ModelResources(std::shared_ptr<ModelAccess> models) : models_(std::move(models)) {}
  std::vector<ResourceInfo> list() const override {
    std::vector<ResourceInfo> out;
    for (const ModelSummary& m : models_->list_models()) {
      out.push_back({.uri = std::string(kModelUriPrefix) + m.name,
                     .name = m.name,
                     .description = "Model metadata (" + m.type + ")",
                     .mime_type = "application/json"});
    }
    return out;
  }
  std::vector<ResourceTemplateInfo> templates() const override {
    return {{.uri_template = std::string(kModelUriPrefix) + "{name}",
             .name = "model",
             .description = "Metadata of a model Woolly serves",
             .mime_type = "application/json"}};
  }
  Result<std::vector<ResourceContents>> read(std::string_view uri) const override {
    if (!uri.starts_with(kModelUriPrefix)) return make_error(Errc::kNotFound, "not a model URI");
    WOOLLY_ASSIGN_OR_RETURN(ModelSummary m, models_->model_info(uri.substr(kModelUriPrefix.size())));
    return std::vector<ResourceContents>{
        {.uri = std::string(uri), .mime_type = "application/json", .text = json::serialize(model_json(m))}};
  }
  std::vector<std::string> complete(std::string_view, std::string_view variable,
                                    std::string_view prefix) const override {
    std::vector<std::string> out;
    if (variable != "name") return out;
    for (const ModelSummary& m : models_->list_models()) {
      if (m.name.starts_with(prefix)) out.push_back(m.name);
    }
    return out;
  }

 private:
  std::shared_ptr<ModelAccess> models_;
};

}  // namespace

std::string model_uri(std::string_view name) { return std::string(kModelUriPrefix) + std::string(name); }

Result<GenerationParams> parse_generation_params(const json::object& args) {
  GenerationParams p;
  WOOLLY_ASSIGN_OR_RETURN(p.temperature, number_arg(args, "temperature", 0, 2));
  WOOLLY_ASSIGN_OR_RETURN(p.top_p, number_arg(args, "top_p", 0, 1));
  WOOLLY_ASSIGN_OR_RETURN(auto max_tokens, number_arg(args, "max_tokens", 1, 1 << 20));
  WOOLLY_ASSIGN_OR_RETURN(auto top_k, number_arg(args, "top_k", 0, 1 << 20));
  if (max_tokens) p.max_tokens = static_cast<int>(*max_tokens);
  if (top_k) p.top_k = static_cast<int>(*top_k);
  if (const json::value* s = args.if_contains("stop_sequence"); s && !s->is_null()) {
    if (!s->is_string()) return make_error(Errc::kInvalidArgument, "stop_sequence must be a string");
    if (!s->as_string().empty()) p.stop.emplace_back(s->as_string());
  }
  return p;
}

BuiltinTools::BuiltinTools(BuiltinToolsOptions options) : options_(std::move(options)) {}

Result<ToolResult> BuiltinTools::generate(ToolContext& ctx, bool chat) {
  const json::object& args = ctx.arguments();
  GenerateRequest req;
  req.model = string_arg(args, "model");
  req.cancel = ctx.cancel_flag();
  req.caller = ctx.caller();
  WOOLLY_ASSIGN_OR_RETURN(GenerationParams given, parse_generation_params(args));
  GenerationParams d;
  if (auto shared = session_defaults(ctx)) {
    std::lock_guard lock(shared->mutex);
    d = shared->params;
  }
  req.params.temperature = given.temperature ? given.temperature : d.temperature;
  req.params.max_tokens = given.max_tokens ? given.max_tokens : d.max_tokens;
  req.params.top_k = given.top_k ? given.top_k : d.top_k;
  req.params.top_p = given.top_p ? given.top_p : d.top_p;
  req.params.stop = given.stop.empty() ? d.stop : given.stop;
  if (chat) {
    const json::value* msgs = args.if_contains("messages");
    if (!msgs || !msgs->is_array() || msgs->as_array().empty()) {
      return make_error(Errc::kInvalidArgument, "messages must be a non-empty array");
    }
    for (const json::value& m : msgs->as_array()) {
      const json::object* o = m.if_object();
      if (!o) return make_error(Errc::kInvalidArgument, "each message must be an object");
      ChatTurn t{string_arg(*o, "role"), string_arg(*o, "content")};
      if (t.role != "system" && t.role != "user" && t.role != "assistant") {
        return make_error(Errc::kInvalidArgument, "message role must be system, user or assistant");
      }
      req.messages.push_back(std::move(t));
    }
  } else {
    req.prompt = string_arg(args, "prompt");
    if (req.prompt.empty()) return make_error(Errc::kInvalidArgument, "prompt must be a non-empty string");
  }
  std::string partial;
  int pieces = 0;
  const std::optional<double> total =
      req.params.max_tokens ? std::optional<double>(*req.params.max_tokens) : std::nullopt;
  WOOLLY_ASSIGN_OR_RETURN(
      GenerateResult out, options_.models->generate(req, [&](std::string_view piece) {
        partial.append(piece);
        ctx.progress(++pieces, total, partial);
      }));
  json::object body{{"text", out.text},
                    {"model", out.model},
                    {"finish_reason", out.finish_reason},
                    {"usage", {{"prompt_tokens", out.prompt_tokens},
                               {"completion_tokens", out.completion_tokens}}}};
  ToolResult r = ToolResult::text(out.text);
  r.structured_content = std::move(body);
  return r;
}

Result<ToolResult> BuiltinTools::set_defaults(ToolContext& ctx) {
  WOOLLY_ASSIGN_OR_RETURN(GenerationParams p, parse_generation_params(ctx.arguments()));
  auto shared = session_defaults(ctx);
  if (!shared) {
    return make_error(Errc::kUnsupported,
                      "set_generation_params keeps defaults for an MCP session; this call has none "
                      "(pass the parameters with each generate_text/chat call instead)");
  }
  std::lock_guard lock(shared->mutex);
  GenerationParams& d = shared->params;
  if (p.temperature) d.temperature = p.temperature;
  if (p.max_tokens) d.max_tokens = p.max_tokens;
  if (p.top_k) d.top_k = p.top_k;
  if (p.top_p) d.top_p = p.top_p;
  if (!p.stop.empty()) d.stop = p.stop;
  json::object now;
  if (d.temperature) now["temperature"] = *d.temperature;
  if (d.max_tokens) now["max_tokens"] = *d.max_tokens;
  if (d.top_k) now["top_k"] = *d.top_k;
  if (d.top_p) now["top_p"] = *d.top_p;
  if (!d.stop.empty()) now["stop_sequence"] = d.stop.front();
  return json_result(json::object{{"defaults", std::move(now)}});
}

Status BuiltinTools::register_all(ToolRegistry& tools, ResourceRegistry& resources) {
  auto models = options_.models;
  json::object gen_props = sampling_properties();
  gen_props["prompt"] = {{"type", "string"}, {"description", "text to continue"}};
  json::object chat_props = sampling_properties();
  chat_props["messages"] = {
      {"type", "array"},
      {"minItems", 1},
      {"items", schema({{"role", {{"type", "string"}, {"enum", {"system", "user", "assistant"}}}},
                        {"content", {{"type", "string"}}}},
                       {"role", "content"})}};
  json::object set_props = sampling_properties();
  set_props.erase("model");
  const json::object model_only{{"model", {{"type", "string"}}}};

  std::vector<ToolSpec> specs;
  specs.push_back({.name = "generate_text",
                   .description = "Generate a continuation of a prompt with a Woolly model",
                   .input_schema = schema(gen_props, {"prompt"}),
                   .handler = sync_tool([this](ToolContext& c) { return generate(c, false); })});
  specs.push_back({.name = "chat",
                   .description = "Answer a conversation with a Woolly model",
                   .input_schema = schema(chat_props, {"messages"}),
                   .handler = sync_tool([this](ToolContext& c) { return generate(c, true); })});
  specs.push_back(
      {.name = "tokenize_text",
       .description = "Split text into the model's token ids",
       .input_schema = schema({{"text", {{"type", "string"}}}, {"model", {{"type", "string"}}}}, {"text"}),
       .annotations = {.read_only_hint = true},
       .handler = sync_tool([models](ToolContext& c) -> Result<ToolResult> {
         WOOLLY_ASSIGN_OR_RETURN(auto ids, models->tokenize(string_arg(c.arguments(), "model"),
                                                            string_arg(c.arguments(), "text")));
         json::array arr;
         for (int32_t id : ids) arr.emplace_back(id);
         return json_result({{"tokens", std::move(arr)}, {"count", static_cast<int64_t>(ids.size())}});
       })});
  specs.push_back(
      {.name = "embed",
       .description = "Embedding vector of a text",
       .input_schema = schema({{"text", {{"type", "string"}}}, {"model", {{"type", "string"}}}}, {"text"}),
       .annotations = {.read_only_hint = true},
       .handler = sync_tool([models](ToolContext& c) -> Result<ToolResult> {
         WOOLLY_ASSIGN_OR_RETURN(auto vec, models->embed(string_arg(c.arguments(), "model"),
                                                         string_arg(c.arguments(), "text"),
                                                         c.caller()));
         json::array arr;
         for (float f : vec) arr.emplace_back(f);
         return json_result({{"embedding", std::move(arr)}, {"dimensions", static_cast<int64_t>(vec.size())}});
       })});
  specs.push_back({.name = "get_model_info",
                   .description = "Metadata of a model (the default model when none is named)",
                   .input_schema = schema(model_only),
                   .annotations = {.read_only_hint = true},
                   .handler = sync_tool([models](ToolContext& c) -> Result<ToolResult> {
                     WOOLLY_ASSIGN_OR_RETURN(auto m,
                                             models->model_info(string_arg(c.arguments(), "model")));
                     return json_result(model_json(m));
                   })});
  specs.push_back({.name = "list_models",
                   .description = "The models this server offers",
                   .annotations = {.read_only_hint = true},
                   .handler = sync_tool([models](ToolContext&) -> Result<ToolResult> {
                     json::array arr;
                     for (const ModelSummary& m : models->list_models()) arr.push_back(model_json(m));
                     return json_result({{"models", std::move(arr)}});
                   })});
  specs.push_back({.name = "set_generation_params",
                   .description = "Set default sampling parameters for later generate_text/chat calls "
                                  "of this MCP session",
                   .input_schema = schema(set_props),
                   .handler = sync_tool([this](ToolContext& c) { return set_defaults(c); })});
  specs.push_back({.name = "get_server_status",
                   .description = "Uptime, connections, statistics and a configuration summary",
                   .annotations = {.read_only_hint = true},
                   .handler = sync_tool([this](ToolContext&) -> Result<ToolResult> {
                     return json_result(options_.status ? options_.status() : json::object{});
                   })});
  for (ToolSpec& s : specs) WOOLLY_TRY(tools.add(std::move(s)));
  resources.add_provider(std::make_shared<ModelResources>(models));
  return {};
}

}  // namespace woolly::mcp::tools
