// Metering over the real serving routes and a real SQLite store, with the fake backend (which
// generates one word per token, so costs are exact): reservations refuse with 402, charges and
// usage records follow every request, streaming included, and concurrent requests never
// overspend.
#include "api/metering.h"

#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <future>
#include <thread>

#include "api_serving/serving_fixture.h"
#include "limits/rate_limiter.h"
#include "store/store.h"

namespace woolly::api::testing {
namespace {

namespace json = boost::json;

// Credits per 1K tokens: 1 credit = 1e6 micro-credits, so one completion token of "fake" costs
// 1000 micro-credits and a prompt token 100.
constexpr double kCompletionPer1k = 1.0;
constexpr double kPromptPer1k = 0.1;
constexpr int kStoreThreads = 4;

class MeteringTest : public ServingTest {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("woolly_metering_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    store::StoreOptions so;
    so.sqlite_path = (dir_ / "woolly.db").string();
    so.connections = kStoreThreads;
    auto opened = store::open_store(so);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
    auto t = store_->create_tenant("acme");
    ASSERT_TRUE(t.ok());
    tenant_ = t->id;
    who_.kind = auth::CredentialKind::kStoreKey;
    who_.subject = "key:7";
    who_.tenant_id = tenant_;
    who_.key_id = 7;
    who_.authenticated = true;
    who_.scopes = {"inference"};
    ServingTest::SetUp();  // builds the context and the server
  }
  void TearDown() override {
    ServingTest::TearDown();
    metering_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Installs metering into the context and restarts the server with a hook that admits every
  // request as `who_`.
  void meter(int64_t tokens_per_minute = 0, double prompt_per_1k = kPromptPer1k) {
    MeteringOptions o;
    o.store = store_.get();
    o.prices.set("fake", {static_cast<store::Micros>(prompt_per_1k * 1e6),
                          static_cast<store::Micros>(kCompletionPer1k * 1e6)});
    o.limiter = &limiter_;
    o.tokens_per_minute = tokens_per_minute;
    o.default_max_tokens = 50;
    o.metrics = &metrics_;
    server_.reset();
    metering_ = std::make_shared<Metering>(std::move(o));
    ctx_->metering = metering_;
    net::Router router;
    ASSERT_TRUE(install_openai_routes(router, ctx_).ok());
    ASSERT_TRUE(install_inference_routes(router, ctx_).ok());
    ASSERT_TRUE(install_prompt_routes(router, ctx_).ok());
    ASSERT_TRUE(install_hub_ws(router, ctx_).ok());
    auto who = std::make_shared<auth::Identity>(who_);
    net::BeforeHook hook = [who](net::Request& req, const net::RouteMeta&, net::Headers&) -> Status {
      net::Principal p;
      p.subject = who->subject;
      p.authenticated = who->authenticated;
      p.detail = who;
      req.principal = p;
      return {};
    };
    net::ServerOptions opts;
    opts.threads = 2;
    server_ = std::make_unique<net::testing::RunningServer>(opts, std::move(router),
                                                            std::vector<net::BeforeHook>{hook});
    ctx_->metrics = &server_->metrics;
  }

  store::Principal payer() const { return {tenant_, who_.authenticated ? "key:7" : "anonymous"}; }
  void grant(store::Micros amount) { ASSERT_TRUE(store_->grant(payer(), amount, "test").ok()); }
  store::CreditBalance balance() { return *store_->balance(payer()); }
  std::vector<store::UsageRecord> usage() {
    store::UsageQuery q;
    q.tenant_id = tenant_;
    q.page.limit = 1000;
    return *store_->list_usage(q);
  }
  double counter(const std::string& name, std::vector<std::string> label_names,
                 std::vector<std::string> labels) {
    double v = 0;
    metrics_.counter(name, "", std::move(label_names))
        .for_each([&](const auto& l, const obs::Counter& c) {
          if (l == labels) v = c.value();
        });
    return v;
  }

  // A chat of "hello" (1 prompt word) answered "echo hello" (2 words), at most `max` tokens.
  net::testing::HttpReply chat(int max, bool stream = false) {
    return post("/v1/chat/completions", R"({"model":"fake","max_tokens":)" + std::to_string(max) +
                                            R"(,"stream":)" + (stream ? "true" : "false") +
                                            R"(,"messages":[{"role":"user","content":"hello"}]})");
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  store::Id tenant_ = 0;
  auth::Identity who_;
  limits::MemoryRateLimiter limiter_;
  obs::Registry metrics_;
  std::shared_ptr<Metering> metering_;
};

TEST_F(MeteringTest, ChargesActualUsageAndRecordsIt) {
  meter();
  grant(1'000'000);
  auto r = chat(10);
  ASSERT_EQ(r.status, 200) << r.body;
  // Charged: 1 prompt token (the fake counts words) and 2 completion tokens, rounded up.
  store::Micros cost = limits::PriceTable::cost({100'000, 1'000'000}, 1, 2);
  EXPECT_EQ(balance().balance, 1'000'000 - cost);
  EXPECT_EQ(balance().reserved, 0);
  auto rows = usage();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, "ok");
  EXPECT_EQ(rows[0].model, "fake");
  EXPECT_EQ(rows[0].backend, "local");
  EXPECT_EQ(rows[0].api_key_id, std::optional<store::Id>(7));
  EXPECT_EQ(rows[0].prompt_tokens, 1);
  EXPECT_EQ(rows[0].completion_tokens, 2);
  EXPECT_EQ(rows[0].cost, cost);
  EXPECT_EQ(counter("woolly_usage_tokens_total", {"model", "kind"}, {"fake", "completion"}), 2);
  EXPECT_EQ(counter("woolly_metered_requests_total", {"model", "status"}, {"fake", "ok"}), 1);
  EXPECT_NEAR(counter("woolly_credits_spent_total", {"model"}, {"fake"}), cost / 1e6, 1e-9);
}

TEST_F(MeteringTest, RefusesWith402WhenTheReservationDoesNotFit) {
  meter();
  // max_tokens 10 reserves 10 completion tokens (10'000) plus the prompt estimate: too much.
  grant(9'000);
  auto r = chat(10);
  EXPECT_EQ(r.status, 402) << r.body;
  auto body = json::parse(r.body).as_object();
  EXPECT_EQ(body.at("error").at("code"), "insufficient_credits");
  EXPECT_NE(std::string(body.at("error").at("message").as_string()).find("INSUFFICIENT_CREDITS"),
            std::string::npos);
  EXPECT_EQ(fake_->words_emitted.load(), 0);  // nothing generated
  EXPECT_EQ(balance().balance, 9'000);
  auto rows = usage();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, "insufficient_credits");
  EXPECT_EQ(rows[0].cost, 0);
}

TEST_F(MeteringTest, StreamedAnswersAreChargedOnEverySurface) {
  meter();
  grant(1'000'000);
  auto a = chat(10, true);
  ASSERT_EQ(a.status, 200);
  auto b = post("/api/v1/inference/stream", R"({"model":"fake","prompt":"a b","max_tokens":10})");
  ASSERT_EQ(b.status, 200);
  auto c = post("/api/v1/inference/chat",
                R"({"model":"fake","messages":[{"role":"user","content":"x y z"}]})");
  ASSERT_EQ(c.status, 200);
  auto d = post("/", R"({"prompt":"hi"})");
  ASSERT_EQ(d.status, 200);
  auto e = post("/v1/embeddings", R"({"model":"fake","input":"one two three"})");
  ASSERT_EQ(e.status, 200);
  auto rows = usage();
  ASSERT_EQ(rows.size(), 5u);
  store::Micros spent = 0;
  for (const auto& u : rows) {
    EXPECT_EQ(u.status, "ok");
    EXPECT_GT(u.prompt_tokens + u.completion_tokens, 0);
    spent += u.cost;
  }
  EXPECT_EQ(rows[0].completion_tokens, 2);  // "echo hello", streamed
  EXPECT_EQ(rows[1].completion_tokens, 3);  // "echo a b"
  EXPECT_EQ(rows[4].prompt_tokens, 3);      // embeddings: the input's words
  EXPECT_EQ(rows[4].completion_tokens, 0);
  EXPECT_EQ(balance().balance, 1'000'000 - spent);
  EXPECT_EQ(balance().reserved, 0);
}

TEST_F(MeteringTest, CancelledStreamPaysForWhatWasGenerated) {
  meter();
  grant(1'000'000);
  fake_->step = std::chrono::milliseconds(20);
  std::string words;
  for (int w = 0; w < 200; ++w) words += "w ";
  {
    net::testing::Connection c(port());
    std::string body = R"({"model":"fake","stream":true,"messages":[{"role":"user","content":")" +
                       words + R"("}]})";
    c.send_all(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
        "\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body);
    ASSERT_NE(c.read_until(" w\"", 3000).find(" w\""), std::string::npos);
  }  // the client goes away mid-stream
  std::vector<store::UsageRecord> rows;
  for (int i = 0; i < 300 && rows.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    rows = usage();
  }
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, "cancelled");
  EXPECT_GE(rows[0].completion_tokens, 2);  // at least "echo w" reached the client
  EXPECT_LT(rows[0].completion_tokens, 50);
  EXPECT_GT(rows[0].prompt_tokens, 0);
  EXPECT_EQ(balance().balance, 1'000'000 - rows[0].cost);
  EXPECT_GT(rows[0].cost, 0);
  EXPECT_EQ(balance().reserved, 0);
}

TEST_F(MeteringTest, HubWebSocketRequestsAreChargedToTheConnectionsIdentity) {
  meter();
  auto c = std::make_unique<net::testing::Connection>(port(), 5000);
  ASSERT_EQ(c->ws_handshake("/api/v1/ws", {}).status, 101);
  auto next = [&] {
    auto f = c->ws_read();
    EXPECT_TRUE(f.ok);
    return f.ok ? json::parse(f.payload).as_object() : json::object{};
  };
  c->ws_send(1, R"({"id":"a","type":"chat","model":"fake","stream":false,"maxTokens":10,
                   "messages":[{"role":"user","content":"x y"}]})");
  auto refused = next();
  EXPECT_EQ(refused["type"], "error");
  EXPECT_EQ(refused["error"].as_object()["code"], "INSUFFICIENT_CREDITS")
      << json::serialize(refused);
  grant(1'000'000);
  c->ws_send(1, R"({"id":"b","type":"chat","model":"fake","stream":true,"maxTokens":10,
                   "messages":[{"role":"user","content":"x y"}]})");
  json::object done;
  for (int i = 0; i < 10 && done.empty(); ++i) {
    auto m = next();
    if (m.empty() || m["type"] != "chunk") done = m;
  }
  ASSERT_EQ(done["type"], "done") << json::serialize(done);
  auto rows = usage();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].status, "insufficient_credits");
  EXPECT_EQ(rows[1].status, "ok");
  EXPECT_EQ(rows[1].completion_tokens, 3);
  EXPECT_EQ(balance().balance, 1'000'000 - rows[1].cost);
}

