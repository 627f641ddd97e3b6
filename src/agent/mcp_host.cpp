#include "agent/mcp_host.h"

#include <algorithm>
#include <boost/json.hpp>
#include <future>

#include "mcp/child_process.h"
#include "mcp/transport/http_client_transport.h"
#include "obs/log/log.h"

namespace woolly::agent {
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

struct McpHost::Server {
  std::string name;
  config::McpServerEntry entry;
  ServerState state = ServerState::kStarting;
  std::shared_ptr<mcp::Connection> conn;
  std::vector<HostTool> tools;
  ServerCatalog catalog;
  int failures = 0;
  int restarts = 0;
  bool ever_ready = false;
  bool connecting = false;
  std::string last_error;
  Clock::time_point retry_at;
};

namespace {

bool listed(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

// Cuts at a UTF-8 character boundary so the model never sees half a character.
size_t utf8_cut(const std::string& s, size_t max) {
  if (s.size() <= max) return s.size();
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

}  // namespace

const char* server_state_name(ServerState s) {
  switch (s) {
    case ServerState::kStarting: return "starting";
    case ServerState::kReady: return "ready";
    case ServerState::kDown: return "down";
    case ServerState::kDisabled: return "disabled";
  }
  return "unknown";
}

McpHost::McpHost(config::McpConfig config, HostOptions options)
    : config_(std::move(config)), options_(std::move(options)) {
  for (const auto& [name, entry] : config_.servers) {
    auto s = std::make_shared<Server>();
    s->name = name;
    s->entry = entry;
    s->state = entry.enabled ? ServerState::kStarting : ServerState::kDisabled;
    servers_[name] = s;
  }
}

McpHost::~McpHost() { stop(); }

void McpHost::start() {
  std::vector<ServerPtr> todo;
  {
    std::lock_guard lock(mutex_);
    if (supervisor_.joinable() || stopping_) return;
    for (auto& [_, s] : servers_)
      if (s->state == ServerState::kStarting) {
        s->connecting = true;
        todo.push_back(s);
      }
  }
  std::vector<std::future<void>> started;
  for (auto& s : todo)
    started.push_back(std::async(std::launch::async, [this, s] { connect_server(s); }));
  for (auto& f : started) f.wait();
  std::lock_guard lock(mutex_);
  supervisor_ = std::thread([this] { supervise(); });
}

void McpHost::stop() {
  std::vector<std::shared_ptr<mcp::Connection>> conns;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [_, s] : servers_) {
      if (s->conn) conns.push_back(std::move(s->conn));
      s->tools.clear();
      s->catalog = {};
      if (s->state == ServerState::kReady) s->state = ServerState::kDown;
    }
  }
  wake_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
  // Each destructor closes stdin, then TERM/KILL to the child's process group, and reaps it.
  std::vector<std::future<void>> stopping;
  for (auto& c : conns) stopping.push_back(std::async(std::launch::async, [c = std::move(c)]() mutable { c.reset(); }));
}

void McpHost::connect_server(const ServerPtr& s) {
  auto log = obs::logger();
  const auto& e = s->entry;
  auto fail = [&](const std::string& why) {
    bool notify = false;
    {
      std::lock_guard lock(mutex_);
      s->connecting = false;
      s->state = ServerState::kDown;
      s->last_error = why;
      auto delay = options_.restart_initial * (1 << std::min(s->failures, 16));
      s->retry_at = Clock::now() + std::min<std::chrono::milliseconds>(delay, options_.restart_max);
      ++s->failures;
      notify = true;
    }
    log->warn("mcp server '{}' is not available: {} (retrying in the background)", s->name, why);
    (void)notify;
  };
  mcp::ClientOptions copts = options_.client;
  copts.request_timeout = options_.connect_timeout;
  std::shared_ptr<mcp::Connection> conn;
  if (e.type == "http") {
    if (e.url.empty()) return fail("no url configured");
    mcp::transport::HttpClientOptions http;
    http.url = e.url;
    http.headers = e.headers;
    http.connect_timeout = options_.connect_timeout;
    auto opened = mcp::transport::HttpClientConnection::open(std::move(http), copts);
    if (!opened.ok()) return fail(opened.error().message);
    conn = std::move(*opened);
  } else if (e.type == "stdio") {
    if (e.command.empty()) return fail("no command configured");
    mcp::ChildOptions child;
    child.command = e.command;
    child.args = e.args;
    child.env = e.env;
    std::string name = s->name;
    child.on_stderr_line = [name](std::string_view line) {
      obs::logger()->info("mcp server '{}' stderr: {}", name, line);
    };
    auto launched = mcp::StdioClient::launch(std::move(child), copts);
    if (!launched.ok()) return fail(launched.error().message);
    conn = std::move(*launched);
  } else {
    return fail("unknown transport '" + e.type + "' (use \"stdio\" or \"http\")");
  }
  auto d = conn->client().connect();
  if (!d.ok()) return fail("initialize failed: " + d.error().message);
  auto listed_tools = conn->client().list_tools();
  if (!listed_tools.ok()) return fail("tools/list failed: " + listed_tools.error().message);
  std::vector<HostTool> tools;
  for (auto& def : *listed_tools) {
    const json::value* n = def.if_contains("name");
    if (!n || !n->is_string()) continue;
    std::string tool(n->as_string());
    if (!e.allow_tools.empty() && !listed(e.allow_tools, tool)) continue;
    if (listed(e.deny_tools, tool)) continue;
    tools.push_back({s->name + std::string(kToolSeparator) + tool, s->name, tool, std::move(def)});
  }
  std::vector<std::string> problems;
  ServerCatalog catalog = list_catalog(conn->client(), *d, s->name, problems);
  for (const auto& p : problems) log->warn("mcp server '{}': {}", s->name, p);
  size_t count = tools.size();
  bool restored = false;
  {
    std::lock_guard lock(mutex_);
    s->connecting = false;
    if (stopping_) return;  // conn goes out of scope: the child is stopped
    s->conn = std::move(conn);
    s->tools = std::move(tools);
    s->catalog = std::move(catalog);
    s->state = ServerState::kReady;
    restored = s->ever_ready || s->failures > 0;
    if (s->ever_ready) ++s->restarts;
    s->ever_ready = true;
    s->failures = 0;
    s->last_error.clear();
  }
  log->info("mcp server '{}' {} ({}, protocol {}): {} tools, {} resources, {} prompts", s->name,
            restored ? "is back" : "ready",
            json::serialize(d->server_info.if_contains("name") ? d->server_info.at("name")
                                                               : json::value("?")),
            d->protocol_version, count, s->catalog.resources.size(), s->catalog.prompts.size());
  notify_changed();
}

void McpHost::mark_down(const ServerPtr& s, const std::string& why) {
  std::shared_ptr<mcp::Connection> conn;
  size_t withdrawn = 0;
  {
    std::lock_guard lock(mutex_);
    if (s->state != ServerState::kReady || stopping_) return;
    conn = std::move(s->conn);
    withdrawn = s->tools.size();
    s->tools.clear();
    s->catalog = {};
    s->state = ServerState::kDown;
    s->last_error = why;
    s->retry_at = Clock::now() + options_.restart_initial;
    s->failures = 1;
  }
  obs::logger()->error("mcp server '{}' {}; withdrew its {} tools, restarting it", s->name, why,
                       withdrawn);
  notify_changed();
  wake_.notify_all();
  // Stopping kills the child's group and may wait out a grace period: not on the caller's time.
  std::thread([c = std::move(conn)]() mutable { c.reset(); }).detach();
}

void McpHost::supervise() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, options_.supervise_interval);
    if (stopping_) break;
    std::vector<std::pair<ServerPtr, std::string>> exited;
    ServerPtr due;
    auto now = Clock::now();
    for (auto& [_, s] : servers_) {
      if (s->state == ServerState::kReady && s->conn) {
        if (auto why = s->conn->lost()) exited.emplace_back(s, *why);
      } else if (s->state == ServerState::kDown && !s->connecting && s->retry_at <= now && !due) {
        due = s;
        s->connecting = true;
      }
    }
    lock.unlock();
    for (auto& [s, why] : exited) mark_down(s, why);
    if (due) connect_server(due);
    lock.lock();
  }
}

