// The woolly-server command line (CLI11). `woolly-server` with no subcommand serves, like
// `woolly-server serve`. Global flags (--config, --bind, --log-level, --set KEY=VALUE, --version,
// --help) may come before or after the subcommand.
//
// Each subcommand lives in src/app/cmd_<name>.cpp and exposes `void add_<name>_command(CLI::App&)`;
// the build lists those files and add_all_commands() calls every adder (no static registration,
// which static libraries would drop). A command reports failure with `throw CLI::RuntimeError(rc)`
// after printing its own message to stderr; CLI11 validation errors are printed by run_cli.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>

#include "common/result.h"
#include "config/config.h"

namespace CLI {
class App;
}

namespace woolly::app {

// Runs the server with a loaded, validated configuration; returns the exit code.
using ServeFn = std::function<int(const config::Config&)>;

// Parses argv, runs the chosen command and returns the process exit code: 0 on success, 1 for a
// bad command line or configuration (printed to stderr), or what the command returned.
int run_cli(int argc, const char* const* argv, const ServeFn& serve);

// Calls add_<name>_command for every src/app/cmd_<name>.cpp.
void add_all_commands(CLI::App& app);

// The subcommand `name` of `app`, created (requiring one subcommand of its own) when no other
// command file made it yet: how several files add to one group (`mcp stdio`, `mcp client`).
CLI::App& command_group(CLI::App& app, const std::string& name, const std::string& description);

// The configuration a command should use: defaults < config file (--config FILE, else
// config.toml or config.json in the working directory) < WOOLLY_* variables < --bind,
// --log-level and --set flags of the root app `command` belongs to. Validated.
Result<config::Config> effective_config(const CLI::App& command);

// Loads the effective configuration, starts logging and calls `serve`: the whole of `serve`.
int serve_command(const CLI::App& command, const ServeFn& serve);

// `woolly-server validate FILE`: prints "valid" to `out` and returns 0, or every problem as
// `key: reason` to `err` and returns 1.
int validate_file(const std::string& path, std::ostream& out, std::ostream& err);

// `woolly-server config --output FILE`: writes the commented default TOML; 1 on I/O errors.
int write_default_config(const std::string& path, std::ostream& err);

// Prints a configuration error: "woolly-server: invalid configuration" and one problem per line.
void print_config_error(const Error& error, std::ostream& err);

}  // namespace woolly::app
