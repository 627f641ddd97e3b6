#include "mcp/transport/rest_mirror.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "mcp/tool_context.h"

namespace woolly::mcp::transport {
namespace {

using net::Request;
using net::Responder;
using net::Response;

Result<json::object> body_object(const Request& req) {
  if (req.body.empty()) return json::object{};
  boost::system::error_code ec;
  json::value v = json::parse(req.body, ec);
  if (ec || !v.is_object()) return make_error(Errc::kInvalidArgument, "the body must be a JSON object");
  return std::move(v.as_object());
}

void call_tool(ToolRegistry& tools, Request req, Responder res) {
  auto entry = tools.find(req.param("name"));
  if (!entry) return res.send_error(make_error(Errc::kNotFound, "no tool " + std::string(req.param("name"))));
  auto args = body_object(req);
  if (!args.ok()) return res.send_error(args.error());
  if (auto bad = entry->input.validate(*args)) {
    return res.send_error(make_error(Errc::kInvalidArgument,
                                     "invalid arguments at '" + bad->path + "': " + bad->reason));
  }
  auto responder = std::make_shared<Responder>(std::move(res));
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  responder->on_cancel([cancel] { cancel->store(true); });
  ToolContext::Hooks hooks;
  hooks.notify = [](json::object) {};  // no progress channel over plain REST
  hooks.finish = [responder](ToolResult r) {
    responder->send(Response::json(200, json::serialize(r.to_json())));
  };
  hooks.request = [](std::string, json::object, ClientReply done) {
    done(make_error(Errc::kUnsupported, "the REST mirror cannot answer client requests"));
  };
  auto ctx = std::make_shared<ToolContext>(entry->spec.name, std::move(*args), nullptr,
                                           std::nullopt, cancel, std::move(hooks));
  if (req.principal) ctx->set_caller(req.principal->detail);
  try {
    entry->spec.handler(ctx);
  } catch (const std::exception& e) {
    ctx->fail(std::string("tool failed: ") + e.what());
  }
}

Response read_resource(ResourceRegistry& resources, const Request& req) {
  std::string uri(req.param("path"));
  if (auto q = req.query_param("uri")) uri = std::string(*q);
  auto contents = resources.read(uri);
  if (!contents.ok()) {
    Error e = contents.error();
    return Response::json(e.code == Errc::kNotFound ? 404 : 400,
                          json::serialize(json::object{{"error", {{"message", e.message}}}}));
  }
  json::array arr;
  for (const ResourceContents& c : *contents) arr.push_back(c.to_json());
  return Response::json(200, json::serialize(json::object{{"contents", std::move(arr)}}));
}

Response get_prompt(PromptRegistry& prompts, const Request& req) {
  auto args = body_object(req);
  PromptArgs pa;
  if (args.ok()) {
    for (const auto& [k, v] : *args) {
      if (v.is_string()) pa.emplace(std::string(k), std::string(v.as_string()));
    }
  }
  auto r = prompts.get(req.param("name"), pa);
  if (!args.ok() || !r.ok()) {
    const Error& e = args.ok() ? r.error() : args.error();
    return Response::json(e.code == Errc::kNotFound ? 404 : 400,
                          json::serialize(json::object{{"error", {{"message", e.message}}}}));
  }
  json::array msgs;
  for (const PromptMessage& m : r->messages) msgs.push_back({{"role", m.role}, {"content", m.content}});
  return Response::json(200, json::serialize(json::object{{"description", r->description},
                                                          {"messages", std::move(msgs)}}));
}

}  // namespace

Status mount_rest_mirror(net::Router& router, ToolRegistry& tools, ResourceRegistry& resources,
                         PromptRegistry& prompts, RestMirrorOptions options) {
  const std::string& p = options.prefix;
  const net::RouteMeta& meta = options.meta;
  WOOLLY_TRY(router.get(p + "/tools", [&tools](const Request&) {
    json::array arr;
    for (const auto& e : tools.list()) arr.push_back(e->listing);
    return Response::json(200, json::serialize(json::object{{"tools", std::move(arr)}}));
  }, meta));
  WOOLLY_TRY(router.add(net::Method::kPost, p + "/tools/:name",
                        [&tools](Request req, Responder res) {
                          call_tool(tools, std::move(req), std::move(res));
                        },
                        meta));
  WOOLLY_TRY(router.get(p + "/resources", [&resources](const Request&) {
    json::array list, templates;
    for (const ResourceInfo& r : resources.list()) list.push_back(r.to_json());
    for (const ResourceTemplateInfo& t : resources.templates()) templates.push_back(t.to_json());
    return Response::json(200, json::serialize(json::object{{"resources", std::move(list)},
                                                            {"resourceTemplates", std::move(templates)}}));
  }, meta));
  WOOLLY_TRY(router.get(p + "/resources/*path",
                        [&resources](const Request& req) { return read_resource(resources, req); }, meta));
  WOOLLY_TRY(router.get(p + "/prompts", [&prompts](const Request&) {
    json::array arr;
    for (const auto& s : prompts.list()) {
      json::array args;
      for (const PromptArgument& a : s->arguments) {
        args.push_back({{"name", a.name}, {"description", a.description}, {"required", a.required}});
      }
      arr.push_back({{"name", s->name}, {"description", s->description}, {"arguments", std::move(args)}});
    }
    return Response::json(200, json::serialize(json::object{{"prompts", std::move(arr)}}));
  }, meta));
  WOOLLY_TRY(router.post(p + "/prompts/:name",
                         [&prompts](const Request& req) { return get_prompt(prompts, req); }, meta));
  return {};
}

}  // namespace woolly::mcp::transport
