// Users end to end on the real woolly-server (SQLite): `woolly-server users create` makes a user,
// `keys create --user` a key bound to it, and that key opens a chat session and posts a turn;
// the admin endpoints create, list and delete users within the caller's tenant.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "e2e_identity/instance.h"

namespace woolly::e2e {
namespace {

const std::string kOperator = "e2e-users-operator-key";
const std::string kToml = "[auth]\nallow_anonymous = false\napi_keys = [\"" + kOperator +
                          "\"]\n[rate_limit]\nauthenticated_rpm = 0\n";

// The first `"id":N` (or the `id:  N` line the CLI prints) in `text`, or "" when there is none.
std::string first_id(const std::string& text, const std::string& pattern) {
  std::smatch m;
  return std::regex_search(text, m, std::regex(pattern)) ? m[1].str() : "";
}

TEST(Users, CliUserWithItsKeyCreatesASessionAndPostsATurn) {
  Instance server(scratch_dir("users_cli"), kToml);
  ASSERT_TRUE(server.healthy()) << server.log();

  CliResult made = server.cli("users create --name alice --email alice@example.test");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  std::string user = first_id(made.output, R"(id:\s+(\d+))");
  ASSERT_FALSE(user.empty()) << made.output;
  CliResult listed = server.cli("users list");
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find(user + "\talice\talice@example.test\tuser"), std::string::npos)
      << listed.output;
  // Names are unique in a tenant; the second one is refused with a non-zero exit.
  CliResult twice = server.cli("users create --name alice");
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.output.find("a user named alice already exists"), std::string::npos)
      << twice.output;

  std::string why;
  auto key = server.create_key("--scope sessions --user " + user, &why);
  ASSERT_TRUE(key.has_value()) << why;
  auto created =
      server.request("POST", "/api/v1/sessions", bearer(key->secret), R"({"title":"first"})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string session = first_id(created.body, R"re("id":(\d+))re");
  ASSERT_FALSE(session.empty()) << created.body;
  auto turn = server.request("POST", "/api/v1/sessions/" + session + "/messages",
                             bearer(key->secret), R"({"content":"hello","max_tokens":4})");
  ASSERT_EQ(turn.status, 200) << turn.body;
  EXPECT_NE(turn.body.find(R"("role":"assistant")"), std::string::npos) << turn.body;
  auto read = server.request("GET", "/api/v1/sessions/" + session, bearer(key->secret));
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_NE(read.body.find(R"("content":"hello")"), std::string::npos) << read.body;

  // A key for a user that does not exist is refused; deleting the user takes its key with it.
  EXPECT_FALSE(server.create_key("--scope sessions --user 999999").has_value());
  CliResult gone = server.cli("users delete " + user);
  ASSERT_EQ(gone.exit_code, 0) << gone.output;
  EXPECT_EQ(server.cli("users delete " + user).exit_code, 1);
  EXPECT_EQ(server.cli("users list --tenant no-such-tenant").exit_code, 1);
}

TEST(Users, AdminEndpointsManageUsersOfTheCallersTenant) {
  Instance server(scratch_dir("users_admin"), kToml);
  ASSERT_TRUE(server.healthy()) << server.log();
  const std::string op = bearer(kOperator);

  auto made = server.request("POST", "/api/v1/admin/users", op,
                             R"({"name":"bob","email":"bob@example.test"})");
  ASSERT_EQ(made.status, 201) << made.body;
  std::string user = first_id(made.body, R"re("id":(\d+))re");
  ASSERT_FALSE(user.empty()) << made.body;
  auto again = server.request("POST", "/api/v1/admin/users", op, R"({"name":"bob"})");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_NE(again.body.find("a user named bob already exists"), std::string::npos) << again.body;
  EXPECT_EQ(server.request("POST", "/api/v1/admin/users", op, R"({"email":"x"})").status, 400);
  EXPECT_EQ(server.request("POST", "/api/v1/admin/users", op, R"({"name":7})").status, 400);
  EXPECT_EQ(server.request("POST", "/api/v1/admin/users", op, "not json").status, 400);
  auto list = server.request("GET", "/api/v1/admin/users", op);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_NE(list.body.find(R"("name":"bob")"), std::string::npos) << list.body;

  // Another tenant (made with its first user by the CLI) does not see bob and cannot delete him.
  CliResult carol = server.cli("users create --tenant other --name carol");
  ASSERT_EQ(carol.exit_code, 0) << carol.output;
  std::string tenant = first_id(carol.output, R"(tenant: other \((\d+)\))");
  ASSERT_FALSE(tenant.empty()) << carol.output;
  const std::string other = op + "X-Tenant-ID: " + tenant + "\r\n";
  auto other_list = server.request("GET", "/api/v1/admin/users", other);
  ASSERT_EQ(other_list.status, 200) << other_list.body;
  EXPECT_NE(other_list.body.find(R"("name":"carol")"), std::string::npos) << other_list.body;
  EXPECT_EQ(other_list.body.find(R"("name":"bob")"), std::string::npos) << other_list.body;
  EXPECT_EQ(list.body.find(R"("name":"carol")"), std::string::npos) << list.body;
  EXPECT_EQ(server.request("DELETE", "/api/v1/admin/users/" + user, other).status, 404);

  // Only admins manage users.
  auto plain = server.create_key("--scope inference");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(server.request("GET", "/api/v1/admin/users", bearer(plain->secret)).status, 403);

  auto key = server.create_key("--scope sessions --user " + user);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(server.request("POST", "/api/v1/sessions", bearer(key->secret)).status, 201);
  EXPECT_EQ(server.request("DELETE", "/api/v1/admin/users/" + user, op).status, 204);
  EXPECT_EQ(server.request("DELETE", "/api/v1/admin/users/" + user, op).status, 404);
  EXPECT_EQ(server.request("DELETE", "/api/v1/admin/users/abc", op).status, 404);
  // The user's key went with it (and out of this instance's key cache).
  EXPECT_EQ(server.request("GET", "/api/v1/sessions", bearer(key->secret)).status, 401);
}

}  // namespace
}  // namespace woolly::e2e
