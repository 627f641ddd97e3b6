// `woolly-server mcp client TARGET...`: connects to an MCP server with Woolly's own client, prints
// what it offers and optionally calls one tool. TARGET is the URL of a Streamable HTTP endpoint,
// or (after `--`) a command that serves MCP on stdio. Handy to check a server before listing it
// in mcp.servers, and the client command the MCP conformance suite runs (client mode).
//
//   woolly-server mcp client http://127.0.0.1:3001/mcp
//   woolly-server mcp client --call echo --args '{"message":"hi"}' http://127.0.0.1:3001/mcp
//   woolly-server mcp client --header "Authorization: Bearer $TOKEN" https://example.com/mcp
//   woolly-server mcp client -- npx -y @modelcontextprotocol/server-everything
//
// Output on stdout: the server, its tools, then the call's result as JSON. Exit code 0, 1 when
// connecting or the call failed, 2 when the tool reported an error (isError).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>

#include "app/cli.h"
#include "mcp/child_process.h"
#include "mcp/transport/http_client_transport.h"

namespace woolly::app {

namespace {

namespace json = boost::json;

struct McpClientOptions {
  std::vector<std::string> target;
  std::string call;
  std::string args = "{}";
  std::vector<std::string> headers;
  bool accept_elicitation = false;
  bool legacy = false;
  double timeout = 60;
};

// Answers an elicitation/create the way a user pressing "accept" on an untouched form would:
// every field the requested schema gives a default gets that default.
json::object accept_with_defaults(const json::object& params) {
  json::object content;
  const json::value* schema = params.if_contains("requestedSchema");
  const json::value* props =
      schema && schema->is_object() ? schema->as_object().if_contains("properties") : nullptr;
  if (props && props->is_object()) {
    for (const auto& [name, spec] : props->as_object()) {
      if (!spec.is_object()) continue;
      if (const json::value* d = spec.as_object().if_contains("default")) content[name] = *d;
    }
  }
  return json::object{{"action", "accept"}, {"content", std::move(content)}};
}

Result<std::unique_ptr<mcp::Connection>> open_connection(const McpClientOptions& o,
                                                         mcp::ClientOptions client) {
  const std::string& first = o.target.front();
  if (first.starts_with("http://") || first.starts_with("https://")) {
    if (o.target.size() > 1) {
      return make_error(Errc::kInvalidArgument, "give either one URL or a command to run");
    }
    mcp::transport::HttpClientOptions http;
    http.url = first;
    for (const std::string& h : o.headers) {
      size_t colon = h.find(':');
      if (colon == std::string::npos || colon == 0) {
        return make_error(Errc::kInvalidArgument, "--header wants \"Name: value\", got: " + h);
      }
      std::string value = h.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      http.headers[h.substr(0, colon)] = value;
    }
    WOOLLY_ASSIGN_OR_RETURN(
        auto conn, mcp::transport::HttpClientConnection::open(std::move(http), std::move(client)));
    return std::unique_ptr<mcp::Connection>(std::move(conn));
  }
  if (!o.headers.empty()) return make_error(Errc::kInvalidArgument, "--header needs a URL");
  mcp::ChildOptions child;
  child.command = first;
  child.args.assign(o.target.begin() + 1, o.target.end());
  child.on_stderr_line = [](std::string_view line) { spdlog::info("server stderr: {}", line); };
  WOOLLY_ASSIGN_OR_RETURN(auto conn, mcp::StdioClient::launch(std::move(child), std::move(client)));
  return std::unique_ptr<mcp::Connection>(std::move(conn));
}

std::string text_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

int run_mcp_client(const McpClientOptions& o) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("mcp-client"));
  json::error_code ec;
  json::value args = json::parse(o.args, ec);
  if (ec || !args.is_object()) {
    std::cerr << "error: --args must be a JSON object\n";
    return 1;
  }
  mcp::ClientOptions client;
  client.name = "woolly-mcp-client";
  client.try_modern = !o.legacy;
  client.request_timeout = std::chrono::milliseconds(static_cast<int64_t>(o.timeout * 1000));
  if (o.accept_elicitation) {
    client.extra_capabilities["elicitation"] = json::object{};
    client.request_handler = [](const std::string& method,
                                const json::object& params) -> Result<json::object> {
      if (method == "elicitation/create") return accept_with_defaults(params);
      return make_error(Errc::kUnsupported, "woolly mcp client does not answer " + method);
    };
  }
  auto conn = open_connection(o, std::move(client));
  if (!conn.ok()) {
    std::cerr << "error: " << conn.error().message << "\n";
    return 1;
  }
  mcp::Client& c = (*conn)->client();
  auto server = c.connect();
  if (!server.ok()) {
    std::cerr << "error: connecting failed: " << server.error().message << "\n";
    return 1;
  }
  std::cout << "server: " << text_of(server->server_info, "name") << " "
            << text_of(server->server_info, "version") << " (protocol " << server->protocol_version
            << ")\n";
  auto tools = c.list_tools();
  if (!tools.ok()) {
    std::cerr << "error: tools/list failed: " << tools.error().message << "\n";
    return 1;
  }
  std::cout << "tools (" << tools->size() << "):\n";
  for (const json::object& t : *tools) {
    std::cout << "  " << text_of(t, "name");
    if (std::string d = text_of(t, "description"); !d.empty()) std::cout << " - " << d;
    std::cout << "\n";
  }
  if (o.call.empty()) return 0;
  auto result = c.call_tool(o.call, std::move(args.as_object()));
  if (!result.ok()) {
    std::cerr << "error: calling " << o.call << " failed: " << result.error().message << "\n";
    return 1;
  }
  std::cout << "result: " << json::serialize(*result) << "\n";
  const json::value* is_error = result->if_contains("isError");
  return is_error && is_error->is_bool() && is_error->as_bool() ? 2 : 0;
}

}  // namespace

void add_mcp_client_command(CLI::App& app) {
  CLI::App& mcp =
      command_group(app, "mcp", "Model Context Protocol: serve it, or connect to a server");
  CLI::App* cmd = mcp.add_subcommand(
      "client",
      "Connect to an MCP server (URL, or -- COMMAND ARGS for stdio), list its tools "
      "and optionally call one");
  auto o = std::make_shared<McpClientOptions>();
  cmd->add_option("target", o->target,
                  "http(s):// URL of a Streamable HTTP endpoint, or a command serving stdio")
      ->required();
  cmd->add_option("--call", o->call, "Call this tool after listing the tools");
  cmd->add_option("--args", o->args, "The tool's arguments as a JSON object (default {})");
  cmd->add_option("-H,--header", o->headers, "Extra HTTP header \"Name: value\" (repeatable)");
  cmd->add_flag("--accept-elicitation", o->accept_elicitation,
                "Answer the server's elicitation requests with accept and the form's defaults");
  cmd->add_flag("--legacy", o->legacy,
                "Skip the 2026-07-28 server/discover probe and initialize a session directly");
  cmd->add_option("--timeout", o->timeout, "Seconds a request may stay silent (default 60)")
      ->check(CLI::PositiveNumber);
  cmd->callback([o] {
    if (int rc = run_mcp_client(*o); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace woolly::app
