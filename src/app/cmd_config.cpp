// `woolly-server config`: write the commented default configuration, or show the effective one.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "app/cli.h"
#include "config/render.h"

namespace woolly::app {

int write_default_config(const std::string& path, std::ostream& err) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out << config::default_toml();
  out.close();
  if (!out) {
    err << "woolly-server: cannot write " << path << "\n";
    return 1;
  }
  return 0;
}

void add_config_command(CLI::App& app) {
  struct Options {
    std::string output;
    bool effective = false;
    bool json = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "config", "Print the default configuration (every key, commented), or write it to a file");
  cmd->add_option("-o,--output", opts->output, "Write to FILE instead of standard output");
  cmd->add_flag("--effective", opts->effective,
                "Print the configuration in effect (file, WOOLLY_* variables and flags), secrets "
                "as ***");
  cmd->add_flag("--json", opts->json, "With --effective: print it as one JSON object");
  cmd->callback([cmd, opts] {
    if (opts->effective) {
      Result<config::Config> c = effective_config(*cmd);
      if (!c.ok()) {
        print_config_error(c.error(), std::cerr);
        throw CLI::RuntimeError(1);
      }
      std::cout << (opts->json ? config::redacted_json(*c) + "\n" : config::redacted_toml(*c));
      return;
    }
    if (opts->output.empty()) {
      std::cout << config::default_toml();
      return;
    }
    if (int rc = write_default_config(opts->output, std::cerr); rc != 0) {
      throw CLI::RuntimeError(rc);
    }
  });
}

}  // namespace woolly::app
