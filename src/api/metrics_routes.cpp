// GET /metrics: the registry in the Prometheus text exposition format.
#include "api/status_context.h"
#include "obs/metrics/registry.h"

namespace woolly::api {

Status install_metrics_routes(net::Router& router, std::shared_ptr<StatusContext> ctx) {
  net::RouteMeta meta;
  meta.public_access = true;
  meta.access_log = false;  // scraped every few seconds
  return router.get("/metrics", [ctx](const net::Request&) {
    std::string text = ctx->metrics() ? ctx->metrics()->render() : std::string();
    return net::Response::text(200, std::move(text), "text/plain; version=0.0.4; charset=utf-8");
  }, meta);
}

}  // namespace woolly::api
