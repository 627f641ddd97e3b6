// The tool loop end to end: the real woolly-server, configured with the official
// @modelcontextprotocol/server-filesystem (stdio, on a temporary directory) and a scripted
// OpenAI-compatible upstream that asks for files__read_file and then answers with what it read.
// Every chat surface must come back with the file's content; streams carry the tool events.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "../app/child_process.h"
#include "net/test_client.h"
#include "scripted_upstream.h"
#include "store/store.h"

namespace woolly::app {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;
using net::testing::http_request;
using testing::ChildProcess;

const std::string kServer = std::string(WOOLLY_BINARY_DIR) + "/woolly-server";
const std::string kFilesystemServer =
    std::string(WOOLLY_SOURCE_DIR) +
    "/tests/e2e_agent/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js";
// A config key (all scopes, including "mcp" for Woolly's MCP server); rate limits lifted.
const std::string kKey = "toolloop-e2e-key";
const std::string kAuth = "Authorization: Bearer " + kKey + "\r\n";
const std::string kEverythingServer =
    std::string(WOOLLY_SOURCE_DIR) +
    "/tests/e2e_agent/node_modules/@modelcontextprotocol/server-everything/dist/index.js";
const std::string kJson = "Content-Type: application/json\r\n" + kAuth;

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The process whose command line contains every one of `needles` and whose parent is `parent`
// (0 = any); -1 when there is none.
pid_t find_process(const std::vector<std::string>& needles, pid_t parent = 0) {
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmd = read_all(e.path() / "cmdline");
    bool all = !cmd.empty();
    for (const auto& n : needles) all = all && cmd.find(n) != std::string::npos;
    if (!all) continue;
    if (parent > 0) {
      // /proc/PID/stat: "pid (comm) state ppid ...", comm may hold spaces: read after the ')'.
      std::string stat = read_all(e.path() / "stat");
      std::istringstream rest(stat.substr(stat.rfind(')') + 1));
      std::string state;
      pid_t ppid = 0;
      rest >> state >> ppid;
      if (ppid != parent) continue;
    }
    return static_cast<pid_t>(std::stoi(name));
  }
  return -1;
}

struct ToolLoopE2e : ::testing::Test {
  fs::path dir;
  std::string content;
  std::unique_ptr<testing::ScriptedUpstream> upstream;
  std::unique_ptr<ChildProcess> woolly;
  uint16_t port = 0;

