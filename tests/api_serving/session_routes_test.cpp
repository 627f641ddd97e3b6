// The session routes over real HTTP on loopback, behind the real auth hook, with the history kept
// in a real store: every test runs on SQLite and on PostgreSQL (scripts/test-services).
#include <boost/json.hpp>

#include <atomic>

#include "api/auth_routes.h"
#include "api/session_routes.h"
#include "api_serving/fake_backend.h"
#include "net/test_client.h"
#include "net/test_server.h"
#include "store/test_services.h"

namespace woolly::api::testing {
namespace {

namespace json = boost::json;
using store::testing::fresh_db;

class SessionTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override { start({}); }

  void start(SessionSettings settings) {
    db_ = fresh_db(GetParam());
    if (!db_.error.empty()) WOOLLY_REQUIRE_SERVICE(db_.error);
    auto opened = store::open_store(db_.options);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
    tenant_ = store_->create_tenant(store::testing::unique_name("a"))->id;
    other_tenant_ = store_->create_tenant(store::testing::unique_name("b"))->id;
    alice_ = key_for(tenant_, "alice");
    bob_ = key_for(tenant_, "bob");
    carol_ = key_for(other_tenant_, "carol");
    store::ApiKeySpec userless;
    userless.tenant_id = tenant_;
    userless.scopes = {"sessions", "inference"};
    no_user_ = store_->create_api_key(userless)->secret;
    store::ApiKeySpec no_scope;
    no_scope.tenant_id = tenant_;
    no_scope.user_id = store_->list_users(tenant_, {})->at(0).id;
    no_scope.scopes = {"inference"};
    no_scope_ = store_->create_api_key(no_scope)->secret;

    auth::AuthOptions ao;
    ao.jwt.hs_secret = "0123456789abcdef0123456789abcdef-test";
    ao.default_tenant_id = tenant_;
    authn_ = std::move(*auth::Authenticator::create(ao, store_.get()));
    services_ = std::make_shared<AuthServices>();
    services_->authenticator = authn_.get();
    services_->store = store_.get();

    failing_->fail = true;
    ctx_ = std::make_shared<ServingContext>();
    ctx_->resolve = [f = fake_, x = failing_](std::string_view model)
        -> Result<std::shared_ptr<backends::Backend>> {
      if (model.empty() || model == "fake") return std::shared_ptr<backends::Backend>(f);
      if (model == "failing") return std::shared_ptr<backends::Backend>(x);
      return Error(Errc::kNotFound, "The model '" + std::string(model) + "' does not exist");
    };
    net::Router router;
    ASSERT_TRUE(install_session_routes(router, ctx_, *store_, settings).ok());
    net::ServerOptions opts;
    opts.threads = 2;
    server_ = std::make_unique<net::testing::RunningServer>(
        opts, std::move(router), std::vector<net::BeforeHook>{make_auth_hook(services_)});
    ctx_->metrics = &server_->metrics;
  }
  void restart(SessionSettings settings) {
    TearDown();
    fake_ = std::make_shared<FakeBackend>();
    failing_ = std::make_shared<FakeBackend>();
    start(settings);
  }
  void TearDown() override {
    server_.reset();
    store_.reset();
    store::testing::remove_db(db_);
  }

  std::string key_for(store::Id tenant, const std::string& name) {
    store::User u;
    u.tenant_id = tenant;
    u.name = name;
    store::ApiKeySpec spec;
    spec.tenant_id = tenant;
    spec.user_id = store_->create_user(u)->id;
    spec.scopes = {"sessions"};
    return store_->create_api_key(spec)->secret;
  }

  net::testing::HttpReply call(const std::string& key, const std::string& method,
                               const std::string& target, const std::string& body = {}) {
    std::string headers = "Content-Type: application/json\r\n";
    if (!key.empty()) headers += "Authorization: Bearer " + key + "\r\n";
    return net::testing::http_request(server_->port(), method, target, headers, body);
  }
  // Creates a session of `key`'s user and returns its path.
  std::string create(const std::string& key, const std::string& body = "{}") {
    auto r = call(key, "POST", "/api/v1/sessions", body);
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return "/api/v1/sessions/0";
    return "/api/v1/sessions/" + std::to_string(json::parse(r.body).at("id").as_int64());
  }
  json::object turn(const std::string& path, const std::string& content, int max_tokens = 50) {
    auto r = call(alice_, "POST", path + "/messages",
                  json::serialize(json::object{{"content", content}, {"max_tokens", max_tokens}}));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body).as_object() : json::object{};
  }
  // The stored messages as "role: content" lines.
  std::vector<std::string> stored(const std::string& path) {
    auto r = call(alice_, "GET", path);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    if (r.status != 200) return out;
    const json::value body = json::parse(r.body);
    for (const auto& m : body.at("messages").as_array()) {
      out.push_back(std::string(m.at("role").as_string()) + ": " +
                    std::string(m.at("content").as_string()));
    }
    return out;
  }
  static std::vector<std::string> as_lines(const std::vector<backends::Message>& ms) {
    std::vector<std::string> out;
    for (const auto& m : ms) out.push_back(m.role + ": " + m.content);
    return out;
  }