void McpHost::notify_changed() {
  std::function<void()> h;
  {
    std::lock_guard lock(handler_mutex_);
    if (!changed_handler_) return;
    h = changed_handler_;
    ++handler_runs_;
  }
  h();
  {
    std::lock_guard lock(handler_mutex_);
    --handler_runs_;
  }
  handler_idle_.notify_all();
}

void McpHost::on_tools_changed(std::function<void()> handler) {
  std::unique_lock lock(handler_mutex_);
  handler_idle_.wait(lock, [this] { return handler_runs_ == 0; });
  changed_handler_ = std::move(handler);
}

std::vector<HostTool> McpHost::tools(const ToolFilter& filter) const {
  std::lock_guard lock(mutex_);
  std::vector<HostTool> out;
  for (const auto& [_, s] : servers_)
    for (const auto& t : s->tools)
      if (tool_allowed(filter, t.qualified)) out.push_back(t);
  return out;
}

std::vector<backends::Tool> McpHost::backend_tools(const ToolFilter& filter) const {
  std::vector<backends::Tool> out;
  for (const auto& t : tools(filter)) {
    backends::Tool bt;
    bt.name = t.qualified;
    if (auto* d = t.definition.if_contains("description"); d && d->is_string())
      bt.description = std::string(d->as_string());
    if (auto* schema = t.definition.if_contains("inputSchema"); schema && schema->is_object())
      bt.parameters_json = json::serialize(*schema);
    out.push_back(std::move(bt));
  }
  return out;
}

