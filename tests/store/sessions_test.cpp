// Chat sessions and messages, registered models and usage records, on both databases.
#include <gtest/gtest.h>

#include "store/store_fixture.h"

namespace woolly::store::testing {
namespace {

using SessionsTest = StoreTest;

TEST_P(SessionsTest, MessagesKeepTheirOrderAndSessionsCount) {
  User alice = make_user("alice");
  User bob = make_user("bob");
  auto s1 = store_->create_session(tenant_.id, alice.id, "first");
  auto s2 = store_->create_session(tenant_.id, alice.id, "second");
  auto s3 = store_->create_session(tenant_.id, bob.id, "bob's");
  ASSERT_TRUE(s1.ok() && s2.ok() && s3.ok());
  EXPECT_EQ(*store_->count_sessions(tenant_.id, alice.id), 2);
  EXPECT_EQ(*store_->count_sessions(tenant_.id, bob.id), 1);

  const char* roles[] = {"system", "user", "assistant", "user", "assistant"};
  for (int i = 0; i < 5; ++i) {
    auto m = store_->append_message(tenant_.id, s1->id, roles[i], "text " + std::to_string(i));
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->seq, i + 1);
  }
  auto all = store_->list_messages(tenant_.id, s1->id, {});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ((*all)[i].role, roles[i]);
    EXPECT_EQ((*all)[i].content, "text " + std::to_string(i));
  }
  auto tail = store_->list_messages(tenant_.id, s1->id, PageRequest{3, 10});
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->size(), 2u);
  EXPECT_EQ(tail->front().seq, 4);

  auto listed = store_->list_sessions(tenant_.id, alice.id, {});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ(listed->at(0).title, "first");
  EXPECT_GE(listed->at(0).updated_at, listed->at(0).created_at);
}

TEST_P(SessionsTest, DeletingASessionDeletesItsMessages) {
  User alice = make_user("alice");
  auto s = store_->create_session(tenant_.id, alice.id, "doomed");
  ASSERT_TRUE(s.ok());
  auto m = store_->append_message(tenant_.id, s->id, "user", "hello");
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(store_->delete_session(tenant_.id, s->id).ok());
  EXPECT_EQ(store_->get_session(tenant_.id, s->id).error().code, Errc::kNotFound);
  EXPECT_EQ(store_->get_message(tenant_.id, m->id).error().code, Errc::kNotFound);
  EXPECT_EQ(store_->delete_session(tenant_.id, s->id).error().code, Errc::kNotFound);
  EXPECT_EQ(*store_->count_sessions(tenant_.id, alice.id), 0);
}

TEST_P(SessionsTest, AnotherTenantSeesNothing) {
  User alice = make_user("alice");
  auto s = store_->create_session(tenant_.id, alice.id, "private");
  ASSERT_TRUE(s.ok());
  auto m = store_->append_message(tenant_.id, s->id, "user", "secret");
  ASSERT_TRUE(m.ok());
  auto other = store_->create_tenant(unique_name("other"));
  ASSERT_TRUE(other.ok());
  const Id t = other->id;
  EXPECT_EQ(store_->get_session(t, s->id).error().code, Errc::kNotFound);
  EXPECT_EQ(store_->list_messages(t, s->id, {}).error().code, Errc::kNotFound);
  EXPECT_EQ(store_->get_message(t, m->id).error().code, Errc::kNotFound);
  EXPECT_EQ(store_->append_message(t, s->id, "user", "x").error().code, Errc::kNotFound);
  EXPECT_EQ(store_->delete_session(t, s->id).error().code, Errc::kNotFound);
  EXPECT_EQ(store_->create_session(t, alice.id, "steal").error().code, Errc::kNotFound);
  EXPECT_TRUE(store_->list_sessions(t, alice.id, {})->empty());
  EXPECT_TRUE(store_->get_session(tenant_.id, s->id).ok());
}