  store::testing::FreshDb db_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<auth::Authenticator> authn_;
  std::shared_ptr<AuthServices> services_;
  std::shared_ptr<FakeBackend> fake_ = std::make_shared<FakeBackend>();
  std::shared_ptr<FakeBackend> failing_ = std::make_shared<FakeBackend>();
  std::shared_ptr<ServingContext> ctx_;
  std::unique_ptr<net::testing::RunningServer> server_;
  store::Id tenant_ = 0, other_tenant_ = 0;
  std::string alice_, bob_, carol_, no_user_, no_scope_;
};

using Lines = std::vector<std::string>;

TEST_P(SessionTest, TurnsSendTheHistoryAndStoreBothMessages) {
  auto r = call(alice_, "POST", "/api/v1/sessions",
                R"({"title":"trip","system_prompt":"be brief"})");
  ASSERT_EQ(r.status, 201) << r.body;
  auto made = json::parse(r.body).as_object();
  EXPECT_EQ(made["title"], "trip");
  const std::string path = "/api/v1/sessions/" + std::to_string(made["id"].as_int64());

  auto first = turn(path, "hello there");
  EXPECT_EQ(first["message"].at("content"), "echo hello there");
  EXPECT_EQ(first["message"].at("role"), "assistant");
  EXPECT_EQ(first["finish_reason"], "stop");
  EXPECT_EQ(first["usage"].at("completion_tokens"), 3);
  turn(path, "and again");
  EXPECT_EQ(as_lines(fake_->last_messages()),
            (Lines{"system: be brief", "user: hello there", "assistant: echo hello there",
                   "user: and again"}));
  EXPECT_EQ(stored(path), (Lines{"system: be brief", "user: hello there",
                                 "assistant: echo hello there", "user: and again",
                                 "assistant: echo and again"}));

  auto list = call(alice_, "GET", "/api/v1/sessions");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(json::parse(list.body).at("sessions").as_array().size(), 1u);
  auto page = call(alice_, "GET", path + "?after=2&limit=2");
  ASSERT_EQ(page.status, 200) << page.body;
  auto p = json::parse(page.body).as_object();
  ASSERT_EQ(p["messages"].as_array().size(), 2u);
  EXPECT_EQ(p["messages"].as_array()[0].at("seq"), 3);
  EXPECT_EQ(p["has_more"], true);

  EXPECT_EQ(call(alice_, "DELETE", path).status, 204);
  EXPECT_EQ(call(alice_, "GET", path).status, 404);
  EXPECT_EQ(call(alice_, "POST", path + "/messages", R"({"content":"hi"})").status, 404);
}

TEST_P(SessionTest, StreamedTurnSendsTokensThenTheStoredAnswer) {
  const std::string path = create(alice_);
  auto r = call(alice_, "POST", path + "/messages", R"({"content":"a b c","stream":true})");
  ASSERT_EQ(r.status, 200) << r.body;
  // "event: token" blocks, then one "event: done" whose data is the turn's JSON answer.
  std::string text;
  size_t at = 0;
  int tokens = 0;
  while ((at = r.body.find("event: token\ndata: ", at)) != std::string::npos) {
    at += 19;
    text += json::parse(r.body.substr(at, r.body.find('\n', at) - at)).at("text").as_string();
    ++tokens;
  }
  EXPECT_EQ(text, "echo a b c");
  EXPECT_EQ(tokens, 4);
  size_t done = r.body.find("event: done\ndata: ");
  ASSERT_NE(done, std::string::npos) << r.body;
  done += 18;
  auto answer = json::parse(r.body.substr(done, r.body.find('\n', done) - done)).as_object();
  EXPECT_EQ(answer["message"].at("content"), "echo a b c");
  EXPECT_EQ(stored(path), (Lines{"user: a b c", "assistant: echo a b c"}));
}

TEST_P(SessionTest, HistoryIsTrimmedOldestTurnFirstKeepingTheSystemPrompt) {
  // 30 tokens of context, 4 kept for the answer: 26 for the prompt. In the fake's count the
  // system prompt takes 4, "uN x y" 5 and its answer "echo uN x y" 6: 11 a turn.
  fake_->context = 30;
  const std::string path = create(alice_, R"({"system_prompt":"be brief"})");
  EXPECT_EQ(turn(path, "u1 x y", 4)["history"].at("dropped_messages"), 0);
  EXPECT_EQ(turn(path, "u2 x y", 4)["history"].at("dropped_messages"), 0);
  auto third = turn(path, "u3 x y", 4);
  EXPECT_EQ(third["history"].at("dropped_messages"), 2);
  EXPECT_EQ(third["history"].at("sent_messages"), 4);
  EXPECT_EQ(as_lines(fake_->last_messages()),
            (Lines{"system: be brief", "user: u2 x y", "assistant: echo u2 x y", "user: u3 x y"}));
  // Nothing is deleted from the store: trimming only chooses what the model sees.
  EXPECT_EQ(stored(path).size(), 7u);

  std::string too_long(30 * 2, ' ');
  for (size_t i = 0; i < too_long.size(); i += 2) too_long[i] = 'w';
  auto r = call(alice_, "POST", path + "/messages",
                json::serialize(json::object{{"content", too_long}, {"max_tokens", 4}}));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("context"), std::string::npos) << r.body;
  EXPECT_EQ(stored(path).size(), 7u);
}