std::vector<HostResource> McpHost::resources() const {
  std::lock_guard lock(mutex_);
  std::vector<HostResource> out;
  for (const auto& [_, s] : servers_)
    out.insert(out.end(), s->catalog.resources.begin(), s->catalog.resources.end());
  return out;
}

std::vector<HostResource> McpHost::resource_templates() const {
  std::lock_guard lock(mutex_);
  std::vector<HostResource> out;
  for (const auto& [_, s] : servers_)
    out.insert(out.end(), s->catalog.templates.begin(), s->catalog.templates.end());
  return out;
}

std::vector<HostPrompt> McpHost::prompts(const ToolFilter& filter) const {
  std::lock_guard lock(mutex_);
  std::vector<HostPrompt> out;
  for (const auto& [_, s] : servers_)
    for (const auto& p : s->catalog.prompts)
      if (tool_allowed(filter, p.qualified)) out.push_back(p);
  return out;
}

std::shared_ptr<mcp::Connection> McpHost::ready_connection(const std::string& server) const {
  std::lock_guard lock(mutex_);
  auto it = servers_.find(server);
  return it == servers_.end() || it->second->state != ServerState::kReady ? nullptr
                                                                            : it->second->conn;
}

Result<json::object> McpHost::read_resource(const std::string& server, const std::string& uri) {
  auto conn = ready_connection(server);
  if (!conn) return make_error(Errc::kUnavailable, "MCP server '" + server + "' is not available");
  return conn->client().read_resource(uri);
}

Result<json::object> McpHost::get_prompt(const std::string& qualified, json::object arguments) {
  size_t sep = qualified.find(kToolSeparator);
  if (sep == std::string::npos) return make_error(Errc::kNotFound, "no prompt " + qualified);
  std::string server = qualified.substr(0, sep);
  auto conn = ready_connection(server);
  if (!conn) return make_error(Errc::kUnavailable, "MCP server '" + server + "' is not available");
  return conn->client().get_prompt(qualified.substr(sep + kToolSeparator.size()),
                                   std::move(arguments));
}

std::vector<ServerStatus> McpHost::servers() const {
  std::lock_guard lock(mutex_);
  std::vector<ServerStatus> out;
  for (const auto& [_, s] : servers_)
    out.push_back({s->name, s->state, s->tools.size(), s->restarts, s->last_error});
  return out;
}