TEST_F(MeteringTest, ClientGoneBeforeTheReservationRunsPaysNothing) {
  meter();
  grant(1'000'000);
  // Hold every store thread so the request waits for the pool.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> held{0};
  for (int i = 0; i < kStoreThreads; ++i) {
    ASSERT_TRUE(store_
                    ->post([released, &held](store::Store&) {
                      held.fetch_add(1);
                      released.wait();
                    })
                    .ok());
  }
  {
    net::testing::Connection c(port());
    std::string body = R"({"model":"fake","messages":[{"role":"user","content":"hello"}]})";
    c.send_all(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
        "\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body);
    for (int i = 0; i < 300 && held.load() < kStoreThreads; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }  // the client goes away while its request waits
  for (int i = 0; i < 300 && cancelled_metric("openai") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(cancelled_metric("openai"), 1.0);
  release.set_value();
  std::vector<store::UsageRecord> rows;
  for (int i = 0; i < 300 && rows.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    rows = usage();
  }
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, "cancelled");
  EXPECT_EQ(rows[0].cost, 0);
  EXPECT_EQ(fake_->words_emitted.load(), 0);
  EXPECT_EQ(balance().balance, 1'000'000);
  EXPECT_EQ(balance().reserved, 0);
}

TEST_F(MeteringTest, AKeysAllowedModelsBoundWhatItMayUse) {
  who_.allowed_models = {"another"};
  meter();
  grant(1'000'000);
  auto refused = chat(10);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(refused.body.find("may not use the model fake"), std::string::npos) << refused.body;
  EXPECT_EQ(balance().reserved, 0);
  who_.allowed_models = {"another", "fake"};
  meter();
  EXPECT_EQ(chat(10).status, 200);
}

TEST_F(MeteringTest, FreeModelsAreRecordedWithoutCredits) {
  meter();
  // "failing" has no price: no credits needed; its failure is still recorded, by name.
  auto r = post("/v1/chat/completions",
                R"({"model":"failing","messages":[{"role":"user","content":"hello"}]})");
  EXPECT_EQ(r.status, 500);
  auto rows = usage();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].model, "failing");
  EXPECT_EQ(rows[0].status, "internal_error");
  EXPECT_EQ(rows[0].cost, 0);
  EXPECT_EQ(
      counter("woolly_metered_requests_total", {"model", "status"}, {"failing", "internal_error"}),
      1);
}

