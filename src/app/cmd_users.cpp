// `woolly-server users create|list|delete`: users of a tenant in the configured store. Chat
// sessions belong to a user, so a caller needs a key bound to one (`keys create --user <id>`).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "app/cli.h"
#include "app/detail/store_command.h"
#include "app/detail/store_stage.h"
#include "store/store.h"

namespace woolly::app {
namespace {

struct UsersOptions {
  std::string tenant = "default";
  std::string name;
  std::string email;
  std::string role = "user";
  int64_t user_id = 0;
};

using detail::fail;
using detail::must;

void run_users(const CLI::App& cmd, const std::string& action, const UsersOptions& o) {
  config::Config c = must(effective_config(cmd));
  std::unique_ptr<store::Store> s = must(detail::open_store(c, 1));
  // Only `create` may bring a tenant into being; listing or deleting in a misspelt tenant is an
  // error rather than an empty answer.
  store::Tenant tenant =
      must(action == "create" ? detail::tenant_named(*s, o.tenant) : s->find_tenant(o.tenant));
  if (action == "create") {
    store::User u;
    u.tenant_id = tenant.id;
    u.name = o.name;
    u.email = o.email;
    u.role = o.role;
    auto made_or = s->create_user(u);
    if (!made_or.ok() && made_or.error().code == Errc::kAlreadyExists) {
      fail(Error(Errc::kAlreadyExists,
                 "a user named " + o.name + " already exists in tenant " + tenant.name));
    }
    store::User made = must(std::move(made_or));
    std::cout << "id:     " << made.id << "\ntenant: " << tenant.name << " (" << tenant.id
              << ")\nname:   " << made.name << "\n";
  } else if (action == "list") {
    store::PageRequest page;
    page.limit = store::kMaxPageSize;
    for (const auto& u : must(s->list_users(tenant.id, page))) {
      std::cout << u.id << "\t" << u.name << "\t" << (u.email.empty() ? "-" : u.email) << "\t"
                << u.role << "\n";
    }
  } else {
    // Deleting a user deletes its keys and sessions with it (the store's foreign keys cascade).
    Status st = s->delete_user(tenant.id, o.user_id);
    if (!st.ok()) fail(st.error());
    std::cout << "deleted user " << o.user_id << "\n";
  }
}

}  // namespace

void add_users_command(CLI::App& app) {
  CLI::App* users = app.add_subcommand("users", "Create, list and delete users in the store");
  users->require_subcommand(1);
  auto opts = std::make_shared<UsersOptions>();
  CLI::App* create = users->add_subcommand("create", "Create a user and print its id");
  create->add_option("--name", opts->name, "User name, unique in the tenant")->required();
  create->add_option("--email", opts->email, "E-mail address (optional)");
  create->add_option("--role", opts->role, "Role label (default: user)");
  create->add_option("--tenant", opts->tenant, "Tenant name (created if missing)");
  CLI::App* list = users->add_subcommand("list", "List the users of a tenant");
  list->add_option("--tenant", opts->tenant, "Tenant name");
  CLI::App* del = users->add_subcommand("delete", "Delete a user with its keys and sessions");
  del->add_option("id", opts->user_id, "User id")->required();
  del->add_option("--tenant", opts->tenant, "Tenant name");
  for (CLI::App* sub : {create, list, del}) {
    sub->callback([sub, opts] { run_users(*sub, sub->get_name(), *opts); });
  }
}

}  // namespace woolly::app