  void SetUp() override {
    if (!fs::exists(kServer)) GTEST_SKIP() << "woolly-server is not built";
    if (!fs::exists(kFilesystemServer))
      GTEST_SKIP() << "run: npm ci --prefix " << WOOLLY_SOURCE_DIR << "/tests/e2e_agent";
    dir = fs::temp_directory_path() /
          ("woolly-tools-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir / "files");
    dir = fs::canonical(dir);
    content = "sheep number " + std::to_string(::getpid()) + " is woolly";
    std::ofstream(dir / "files" / "note.txt") << content;
    upstream = std::make_unique<testing::ScriptedUpstream>("files__read_file",
                                                           (dir / "files" / "note.txt").string());
  }
  void TearDown() override {
    if (woolly) {
      woolly->signal(SIGTERM);
      EXPECT_EQ(woolly->wait(20000), 0) << woolly->log();
    }
    upstream.reset();
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }

  void write_config(const std::string& extra_toml = {}) {
    std::ofstream(dir / "woolly.toml")
        << "[server]\ndata_dir = \"" << (dir / "data").string() << "\"\n"
        << "drain_timeout = 5\n"
        << "[auth]\napi_keys = [\"" << kKey << "\"]\n"
        << "[rate_limit]\nauthenticated_rpm = 0\nanonymous_rpm = 0\n"
        << "[models]\nmodels_dir = \"" << (dir / "none").string() << "\"\n"
        << "default_model = \"scripted\"\n"
        << "[[backends]]\nname = \"scripted\"\ntype = \"openai\"\n"
        << "base_url = \"http://127.0.0.1:" << upstream->port() << "/v1\"\n"
        << "model_name = \"scripted\"\nconnect_timeout = 2.0\nmax_retries = 0\n"
        << "[mcp.servers.files]\ncommand = \"node\"\n"
        << "args = [\"" << kFilesystemServer << "\", \"" << (dir / "files").string() << "\"]\n"
        << extra_toml;
  }

  // A store key (`woolly-server keys create`) that may use only `tools`; "--scope", "S" pairs
  // among them give it scopes besides inference.
  std::string create_key(const std::vector<std::string>& tools) {
    std::vector<std::string> args{"keys", "create", "--config", (dir / "woolly.toml").string()};
    for (size_t i = 0; i < tools.size(); ++i) {
      if (tools[i] == "--scope" && i + 1 < tools.size()) {
        args.insert(args.end(), {"--scope", tools[++i], "--scope", "inference"});
        continue;
      }
      args.insert(args.end(), {"--tool", tools[i]});
    }
    ChildProcess keys(kServer, args, (dir / "keys.log").string());
    EXPECT_EQ(keys.wait(30000), 0) << keys.log();
    std::string out = keys.log();
    size_t at = out.find("key:");
    if (at == std::string::npos) return {};
    at = out.find_first_not_of(' ', at + 4);
    return out.substr(at, out.find('\n', at) - at);
  }

  void start(const std::string& extra_toml = {}) {
    if (!fs::exists(dir / "woolly.toml")) write_config(extra_toml);
    woolly = std::make_unique<ChildProcess>(
        kServer,
        std::vector<std::string>{"serve", "--config", (dir / "woolly.toml").string(), "--bind",
                                 "127.0.0.1:0"},
        (dir / "out.log").string());
    port = testing::listening_port(*woolly, 30000);
    ASSERT_NE(port, 0) << woolly->log();
    ASSERT_TRUE(testing::wait_healthy(port, 30000)) << woolly->log();
  }

  json::object post(const std::string& path, const std::string& body, int status = 200) {
    auto r = http_request(port, "POST", path, kJson, body);
    EXPECT_EQ(r.status, status) << path << ": " << r.body;
    auto v = json::parse(r.body);
    return v.is_object() ? v.as_object() : json::object();
  }

  // The MCP server child of this test's woolly-server whose command line names `server`.
  pid_t mcp_child(const std::string& server) {
    pid_t woolly_pid = find_process({kServer, (dir / "woolly.toml").string()});
    return woolly_pid > 0 ? find_process({server}, woolly_pid) : -1;
  }

  // The state of an MCP server as GET /api/v1/info reports it.
  json::object server_info(const std::string& name) {
    auto r = http_request(port, "GET", "/api/v1/info");
    auto v = json::parse(r.body);
    if (auto* servers = v.as_object().if_contains("mcp_servers"))
      for (const auto& s : servers->as_array())
        if (s.at("name").as_string() == name) return s.as_object();
    return {};
  }
};

std::string str(const json::value& v) { return std::string(v.as_string()); }

TEST_F(ToolLoopE2e, PromptApiReadsTheFileThroughTheToolsByDefault) {
  start();
  auto info = server_info("files");
  EXPECT_EQ(str(info["state"]), "ready");
  EXPECT_GT(info["tools"].as_int64(), 5);

  auto r = post("/", R"({"prompt":"What does note.txt say?"})");
  EXPECT_NE(str(r["response"]).find(content), std::string::npos) << r;
  EXPECT_EQ(upstream->calls(), 2);

  // "mcp_tools": false turns them off for one request.
  r = post("/", R"({"prompt":"What does note.txt say?","mcp_tools":false})");
  EXPECT_EQ(str(r["response"]), "no tools were offered");
  // A list names what the request may use; another server's name offers nothing here.
  r = post("/", R"({"prompt":"x","mcp_tools":["other"]})");
  EXPECT_EQ(str(r["response"]), "no tools were offered");
  r = post("/", R"({"prompt":"x","mcp_tools":["files"]})");
  EXPECT_NE(str(r["response"]).find(content), std::string::npos) << r;
  r = post("/", R"({"prompt":"x","mcp_tools":"files"})", 400);
  EXPECT_NE(str(r["Error"]).find("mcp_tools"), std::string::npos) << r;
}

TEST_F(ToolLoopE2e, TheKeysAllowedToolsBoundWhatARequestGets) {
  write_config();
  std::string other_tool = create_key({"files__read_text_file"});
  std::string whole_server = create_key({"files"});
  ASSERT_FALSE(other_tool.empty());
  start();
  auto ask = [&](const std::string& key) {
    auto r = http_request(port, "POST", "/", "Authorization: Bearer " + key + "\r\n",
                          R"({"prompt":"What does note.txt say?","mcp_tools":true})");
    EXPECT_EQ(r.status, 200) << r.body;
    return str(json::parse(r.body).at("response"));
  };
  EXPECT_EQ(ask(other_tool), "no tools were offered");
  EXPECT_NE(ask(whole_server).find(content), std::string::npos);
}

TEST_F(ToolLoopE2e, OpenAiChatOptsInAndSumsUsageOverRounds) {
  start();
  auto r = post("/v1/chat/completions",
                R"({"model":"scripted","messages":[{"role":"user","content":"read it"}]})");
  EXPECT_EQ(str(r["choices"].as_array()[0].at("message").at("content")), "no tools were offered");

  r = post("/v1/chat/completions",
           R"({"model":"scripted","mcp_tools":true,"messages":[{"role":"user","content":"read it"}]})");
  const auto& choice = r["choices"].as_array()[0].as_object();
  EXPECT_NE(str(choice.at("message").at("content")).find(content), std::string::npos) << r;
  EXPECT_EQ(str(choice.at("finish_reason")), "stop");
  EXPECT_EQ(r["usage"].at("prompt_tokens").as_int64(), 2 * testing::ScriptedUpstream::kPromptTokens);
  EXPECT_EQ(r["usage"].at("completion_tokens").as_int64(),
            2 * testing::ScriptedUpstream::kCompletionTokens);

  // The client's own tools stay the client's: combining them with mcp_tools is refused.
  r = post("/v1/chat/completions",
           R"({"model":"scripted","mcp_tools":true,"messages":[{"role":"user","content":"x"}],
               "tools":[{"type":"function","function":{"name":"mine","parameters":{}}}]})",
           400);
  EXPECT_NE(str(r["error"].at("message")).find("mcp_tools"), std::string::npos) << r;
}