TEST_F(MeteringTest, AnonymousCallersPayFromTheirOwnAccount) {
  who_ = auth::Identity{};
  who_.subject = "anonymous:127.0.0.1";
  who_.tenant_id = tenant_;
  meter();
  EXPECT_EQ(chat(10).status, 402);  // nothing granted to "anonymous" yet
  grant(1'000'000);                 // payer() is the anonymous account now
  ASSERT_EQ(chat(10).status, 200);
  EXPECT_LT(balance().balance, 1'000'000);
  auto rows = usage();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(rows[1].api_key_id.has_value());
  EXPECT_FALSE(rows[1].user_id.has_value());
}

TEST_F(MeteringTest, TokensPerMinuteBucketRefusesOnceUsedUp) {
  meter(/*tokens_per_minute=*/4);
  grant(1'000'000);
  // Each chat uses 3 tokens: the bucket (4) goes 4 -> 1 -> -2; the third request is refused.
  ASSERT_EQ(chat(10).status, 200);
  ASSERT_EQ(chat(10).status, 200);
  auto r = chat(10);
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_NE(r.body.find("tokens per minute"), std::string::npos);
  EXPECT_EQ(usage().back().status, "rate_limited");
}

TEST_F(MeteringTest, FiftyConcurrentRequestsAgainstABalanceForTen) {
  // Completion tokens only, and answers of exactly max_tokens: each request costs exactly what
  // it reserved, so no settled request can make room for an eleventh.
  meter(0, /*prompt_per_1k=*/0);
  fake_->step = std::chrono::milliseconds(5);
  const store::Micros each = limits::PriceTable::cost({0, 1'000'000}, 0, 2);
  grant(10 * each);
  std::vector<std::future<net::testing::HttpReply>> replies;
  for (int i = 0; i < 50; ++i) {
    replies.push_back(std::async(std::launch::async, [this] { return chat(2); }));
  }
  int ok = 0, refused = 0;
  for (auto& f : replies) {
    auto r = f.get();
    ok += r.status == 200;
    if (r.status == 402) {
      ++refused;
      EXPECT_NE(r.body.find("insufficient_credits"), std::string::npos) << r.body;
    }
  }
  EXPECT_EQ(ok, 10);
  EXPECT_EQ(refused, 40);
  EXPECT_EQ(balance().balance, 0);
  EXPECT_EQ(balance().reserved, 0);
  EXPECT_EQ(usage().size(), 50u);
}

}  // namespace
}  // namespace woolly::api::testing