TEST_P(SessionsTest, ConcurrentAppendsGetDistinctSeqs) {
  User alice = make_user("alice");
  auto s = store_->create_session(tenant_.id, alice.id, "busy");
  ASSERT_TRUE(s.ok());
  std::vector<std::future<Result<ChatMessage>>> futures;
  for (int i = 0; i < 20; ++i) {
    futures.push_back(store_->submit([&, i](Store& st) {
      return st.append_message(tenant_.id, s->id, "user", std::to_string(i));
    }));
  }
  for (auto& f : futures) {
    auto r = f.get();
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  auto all = store_->list_messages(tenant_.id, s->id, {});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ((*all)[i].seq, i + 1);
}

TEST_P(SessionsTest, ConcurrentCreatesStopAtTheLimit) {
  User alice = make_user("alice");
  std::vector<std::future<Result<ChatSession>>> futures;
  for (int i = 0; i < 12; ++i) {
    futures.push_back(store_->submit(
        [&](Store& st) { return st.create_session(tenant_.id, alice.id, "racing", 5); }));
  }
  int made = 0, refused = 0;
  for (auto& f : futures) {
    auto r = f.get();
    if (r.ok()) ++made;
    if (!r.ok() && r.error().code == Errc::kConflict) ++refused;
  }
  EXPECT_EQ(made, 5);
  EXPECT_EQ(refused, 7);
  EXPECT_EQ(*store_->count_sessions(tenant_.id, alice.id), 5);
}

TEST_P(SessionsTest, ModelsUpsertByName) {
  ModelRecord m;
  m.tenant_id = tenant_.id;
  m.name = "llama";
  m.backend_type = "local";
  m.capabilities = {"chat", "tools"};
  m.config = R"({"path":"models/llama.gguf"})";
  auto first = store_->put_model(m);
  ASSERT_TRUE(first.ok()) << first.error().message;
  m.backend_type = "ollama";
  m.capabilities = {"chat"};
  auto second = store_->put_model(m);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->id, first->id);
  auto got = store_->get_model(tenant_.id, "llama");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->backend_type, "ollama");
  EXPECT_EQ(got->capabilities, std::vector<std::string>{"chat"});
  EXPECT_EQ(got->config, m.config);
  m.name = "alpha";
  ASSERT_TRUE(store_->put_model(m).ok());
  auto list = store_->list_models(tenant_.id);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ(list->at(0).name, "alpha");
  auto other = store_->create_tenant(unique_name("other"));
  EXPECT_EQ(store_->get_model(other->id, "llama").error().code, Errc::kNotFound);
  EXPECT_EQ(store_->delete_model(other->id, "llama").error().code, Errc::kNotFound);
  ASSERT_TRUE(store_->delete_model(tenant_.id, "llama").ok());
  EXPECT_EQ(store_->get_model(tenant_.id, "llama").error().code, Errc::kNotFound);
}

TEST_P(SessionsTest, UsageQueriesFilterByUserAndTimeAndPage) {
  User alice = make_user("alice");
  User bob = make_user("bob");
  for (int i = 0; i < 10; ++i) {
    UsageRecord u;
    u.tenant_id = tenant_.id;
    u.user_id = i % 2 ? bob.id : alice.id;
    u.model = "m";
    u.backend = "local";
    u.prompt_tokens = 10 + i;
    u.completion_tokens = 5;
    u.cost = 100 * i;
    u.latency_ms = 7;
    u.status = "ok";
    u.created_at = 1'000'000 + i;
    ASSERT_TRUE(store_->record_usage(u).ok());
  }
  UsageQuery q;
  q.tenant_id = tenant_.id;
  q.user_id = alice.id;
  auto alice_rows = store_->list_usage(q);
  ASSERT_TRUE(alice_rows.ok()) << alice_rows.error().message;
  ASSERT_EQ(alice_rows->size(), 5u);
  for (const auto& u : *alice_rows) EXPECT_EQ(u.user_id, alice.id);
  EXPECT_EQ(alice_rows->at(2).prompt_tokens, 14);
  EXPECT_EQ(alice_rows->at(2).cost, 400);

  q.user_id.reset();
  q.since = 1'000'003;
  q.until = 1'000'007;
  auto window = store_->list_usage(q);
  ASSERT_TRUE(window.ok());
  EXPECT_EQ(window->size(), 4u);

  q.since.reset();
  q.until.reset();
  q.page = PageRequest{0, 4};
  auto p1 = store_->list_usage(q);
  ASSERT_TRUE(p1.ok());
  ASSERT_EQ(p1->size(), 4u);
  q.page.after_id = p1->back().id;
  q.page.limit = 100;
  auto p2 = store_->list_usage(q);
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ(p2->size(), 6u);

  UsageQuery totals_q;
  totals_q.tenant_id = tenant_.id;
  totals_q.user_id = bob.id;  // i = 1, 3, 5, 7, 9
  totals_q.since = 1'000'003;
  auto totals = store_->sum_usage(totals_q);
  ASSERT_TRUE(totals.ok()) << totals.error().message;
  EXPECT_EQ(totals->requests, 4);
  EXPECT_EQ(totals->prompt_tokens, 13 + 15 + 17 + 19);
  EXPECT_EQ(totals->completion_tokens, 20);
  EXPECT_EQ(totals->cost, 100 * (3 + 5 + 7 + 9));

  auto other = store_->create_tenant(unique_name("other"));
  UsageQuery foreign;
  foreign.tenant_id = other->id;
  EXPECT_TRUE(store_->list_usage(foreign)->empty());
  EXPECT_EQ(store_->sum_usage(foreign)->requests, 0);
  EXPECT_EQ(store_->sum_usage(foreign)->cost, 0);
}

WOOLLY_STORE_BACKENDS(SessionsTest);

}  // namespace
}  // namespace woolly::store::testing