TEST_F(ToolLoopE2e, OpenAiStreamCarriesToolEventsAndTheAnswer) {
  start();
  auto r = http_request(port, "POST", "/v1/chat/completions", kJson,
                        R"({"model":"scripted","mcp_tools":["files__read_file"],"stream":true,
                            "stream_options":{"include_usage":true},
                            "messages":[{"role":"user","content":"read it"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string text;
  std::vector<std::string> events;
  int64_t prompt_tokens = 0;
  bool done = false;
  for (size_t at = 0; (at = r.body.find("data: ", at)) != std::string::npos;) {
    size_t end = r.body.find("\n\n", at);
    std::string data = r.body.substr(at + 6, end - at - 6);
    at = end;
    if (data == "[DONE]") {
      done = true;
      continue;
    }
    auto o = json::parse(data).as_object();
    if (auto* e = o.if_contains("woolly_tool_event")) {
      events.push_back(str(e->at("type")));
      EXPECT_EQ(str(e->at("name")), "files__read_file");
      EXPECT_TRUE(o.at("choices").as_array().empty());
    }
    for (const auto& c : o.at("choices").as_array())
      if (auto* t = c.at("delta").as_object().if_contains("content")) text += str(*t);
    if (auto* u = o.if_contains("usage")) prompt_tokens = u->at("prompt_tokens").as_int64();
  }
  EXPECT_TRUE(done);
  EXPECT_EQ(events, (std::vector<std::string>{"tool_call_started", "tool_call_finished"}));
  EXPECT_NE(text.find(content), std::string::npos) << r.body;
  EXPECT_EQ(prompt_tokens, 2 * testing::ScriptedUpstream::kPromptTokens);
  EXPECT_EQ(r.body.find("\"tool_calls\""), std::string::npos) << "Woolly's calls are not the client's";
}

TEST_F(ToolLoopE2e, RestChatAndItsStream) {
  start();
  auto r = post("/api/v1/inference/chat",
                R"({"mcp_tools":true,"messages":[{"role":"user","content":"read it"}]})");
  EXPECT_NE(str(r["message"].at("content")).find(content), std::string::npos) << r;

  auto s = http_request(port, "POST", "/api/v1/inference/chat", kJson,
                        R"({"mcp_tools":true,"stream":true,
                            "messages":[{"role":"user","content":"read it"}]})");
  ASSERT_EQ(s.status, 200) << s.body;
  size_t started = s.body.find("event: tool_call_started\n");
  size_t finished = s.body.find("event: tool_call_finished\n");
  size_t done = s.body.find("event: done\n");
  ASSERT_NE(started, std::string::npos) << s.body;
  ASSERT_NE(finished, std::string::npos) << s.body;
  ASSERT_NE(done, std::string::npos) << s.body;
  EXPECT_LT(started, finished);
  EXPECT_LT(finished, done);
  EXPECT_NE(s.body.find("\"name\":\"files__read_file\"", started), std::string::npos);
  EXPECT_NE(s.body.find("\"ms\":", finished), std::string::npos);
  EXPECT_NE(s.body.find(content, done), std::string::npos) << s.body;
}

TEST_F(ToolLoopE2e, CallsWrittenInTheTextRunAndStayOutOfTheStream) {
  start();
  auto s = http_request(port, "POST", "/api/v1/inference/chat", kJson,
                        R"({"mcp_tools":true,"stream":true,
                            "messages":[{"role":"user","content":"hermes, read it"}]})");
  ASSERT_EQ(s.status, 200) << s.body;
  std::string shown;
  for (size_t at = 0; (at = s.body.find("event: token\ndata: ", at)) != std::string::npos;) {
    at += 19;
    shown += str(json::parse(s.body.substr(at, s.body.find('\n', at) - at)).at("text"));
  }
  EXPECT_EQ(shown.find("<tool"), std::string::npos) << shown;
  EXPECT_NE(shown.find("Let me read it. "), std::string::npos) << shown;
  EXPECT_NE(shown.find("The file says: " + content), std::string::npos) << shown;
  EXPECT_NE(s.body.find("event: tool_call_finished"), std::string::npos) << s.body;
}

TEST_F(ToolLoopE2e, SessionTurnUsesTheToolsAndStoresTheFinalAnswer) {
  // Sessions need a key bound to a user: made in the server's own database before it starts.
  write_config();
  fs::create_directories(dir / "data");
  std::string key;
  {
    store::StoreOptions so;
    so.sqlite_path = (dir / "data" / "woolly.db").string();
    auto st = store::open_store(so);
    ASSERT_TRUE(st.ok()) << st.error().message;
    auto tenant = (*st)->create_tenant("default");
    ASSERT_TRUE(tenant.ok()) << tenant.error().message;
    store::User u;
    u.tenant_id = tenant->id;
    u.name = "shepherd";
    auto user = (*st)->create_user(u);
    ASSERT_TRUE(user.ok()) << user.error().message;
    store::ApiKeySpec spec;
    spec.tenant_id = tenant->id;
    spec.user_id = user->id;
    spec.scopes = {"sessions", "inference"};
    auto made = (*st)->create_api_key(spec);
    ASSERT_TRUE(made.ok()) << made.error().message;
    key = made->secret;
  }
  start();
  std::string headers = "Content-Type: application/json\r\nAuthorization: Bearer " + key + "\r\n";
  auto made = http_request(port, "POST", "/api/v1/sessions", headers, R"({"title":"notes"})");
  ASSERT_EQ(made.status, 201) << made.body;
  std::string path = "/api/v1/sessions/" + std::to_string(json::parse(made.body).at("id").as_int64());
  auto s = http_request(port, "POST", path + "/messages", headers,
                        R"({"content":"read it","mcp_tools":true,"stream":true})");
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_NE(s.body.find("event: tool_call_finished"), std::string::npos) << s.body;
  size_t done = s.body.find("event: done");
  ASSERT_NE(done, std::string::npos) << s.body;
  EXPECT_NE(s.body.find(content, done), std::string::npos) << s.body;
  // The history keeps the question and the final answer (not the calls in between).
  auto history = json::parse(http_request(port, "GET", path, headers).body);
  const auto& messages = history.at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u) << history;
  EXPECT_EQ(str(messages[1].at("role")), "assistant");
  EXPECT_NE(str(messages[1].at("content")).find(content), std::string::npos) << history;
}

