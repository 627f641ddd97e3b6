// `woolly-server validate FILE`: check a configuration file without starting anything.
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/cli.h"
#include "config/loader.h"
#include "config/validate.h"

namespace woolly::app {

int validate_file(const std::string& path, std::ostream& out, std::ostream& err) {
  Result<config::Config> c = config::load_file(path);
  if (!c.ok()) {
    err << c.error().message << "\n";
    return 1;
  }
  std::vector<std::string> problems = config::validate(*c);
  if (problems.empty()) {
    out << "valid\n";
    return 0;
  }
  for (const std::string& p : problems) err << p << "\n";
  return 1;
}

void add_validate_command(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "validate", "Check a configuration file: print \"valid\", or every problem as key: reason");
  cmd->add_option("FILE", *path, "config.toml or config.json to check")->required();
  cmd->callback([path] {
    if (int rc = validate_file(*path, std::cout, std::cerr); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace woolly::app