std::string McpHost::result_text(const json::object& result) {
  std::string text;
  auto add = [&](std::string_view piece) {
    if (!text.empty()) text += '\n';
    text += piece;
  };
  auto str = [](const json::object& o, std::string_view key) -> std::string {
    const json::value* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  if (const json::value* c = result.if_contains("content"); c && c->is_array()) {
    for (const auto& item : c->as_array()) {
      const json::object* o = item.if_object();
      if (!o) continue;
      std::string type = str(*o, "type");
      if (type == "text") add(str(*o, "text"));
      else if (type == "image" || type == "audio")
        add("[" + type + " " + str(*o, "mimeType") + ", " + std::to_string(str(*o, "data").size()) +
            " bytes of base64]");
      else if (type == "resource") {
        const json::value* r = o->if_contains("resource");
        const json::object* ro = r ? r->if_object() : nullptr;
        if (ro && ro->contains("text")) add(str(*ro, "text"));
        else add("[resource " + (ro ? str(*ro, "uri") : std::string()) + "]");
      } else if (type == "resource_link") add("[resource link " + str(*o, "uri") + "]");
    }
  }
  if (text.empty())
    if (const json::value* sc = result.if_contains("structuredContent")) text = json::serialize(*sc);
  return text;
}

ToolOutcome McpHost::call(const std::string& qualified, const std::string& arguments_json,
                          mcp::CancelFlag cancel,
                          std::function<void(const json::object&)> on_progress) {
  ToolOutcome out;
  out.is_error = true;
  ServerPtr s;
  std::shared_ptr<mcp::Connection> conn;
  std::string tool;
  {
    std::lock_guard lock(mutex_);
    size_t sep = qualified.find(kToolSeparator);
    auto it = sep == std::string::npos ? servers_.end() : servers_.find(qualified.substr(0, sep));
    if (it != servers_.end()) {
      for (const auto& t : it->second->tools)
        if (t.qualified == qualified) tool = t.name;
      s = it->second;
      conn = s->conn;
    }
  }
  if (!s || tool.empty() || !conn) {
    out.text = "Error: the tool " + qualified + " is not available" +
               (s && s->state != ServerState::kReady ? " (its server is down)" : "");
    return out;
  }
  json::error_code ec;
  json::value args = json::parse(arguments_json.empty() ? "{}" : arguments_json, ec);
  if (ec || !args.is_object()) {
    out.text = "Error: the arguments for " + qualified + " must be a JSON object";
    return out;
  }
  mcp::CallOptions o;
  o.timeout = std::chrono::milliseconds(static_cast<int64_t>(s->entry.timeout * 1000));
  o.cancel = std::move(cancel);
  o.on_progress = std::move(on_progress);
  auto r = conn->client().call_tool(tool, std::move(args.as_object()), o);
  if (!r.ok()) {
    Error err = r.error();
    if (err.code == Errc::kTimeout) {
      // One slow call is not a dead server; a server that cannot answer a ping is.
      if (!conn->client().ping().ok())
        mark_down(s, "stopped answering (a call timed out and a ping failed)");
    } else if (err.code == Errc::kUnavailable || conn->lost()) {
      // A child's pipes close a moment before it can be reaped: wait briefly so the log can say
      // how it ended (exit code, signal) rather than only that the connection closed.
      std::optional<std::string> why = conn->lost();
      for (int i = 0; i < 20 && !why; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        why = conn->lost();
      }
      mark_down(s, why.value_or("closed the connection"));
      if (why && err.message.find(*why) == std::string::npos) err.message += " (it " + *why + ")";
    }
    out.text = "Error: the call to " + qualified + " failed: " + err.message;
    return out;
  }
  out.raw = std::move(*r);
  out.text = result_text(out.raw);
  const json::value* is_error = out.raw.if_contains("isError");
  out.is_error = is_error && is_error->is_bool() && is_error->as_bool();
  auto cap = static_cast<size_t>(std::max<int64_t>(config_.max_tool_result_bytes, 256));
  if (out.text.size() > cap) {
    size_t full = out.text.size();
    out.text.resize(utf8_cut(out.text, cap));
    out.text += "\n[truncated: the tool returned " + std::to_string(full) + " bytes, only the first " +
                std::to_string(out.text.size()) + " are shown]";
    out.truncated = true;
  }
  return out;
}

}  // namespace woolly::agent