TEST_F(ToolLoopE2e, HubWebSocketChat) {
  start();
  net::testing::Connection c(port, 20000);
  ASSERT_EQ(c.ws_handshake("/api/v1/ws", kAuth).status, 101);
  ASSERT_TRUE(c.ws_send(1, R"({"id":"t1","type":"chat","model":"scripted","mcp_tools":true,
                              "prompt":"read note.txt"})"));
  std::vector<std::string> types;
  std::string chunks, final_text;
  for (int i = 0; i < 50; ++i) {
    auto f = c.ws_read();
    ASSERT_TRUE(f.ok);
    auto o = json::parse(f.payload).as_object();
    std::string type = str(o.at("type"));
    types.push_back(type);
    if (type == "chunk") chunks += str(o.at("data"));
    if (type.rfind("tool_call_", 0) == 0) {
      EXPECT_EQ(str(o.at("tool").at("name")), "files__read_file");
    }
    if (type == "error") {
      ADD_FAILURE() << f.payload;
      break;
    }
    if (type == "done") {
      final_text = str(o.at("data"));
      EXPECT_EQ(o.at("usage").at("promptTokens").as_int64(),
                2 * testing::ScriptedUpstream::kPromptTokens);
      break;
    }
  }
  EXPECT_EQ(types.back(), "done");
  EXPECT_NE(std::find(types.begin(), types.end(), "tool_call_started"), types.end());
  EXPECT_NE(std::find(types.begin(), types.end(), "tool_call_finished"), types.end());
  EXPECT_NE(final_text.find(content), std::string::npos) << final_text;
  EXPECT_NE(chunks.find(content), std::string::npos) << chunks;
}