TEST_P(SessionTest, UnknownContextIsEstimatedFromTheText) {
  // An upstream-like model (no context, no tokenizer): 4096 assumed, 3 bytes a token.
  const std::string path = create(alice_);
  std::string big(20000, 'x');
  auto r = call(alice_, "POST", path + "/messages",
                json::serialize(json::object{{"content", big}, {"max_tokens", 10}}));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(turn(path, "short one")["history"].at("sent_messages"), 1);
}

TEST_P(SessionTest, OtherUsersAndTenantsSeeNothing) {
  const std::string path = create(alice_);
  turn(path, "mine");
  for (const std::string& key : {bob_, carol_}) {
    EXPECT_EQ(call(key, "GET", path).status, 404);
    EXPECT_EQ(call(key, "DELETE", path).status, 404);
    EXPECT_EQ(call(key, "POST", path + "/messages", R"({"content":"x"})").status, 404);
    auto list = call(key, "GET", "/api/v1/sessions");
    ASSERT_EQ(list.status, 200);
    EXPECT_TRUE(json::parse(list.body).at("sessions").as_array().empty());
  }
  EXPECT_EQ(stored(path), (Lines{"user: mine", "assistant: echo mine"}));
}

TEST_P(SessionTest, CallersWithoutAUserOrScopeAreRefused) {
  EXPECT_EQ(call("", "GET", "/api/v1/sessions").status, 401);
  EXPECT_EQ(call("wk_bad_bad", "POST", "/api/v1/sessions").status, 401);
  auto r = call(no_user_, "POST", "/api/v1/sessions");
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("user"), std::string::npos) << r.body;
  EXPECT_EQ(call(no_scope_, "GET", "/api/v1/sessions").status, 403);
}

TEST_P(SessionTest, AtMostMaxSessionsPerUser) {
  SessionSettings s;
  s.max_sessions = 2;
  restart(s);
  const std::string first = create(alice_);
  create(alice_);
  auto refused = call(alice_, "POST", "/api/v1/sessions");
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(refused.body.find("at most 2"), std::string::npos) << refused.body;
  create(bob_);  // the limit is per user
  EXPECT_EQ(call(alice_, "DELETE", first).status, 204);
  create(alice_);
  auto list = call(alice_, "GET", "/api/v1/sessions");
  EXPECT_EQ(json::parse(list.body).at("sessions").as_array().size(), 2u);
}

TEST_P(SessionTest, ConcurrentCreatesNeverExceedTheLimit) {
  SessionSettings s;
  s.max_sessions = 3;
  restart(s);
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (call(alice_, "POST", "/api/v1/sessions").status == 201) created.fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 3);
  auto list = call(alice_, "GET", "/api/v1/sessions");
  EXPECT_EQ(json::parse(list.body).at("sessions").as_array().size(),
            static_cast<size_t>(created.load()));
}

TEST_P(SessionTest, FailedTurnsStoreNothing) {
  const std::string path = create(alice_);
  EXPECT_EQ(call(alice_, "POST", path + "/messages", R"({"content":"x","model":"failing"})").status,
            500);
  EXPECT_EQ(call(alice_, "POST", path + "/messages", R"({"content":"x","model":"nope"})").status,
            404);
  EXPECT_EQ(call(alice_, "POST", path + "/messages", R"({"content":""})").status, 400);
  EXPECT_EQ(call(alice_, "POST", path + "/messages", R"({"text":"x"})").status, 400);
  EXPECT_EQ(call(alice_, "POST", path + "/messages", "not json").status, 400);
  EXPECT_EQ(call(alice_, "POST", "/api/v1/sessions/abc/messages", R"({"content":"x"})").status, 404);
  EXPECT_EQ(call(alice_, "GET", "/api/v1/sessions?limit=x").status, 400);
  EXPECT_EQ(call(alice_, "POST", "/api/v1/sessions", R"({"title":7})").status, 400);
  EXPECT_TRUE(stored(path).empty());
}

TEST_P(SessionTest, ZeroRetentionRefusesSessions) {
  SessionSettings s;
  s.zero_retention = true;
  restart(s);
  auto r = call(alice_, "POST", "/api/v1/sessions");
  EXPECT_EQ(r.status, 501);
  EXPECT_NE(r.body.find("zero_retention"), std::string::npos) << r.body;
  EXPECT_EQ(call(alice_, "GET", "/api/v1/sessions").status, 501);
  EXPECT_EQ(call(alice_, "POST", "/api/v1/sessions/1/messages", R"({"content":"x"})").status, 501);
}

INSTANTIATE_TEST_SUITE_P(Backends, SessionTest,
                         ::testing::Values(store::Backend::kSqlite, store::Backend::kPostgres),
                         [](const auto& info) { return store::testing::backend_name(info.param); });

}  // namespace
}  // namespace woolly::api::testing
