// Chat sessions in the real program: a session and its turns survive a restart of the server, and
// the conversation goes on afterwards. The caller is a store key bound to a user, made in the
// server's own SQLite database before it starts (there is no CLI for users).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>

#include "child_process.h"
#include "net/test_client.h"
#include "store/store.h"

namespace woolly::app {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using testing::ChildProcess;

const std::string kServer = [] {
  std::string real = std::string(WOOLLY_BINARY_DIR) + "/woolly-server";
  return fs::exists(real) ? real : std::string(WOOLLY_BINARY_DIR) + "/serve_harness";
}();

struct SessionsServeTest : ::testing::Test {
  fs::path dir;
  uint16_t port = 0;
  std::string key;
  std::unique_ptr<ChildProcess> child;

  void SetUp() override {
    ASSERT_TRUE(fs::exists(kServer)) << kServer;
    dir = fs::temp_directory_path() / ("woolly-sessions-serve-" + std::to_string(::getpid()));
    fs::create_directories(dir / "data");
    // The tenant the server acts in for store keys ("default", created here first) and a user.
    store::StoreOptions so;
    so.sqlite_path = (dir / "data" / "woolly.db").string();
    auto st = store::open_store(so);
    ASSERT_TRUE(st.ok()) << st.error().message;
    auto tenant = (*st)->create_tenant("default");
    ASSERT_TRUE(tenant.ok()) << tenant.error().message;
    store::User u;
    u.tenant_id = tenant->id;
    u.name = "alice";
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
  void TearDown() override {
    child.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  void start() {
    fs::current_path(dir);
    child = std::make_unique<ChildProcess>(
        kServer,
        std::vector<std::string>{"serve", "--bind", "127.0.0.1:0", "--set",
                                 "server.data_dir=" + (dir / "data").string()},
        (dir / "out.log").string());
    port = testing::listening_port(*child, 60000);
    ASSERT_NE(port, 0) << child->log();
    ASSERT_TRUE(testing::wait_healthy(port, 60000)) << child->log();
  }
  void stop() {
    child->signal(SIGTERM);
    EXPECT_EQ(child->wait(30000), 0) << child->log();
    child.reset();
  }

  net::testing::HttpReply call(const std::string& method, const std::string& path,
                               const std::string& body = {}) {
    return net::testing::http_request(
        port, method, path,
        "Content-Type: application/json\r\nAuthorization: Bearer " + key + "\r\n", body);
  }
  std::string turn(const std::string& path, const std::string& content) {
    auto r = call("POST", path + "/messages",
                  R"({"content":")" + content + R"(","max_tokens":6,"seed":1})");
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    return std::string(json::parse(r.body).at("message").at("content").as_string());
  }
  // The stored messages as role/content pairs.
  std::vector<std::pair<std::string, std::string>> messages(const std::string& path) {
    auto r = call("GET", path);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::pair<std::string, std::string>> out;
    if (r.status != 200) return out;
    const json::value body = json::parse(r.body);
    for (const auto& m : body.at("messages").as_array()) {
      out.emplace_back(m.at("role").as_string(), m.at("content").as_string());
    }
    return out;
  }
};

TEST_F(SessionsServeTest, SessionSurvivesARestartAndContinues) {
  start();
  auto made = call("POST", "/api/v1/sessions", R"({"title":"kept","system_prompt":"be brief"})");
  ASSERT_EQ(made.status, 201) << made.body << child->log();
  const std::string path =
      "/api/v1/sessions/" + std::to_string(json::parse(made.body).at("id").as_int64());
  const std::string first = turn(path, "hello");
  const std::string second = turn(path, "again");
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  const Pairs before{{"system", "be brief"}, {"user", "hello"}, {"assistant", first},
                     {"user", "again"}, {"assistant", second}};
  EXPECT_EQ(messages(path), before);
  stop();

  start();
  EXPECT_EQ(messages(path), before);
  auto list = call("GET", "/api/v1/sessions");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(json::parse(list.body).at("sessions").as_array().size(), 1u);
  const std::string third = turn(path, "once more");
  auto after = messages(path);
  ASSERT_EQ(after.size(), 7u);
  EXPECT_EQ(after[5], (std::pair<std::string, std::string>{"user", "once more"}));
  EXPECT_EQ(after[6], (std::pair<std::string, std::string>{"assistant", third}));
  // Without a credential the sessions are not reachable at all.
  EXPECT_EQ(net::testing::http_request(port, "GET", path).status / 100, 4);
}

}  // namespace
}  // namespace woolly::app
