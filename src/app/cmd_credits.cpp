// `woolly-server credits grant|balance`: the credit ledger of a principal ("tenant", "user:3",
// "key:7") inside a tenant, in the configured store.
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "app/cli.h"
#include "app/detail/store_stage.h"
#include "store/store.h"

namespace woolly::app {
namespace {

struct CreditsOptions {
  std::string tenant = "default";
  std::string principal;
  double amount = 0;
  std::string note;
};

[[noreturn]] void fail(const Error& e) {
  std::cerr << "error: " << e.message << "\n";
  throw CLI::RuntimeError(1);
}

std::string credits_text(store::Micros m) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", static_cast<double>(m) / 1e6);
  return buf;
}

void run_credits(const CLI::App& cmd, bool grant, const CreditsOptions& o) {
  auto c = effective_config(cmd);
  if (!c.ok()) fail(c.error());
  auto s = detail::open_store(*c, 1);
  if (!s.ok()) fail(s.error());
  auto tenant = (*s)->find_tenant(o.tenant);
  if (!tenant.ok() && grant && tenant.error().code == Errc::kNotFound) {
    tenant = (*s)->create_tenant(o.tenant);
  }
  if (!tenant.ok()) fail(tenant.error());
  store::Principal who{tenant->id, o.principal};
  Result<store::CreditBalance> b = store::CreditBalance{};
  if (grant) {
    if (!(o.amount > 0)) fail(Error(Errc::kInvalidArgument, "amount must be positive"));
    b = (*s)->grant(who, static_cast<store::Micros>(std::llround(o.amount * 1e6)), o.note);
  } else {
    b = (*s)->balance(who);
  }
  if (!b.ok()) fail(b.error());
  std::cout << o.principal << " in " << tenant->name << ": balance " << credits_text(b->balance)
            << ", reserved " << credits_text(b->reserved) << ", available "
            << credits_text(b->available()) << " credits\n";
}

}  // namespace

void add_credits_command(CLI::App& app) {
  CLI::App* credits = app.add_subcommand("credits", "Grant credits and show balances");
  credits->require_subcommand(1);
  auto opts = std::make_shared<CreditsOptions>();
  CLI::App* grant = credits->add_subcommand("grant", "Grant credits to a principal");
  grant->add_option("principal", opts->principal, "tenant | user:<id> | key:<id>")->required();
  grant->add_option("amount", opts->amount, "Credits to add")->required();
  grant->add_option("--note", opts->note, "Ledger note");
  grant->add_option("--tenant", opts->tenant, "Tenant name (created if missing)");
  grant->callback([grant, opts] { run_credits(*grant, true, *opts); });
  CLI::App* balance = credits->add_subcommand("balance", "Show a principal's balance");
  balance->add_option("principal", opts->principal, "tenant | user:<id> | key:<id>")->required();
  balance->add_option("--tenant", opts->tenant, "Tenant name");
  balance->callback([balance, opts] { run_credits(*balance, false, *opts); });
}

}  // namespace woolly::app
