// `woolly-server mcp stdio`: serves MCP as newline-delimited JSON-RPC on stdin/stdout until stdin
// closes. stdout carries nothing but protocol lines, so every log line goes to stderr.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/cli.h"
#include "app/detail/model_access.h"
#include "app/detail/models_stage.h"
#include "mcp/service.h"
#include "mcp/tools/builtin_tools.h"

namespace woolly::app {

namespace {

int run_mcp_stdio(const CLI::App& command) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("mcp-stdio"));
  Result<config::Config> config = effective_config(command);
  if (!config.ok()) {
    print_config_error(config.error(), std::cerr);
    return 1;
  }
  const config::McpConfig& mc = config->mcp;
  mcp::ServiceOptions options;
  options.server.name = mc.server_info.name;
  options.server.version = mc.server_info.version;
  options.resource_roots = mc.resource_roots;
  options.prompts_dir = mc.prompts_dir;
  options.enable_test_fixtures = mc.enable_test_fixtures;
  auto service = mcp::Service::create(std::move(options));
  if (!service.ok()) {
    spdlog::error("mcp stdio: {}", service.error().message);
    return 1;
  }
  // The built-in tools run on the same model registry as `serve` (the demo model when none is
  // configured).
  bool demo = false;
  auto models = detail::start_models(*config, &demo);
  if (!models.ok()) {
    spdlog::error("mcp stdio: models: {}", models.error().message);
    return 1;
  }
  if (demo) spdlog::warn("mcp stdio: no model configured: the demo model writes random text");
  mcp::tools::BuiltinToolsOptions tool_options;
  tool_options.models = std::make_shared<detail::RegistryModelAccess>(*models);
  tool_options.status = [server = &(*service)->server()] {
    return boost::json::object{{"mcp", mcp::to_json(server->stats())}};
  };
  mcp::tools::BuiltinTools builtin(std::move(tool_options));
  if (Status st = builtin.register_all((*service)->tools(), (*service)->resources()); !st.ok()) {
    spdlog::error("mcp stdio: {}", st.error().message);
    return 1;
  }
  spdlog::info("mcp stdio: serving on stdin/stdout");
  return mcp::serve_stdio(**service);
}

}  // namespace

void add_mcp_command(CLI::App& app) {
  CLI::App* mcp =
      &command_group(app, "mcp", "Model Context Protocol: serve it, or connect to a server");
  CLI::App* stdio = mcp->add_subcommand("stdio", "Serve MCP over stdin/stdout (logs on stderr)");
  stdio->callback([stdio] {
    int rc = run_mcp_stdio(*stdio);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace woolly::app
