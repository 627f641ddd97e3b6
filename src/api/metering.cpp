#include "api/metering.h"

#include "api/auth_routes.h"
#include "api/detail/metered_backend.h"
#include "api/serving.h"

namespace woolly::api {

Metering::Metering(MeteringOptions options)
    : options_(std::move(options)), credits_(*options_.store, options_.prices) {}

limits::Payer Metering::payer_of(const auth::Identity& who) {
  limits::Payer p;
  // Identity::payer() would bill an anonymous caller to its tenant's own account; the
  // anonymous callers of a tenant share an account of their own instead.
  p.principal = who.authenticated ? who.payer() : store::Principal{who.tenant_id, "anonymous"};
  p.user_id = who.user_id;
  p.api_key_id = who.key_id;
  return p;
}

std::shared_ptr<backends::Backend> Metering::wrap(std::shared_ptr<backends::Backend> inner,
                                                  const auth::Identity& who, std::string model) {
  detail::MeterPlan plan;
  plan.payer = payer_of(who);
  plan.model = std::move(model);
  plan.backend = inner->type();
  plan.bucket_key = "tok:" + who.bucket_key();
  plan.tokens_per_minute = who.tpm.value_or(options_.tokens_per_minute);
  return std::make_shared<detail::MeteredBackend>(std::move(inner), shared_from_this(),
                                                  std::move(plan));
}

Status model_allowed(const ServingContext& ctx, const net::Request& req, std::string_view model) {
  auto who = identity_of(req);
  if (!who || who->allowed_models.empty()) return {};
  std::string name = ctx.model_name ? ctx.model_name(model) : std::string(model);
  if (who->may_use_model(name)) return {};
  return make_error(Errc::kPermissionDenied,
                    "this API key may not use the model " + (name.empty() ? "(default)" : name));
}

Result<std::shared_ptr<backends::Backend>> resolve_for(const ServingContext& ctx,
                                                       const net::Request& req,
                                                       std::string_view model) {
  WOOLLY_TRY(model_allowed(ctx, req, model));
  WOOLLY_ASSIGN_OR_RETURN(auto backend, ctx.resolve(model));
  return metered(ctx, req, model, std::move(backend));
}

std::shared_ptr<backends::Backend> metered(const ServingContext& ctx, const net::Request& req,
                                           std::string_view model,
                                           std::shared_ptr<backends::Backend> backend) {
  if (!ctx.metering) return backend;
  // No identity: the route is public or no auth hook is installed; nobody to charge.
  auto who = identity_of(req);
  if (!who) return backend;
  std::string name = ctx.model_name ? ctx.model_name(model) : std::string(model);
  return ctx.metering->wrap(std::move(backend), *who, std::move(name));
}

}  // namespace woolly::api
