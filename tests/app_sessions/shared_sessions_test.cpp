// A session is the store's, not an instance's: two real woolly-server instances over one
// PostgreSQL continue the same conversation, each seeing the turns the other stored.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "app/child_process.h"
#include "net/test_client.h"
#include "store/store.h"
#include "store/test_services.h"

namespace woolly::app {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using testing::ChildProcess;

const std::string kServer = [] {
  std::string real = std::string(WOOLLY_BINARY_DIR) + "/woolly-server";
  return fs::exists(real) ? real : std::string(WOOLLY_BINARY_DIR) + "/serve_harness";
}();

class SharedSessionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kServer)) << kServer;
    dir_ = fs::temp_directory_path() / ("woolly-shared-sessions-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto db = store::testing::fresh_db(store::Backend::kPostgres);
    if (!db.error.empty()) WOOLLY_REQUIRE_SERVICE(db.error);
    // A schema of our own, with the default tenant, a user and the user's key made before the
    // servers start (there is no CLI for users).
    {
      auto st = store::open_store(db.options);
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
      spec.scopes = {"sessions"};
      auto made = (*st)->create_api_key(spec);
      ASSERT_TRUE(made.ok()) << made.error().message;
      key_ = made->secret;
    }
    const std::string url =
        db.options.postgres_url + "?options=-csearch_path%3D" + db.options.postgres_schema;
    std::ofstream(dir_ / "config.toml")
        << "[server]\ndata_dir = \"" << (dir_ / "data").string() << "\"\n"
        << "[auth]\nallow_anonymous = false\n"
        << "[rate_limit]\nauthenticated_rpm = 1000000\nburst_capacity = 100000\n"
        << "[store]\nbackend = \"postgres\"\npostgres_url = \"" << url << "\"\n";
    std::string failed =
        testing::start_servers(kServer, dir_, dir_ / "config.toml", 2, children_, ports_);
    ASSERT_TRUE(failed.empty()) << failed;
  }
  void TearDown() override {
    children_.clear();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  net::testing::HttpReply call(size_t instance, const std::string& method,
                               const std::string& target, const std::string& body = {}) {
    return net::testing::http_request(
        ports_[instance], method, target,
        "Authorization: Bearer " + key_ + "\r\nContent-Type: application/json\r\n", body);
  }
  std::string turn(size_t instance, const std::string& path, const std::string& content) {
    auto r = call(instance, "POST", path + "/messages",
                  R"({"content":")" + content + R"(","max_tokens":4,"seed":2})");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? std::string(json::parse(r.body).at("message").at("content").as_string())
                           : std::string();
  }
  std::vector<std::string> contents(size_t instance, const std::string& path) {
    auto r = call(instance, "GET", path);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    if (r.status != 200) return out;
    const json::value body = json::parse(r.body);
    for (const auto& m : body.at("messages").as_array()) out.emplace_back(m.at("content").as_string());
    return out;
  }

  fs::path dir_;
  std::string key_;
  std::vector<uint16_t> ports_;
  std::vector<std::unique_ptr<ChildProcess>> children_;
};

TEST_F(SharedSessionsTest, ASessionStartedOnOneInstanceContinuesOnTheOther) {
  auto made = call(0, "POST", "/api/v1/sessions", R"({"title":"shared"})");
  ASSERT_EQ(made.status, 201) << made.body << children_[0]->log();
  const std::string path =
      "/api/v1/sessions/" + std::to_string(json::parse(made.body).at("id").as_int64());
  const std::string first = turn(0, path, "on A");
  // Instance B sees the turn A stored, sends it as history and stores its own after it.
  auto fromb = call(1, "POST", path + "/messages", R"({"content":"on B","max_tokens":4})");
  ASSERT_EQ(fromb.status, 200) << fromb.body << children_[1]->log();
  const json::value answer = json::parse(fromb.body);
  EXPECT_EQ(answer.at("history").at("sent_messages").as_int64(), 3);
  const std::string second(answer.at("message").at("content").as_string());
  const std::vector<std::string> both{"on A", first, "on B", second};
  EXPECT_EQ(contents(0, path), both);
  EXPECT_EQ(contents(1, path), both);
  auto list = call(1, "GET", "/api/v1/sessions");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(json::parse(list.body).at("sessions").as_array().size(), 1u);
  // Deleted through B, gone on A.
  EXPECT_EQ(call(1, "DELETE", path).status, 204);
  EXPECT_EQ(call(0, "GET", path).status, 404);
}

}  // namespace
}  // namespace woolly::app
