#include "app/detail/mcp_surface.h"

#include <boost/json.hpp>

#include "app/detail/model_access.h"
#include "auth/identity.h"
#include "config/render.h"
#include "mcp/transport/rest_mirror.h"

namespace woolly::app::detail {

namespace json = boost::json;

void McpSurface::end_streams() {
  if (service) service->server().end_subscriptions();
  if (http) http->end_get_streams();
}

void McpSurface::stop_transports() {
  if (service) service->server().end_subscriptions();
  ws.reset();
  http.reset();
}

namespace {

// Model changes reach MCP clients: adding or removing a model changes the woolly://models/{name}
// list (resources/list_changed), and every change (loaded/unloaded too) changes that model's
// metadata (resources/updated to its subscribers). Tool metadata does not depend on the models
// (the `model` argument is free text), so tools/list_changed is not sent.
void watch_models(McpSurface& mcp, const std::shared_ptr<backends::ModelRegistry>& registry) {
  mcp::Service* service = mcp.service.get();
  const int id = registry->add_observer([service](backends::ModelEvent event,
                                                  const std::string& name) {
    if (event == backends::ModelEvent::kAdded || event == backends::ModelEvent::kRemoved) {
      service->resources().notify_list_changed();
    }
    service->server().notify_resource_updated(mcp::tools::model_uri(name));
  });
  // A null pointer with a deleter: the deleter runs when the last owner goes.
  mcp.model_watch = std::shared_ptr<void>(nullptr, [registry, id](void*) {
    registry->remove_observer(id);
  });
}

}  // namespace

Result<McpSurface> mount_mcp_server(const config::Config& config,
                             const std::shared_ptr<backends::ModelRegistry>& registry,
                             const std::shared_ptr<api::StatusContext>& status,
                             agent::McpHost* host, obs::Registry* metrics,
                             net::Router& router, std::shared_ptr<api::Metering> metering) {
  McpSurface mcp;
  mcp::ServiceOptions so;
  so.server.name = config.mcp.server_info.name;
  so.server.version = config.mcp.server_info.version;
  so.resource_roots = config.mcp.resource_roots;
  so.prompts_dir = config.mcp.prompts_dir;
  so.enable_test_fixtures = config.mcp.enable_test_fixtures;
  so.server.metrics = metrics;
  WOOLLY_ASSIGN_OR_RETURN(mcp.service, mcp::Service::create(std::move(so)));
  const mcp::Server* mcp_server = &mcp.service->server();  // outlives the tools (McpSurface order)

  mcp::tools::BuiltinToolsOptions to;
  // generate_text, chat and embed are charged like the HTTP surfaces.
  to.models = std::make_shared<RegistryModelAccess>(registry, std::move(metering));
  to.status = [status, mcp_server, summary = config::redacted_json(config)] {
    json::object o;
    const net::ServerStats st = status->server_stats();
    o["uptime_seconds"] = status->uptime_seconds();
    o["connections"] = json::object{{"open", st.open_connections},
                                    {"total", st.total_connections},
                                    {"websocket", st.ws_connections}};
    o["requests"] = json::object{{"total", st.total_requests}, {"in_flight", st.in_flight_requests}};
    o["mcp"] = mcp::to_json(mcp_server->stats());
    o["configuration"] = json::parse(summary);
    return o;
  };
  mcp.tools = std::make_unique<mcp::tools::BuiltinTools>(std::move(to));
  WOOLLY_TRY(mcp.tools->register_all(mcp.service->tools(), mcp.service->resources()));
  if (host) {
    mcp.gateway = std::make_unique<agent::Gateway>(*host, mcp.service->tools(),
                                                   &mcp.service->resources(),
                                                   &mcp.service->prompts());
    // A re-exported tool is called only within the API key's allowed tools (empty = all).
    mcp.gateway->set_caller_filter([](const std::shared_ptr<const void>& caller) {
      auto who = std::static_pointer_cast<const auth::Identity>(caller);
      return who && !who->allowed_tools.empty() ? agent::ToolFilter(who->allowed_tools)
                                                : agent::ToolFilter();
    });
  }
  watch_models(mcp, registry);

  net::RouteMeta meta;
  meta.scope = "mcp";
  mcp::transport::StreamableHttpOptions ho;
  ho.allowed_origins = config.cors.allowed_origins;
  ho.meta = meta;
  mcp.http = std::make_unique<mcp::transport::StreamableHttp>(mcp.service->server(), ho);
  WOOLLY_TRY(mcp.http->mount(router));
  mcp::transport::WebSocketOptions wo;
  wo.max_connections = config.mcp.max_ws_connections;
  wo.max_message_size = static_cast<uint64_t>(config.mcp.max_message_size);
  wo.meta = meta;
  mcp.ws = std::make_unique<mcp::transport::WebSocketTransport>(mcp.service->server(), wo);
  WOOLLY_TRY(mcp.ws->mount(router));
  mcp::transport::RestMirrorOptions ro;
  ro.meta = meta;
  WOOLLY_TRY(mcp::transport::mount_rest_mirror(router, mcp.service->tools(),
                                               mcp.service->resources(),
                                               mcp.service->prompts(), ro));
  return mcp;
}


}  // namespace woolly::app::detail