TEST_F(ToolLoopE2e, BadCommandAtStartUpIsLoggedAndWoollyServes) {
  start("[mcp.servers.broken]\ncommand = \"" + (dir / "no-such-mcp-server").string() + "\"\n");
  EXPECT_NE(woolly->log().find("mcp server 'broken'"), std::string::npos) << woolly->log();
  EXPECT_NE(str(server_info("broken")["state"]), "ready");
  auto r = post("/", R"({"prompt":"What does note.txt say?"})");
  EXPECT_NE(str(r["response"]).find(content), std::string::npos) << r;
}

TEST_F(ToolLoopE2e, ChildKilledDuringARequestIsRestartedAndItsToolsReturn) {
  start();
  pid_t child = mcp_child("server-filesystem");
  ASSERT_GT(child, 0);
  // The model asks for the file just after the server died: the call fails, the model is told,
  // and the request still completes.
  upstream->before_tool_call([child] { ::kill(child, SIGKILL); });
  auto r = post("/", R"({"prompt":"What does note.txt say?"})");
  EXPECT_NE(str(r["response"]).find("The file says:"), std::string::npos) << r;
  EXPECT_EQ(str(r["response"]).find(content), std::string::npos) << r;
  upstream->before_tool_call({});
  EXPECT_NE(woolly->log().find("mcp server 'files'"), std::string::npos);

  // The supervisor brings it back with its tools.
  json::object info;
  for (int i = 0; i < 300; ++i) {
    info = server_info("files");
    if (info.contains("restarts") && info["restarts"].as_int64() >= 1 && str(info["state"]) == "ready")
      break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(str(info["state"]), "ready") << woolly->log();
  EXPECT_NE(mcp_child("server-filesystem"), child);
  EXPECT_NE(woolly->log().find("withdrew its"), std::string::npos) << woolly->log();
  r = post("/", R"({"prompt":"What does note.txt say?"})");
  EXPECT_NE(str(r["response"]).find(content), std::string::npos) << r;
}

TEST_F(ToolLoopE2e, ClientGoingAwayCancelsTheLoopAndItsToolCall) {
  // Two workers for tool loops; both get a 300 s tool call whose clients then go away. Only if
  // the loops and their calls are cancelled is a worker free for the next request.
  start("[limits]\nmax_concurrent_requests = 2\n[mcp.servers.everything]\ncommand = \"node\"\n"
        "args = [\"" + kEverythingServer + "\", \"stdio\"]\n");
  ASSERT_EQ(str(server_info("everything")["state"]), "ready") << woolly->log();
  for (int i = 0; i < 2; ++i) {
    net::testing::Connection c(port, 20000);
    std::string body = R"({"mcp_tools":true,"stream":true,"messages":[{"role":"user","content":"slow"}]})";
    ASSERT_TRUE(c.send_all("POST /api/v1/inference/chat HTTP/1.1\r\nHost: x\r\n" + kJson +
                           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
    std::string seen = c.read_until("trigger-long-running-operation", 20000);
    ASSERT_NE(seen.find("event: tool_call_started"), std::string::npos) << seen;
  }  // the connection closes here, in the middle of the call
  net::testing::HttpReply r;
  for (int attempt = 0; attempt < 100; ++attempt) {
    r = http_request(port, "POST", "/", kJson, R"({"prompt":"What does note.txt say?"})");
    if (r.status != 503) break;
    std::this_thread::sleep_for(50ms);  // the server has not yet seen both clients go
  }
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(content), std::string::npos) << r.body;
  auto metrics = http_request(port, "GET", "/metrics", kAuth).body;
  EXPECT_NE(metrics.find("woolly_generations_cancelled_total{surface=\"rest\"} 2"),
            std::string::npos) << metrics;
}

TEST_F(ToolLoopE2e, ChildKilledInTheMiddleOfAToolCall) {
  start("[mcp.servers.everything]\ncommand = \"node\"\nargs = [\"" + kEverythingServer +
        "\", \"stdio\"]\n");
  pid_t child = mcp_child("server-everything");
  ASSERT_GT(child, 0);
  net::testing::Connection c(port, 20000);
  std::string body = R"({"mcp_tools":true,"stream":true,"messages":[{"role":"user","content":"slow"}]})";
  ASSERT_TRUE(c.send_all("POST /api/v1/inference/chat HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                         kJson + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                         body));
  std::string seen = c.read_until("event: tool_call_started", 20000);
  ASSERT_NE(seen.find("event: tool_call_started"), std::string::npos) << seen;
  ::kill(child, SIGKILL);
  // The call fails, the model is told so and answers: the request completes.
  seen += c.read_until("event: done", 20000);
  EXPECT_NE(seen.find("event: tool_call_failed"), std::string::npos) << seen;
  ASSERT_NE(seen.find("event: done"), std::string::npos) << seen;
  EXPECT_NE(seen.find("The file says: Error"), std::string::npos) << seen;
  // Seen as its exit ("was killed by signal 9") or its pipe closing, whichever comes first.
  EXPECT_NE(woolly->log().find("[error] mcp server 'everything'"), std::string::npos)
      << woolly->log();
  EXPECT_NE(woolly->log().find("tools, restarting it"), std::string::npos)
      << woolly->log();
  // The other server's tools were there all along; the killed one comes back with its tools.
  auto r = post("/", R"({"prompt":"What does note.txt say?"})");
  EXPECT_NE(r["response"].as_string().find(content), std::string::npos) << r;
  json::object info;
  for (int i = 0; i < 300; ++i) {
    info = server_info("everything");
    if (info["restarts"].as_int64() >= 1 && str(info["state"]) == "ready") break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(str(info["state"]), "ready") << woolly->log();
  EXPECT_GT(info["tools"].as_int64(), 5);
}

TEST_F(ToolLoopE2e, ReexportedToolsAppearOnWoollysMcpServer) {
  write_config();
  std::string other_tool = create_key({"files__read_text_file", "--scope", "mcp"});
  std::string whole_server = create_key({"files", "--scope", "mcp"});
  start();
  auto r = http_request(port, "GET", "/api/v1/mcp/tools", kAuth);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("files__read_file"), std::string::npos) << r.body;
  json::object args{{"path", (dir / "files" / "note.txt").string()}};
  r = http_request(port, "POST", "/api/v1/mcp/tools/files__read_file", kJson, json::serialize(args));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(content), std::string::npos) << r.body;

  // A key's allowed tools bound the re-exported ones too.
  auto as = [&](const std::string& key) {
    return http_request(port, "POST", "/api/v1/mcp/tools/files__read_file",
                        "Content-Type: application/json\r\nAuthorization: Bearer " + key + "\r\n",
                        json::serialize(args));
  };
  auto refused = as(other_tool);
  EXPECT_EQ(refused.body.find(content), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("not allowed for this API key"), std::string::npos) << refused.body;
  auto allowed = as(whole_server);
  EXPECT_EQ(allowed.status, 200) << allowed.body;
  EXPECT_NE(allowed.body.find(content), std::string::npos) << allowed.body;
}

}  // namespace
}  // namespace woolly::app
