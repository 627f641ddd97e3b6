// `woolly-server keys create|list|revoke`: API keys in the configured store. The secret of a new
// key is printed once; the store keeps only its salted hash.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/detail/store_command.h"
#include "app/detail/store_stage.h"
#include "store/store.h"

namespace woolly::app {
namespace {

struct KeysOptions {
  std::string tenant = "default";
  std::string name;
  std::vector<std::string> scopes;
  int64_t user_id = 0;
  int64_t rpm = 0;
  int64_t tpm = 0;
  int64_t budget = 0;
  std::vector<std::string> models;
  std::vector<std::string> tools;
  int64_t key_id = 0;
};

using detail::fail;
using detail::must;
using detail::tenant_named;

void run_keys(const CLI::App& cmd, const std::string& action, const KeysOptions& o) {
  config::Config c = must(effective_config(cmd));
  std::unique_ptr<store::Store> s = must(detail::open_store(c, 1));
  store::Tenant tenant = must(tenant_named(*s, o.tenant));
  if (action == "create") {
    store::ApiKeySpec spec;
    spec.tenant_id = tenant.id;
    spec.name = o.name;
    spec.scopes = o.scopes.empty() ? std::vector<std::string>{"inference"} : o.scopes;
    if (o.user_id > 0) spec.user_id = o.user_id;
    if (o.rpm > 0) spec.rpm = o.rpm;
    if (o.tpm > 0) spec.tpm = o.tpm;
    if (o.budget > 0) spec.budget = o.budget;
    spec.allowed_models = o.models;
    spec.allowed_tools = o.tools;
    store::CreatedApiKey k = must(s->create_api_key(spec));
    std::cout << "id:     " << k.key.id << "\ntenant: " << tenant.name << " (" << tenant.id
              << ")\nkey:    " << k.secret << "\n(the key is shown only this once)\n";
  } else if (action == "list") {
    store::PageRequest page;
    page.limit = store::kMaxPageSize;
    for (const auto& k : must(s->list_api_keys(tenant.id, page))) {
      std::string scopes;
      for (const auto& sc : k.spec.scopes) scopes += (scopes.empty() ? "" : ",") + sc;
      std::cout << k.id << "\t" << k.prefix << "\t" << (k.spec.name.empty() ? "-" : k.spec.name)
                << "\t" << scopes << "\t" << (k.revoked_at ? "revoked" : "active") << "\tspent "
                << k.spent;
      if (k.spec.budget) std::cout << " of " << *k.spec.budget;
      std::cout << "\n";
    }
  } else {
    Status st = s->revoke_api_key(tenant.id, o.key_id);
    if (!st.ok()) fail(st.error());
    std::cout << "revoked key " << o.key_id << "\n";
  }
}

}  // namespace

void add_keys_command(CLI::App& app) {
  CLI::App* keys = app.add_subcommand("keys", "Create, list and revoke API keys in the store");
  keys->require_subcommand(1);
  auto opts = std::make_shared<KeysOptions>();
  CLI::App* create = keys->add_subcommand("create", "Create a key and print it (once)");
  create->add_option("--tenant", opts->tenant, "Tenant name (created if missing)");
  create->add_option("--name", opts->name, "A label for the key");
  create->add_option("--scope", opts->scopes,
                     "Scope (repeatable): inference, models:read, models:admin, sessions, mcp, admin");
  create->add_option("--user", opts->user_id, "User id the key belongs to");
  create->add_option("--rpm", opts->rpm, "Requests per minute for this key");
  create->add_option("--tpm", opts->tpm, "Tokens per minute for this key");
  create->add_option("--budget", opts->budget, "Spending cap in micro-credits");
  create->add_option("--model", opts->models, "Allowed model (repeatable; none = all)");
  create->add_option("--tool", opts->tools, "Allowed tool (repeatable; none = all)");
  CLI::App* list = keys->add_subcommand("list", "List the keys of a tenant");
  list->add_option("--tenant", opts->tenant, "Tenant name");
  CLI::App* revoke = keys->add_subcommand("revoke", "Revoke a key");
  revoke->add_option("id", opts->key_id, "Key id")->required();
  revoke->add_option("--tenant", opts->tenant, "Tenant name");
  for (CLI::App* sub : {create, list, revoke}) {
    sub->callback([sub, opts] { run_keys(*sub, sub->get_name(), *opts); });
  }
}

}  // namespace woolly::app
