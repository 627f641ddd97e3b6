// Crash safety: a writer killed with SIGKILL in the middle of a burst loses nothing it had
// acknowledged, and the database it leaves behind is consistent, on both databases.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <set>

#include "store/store_fixture.h"

extern char** environ;

namespace woolly::store::testing {
namespace {

using CrashTest = StoreTest;

TEST_P(CrashTest, KillNineLosesNoAcknowledgedWrite) {
  User alice = make_user("alice");
  auto session = store_->create_session(tenant_.id, alice.id, "burst");
  ASSERT_TRUE(session.ok());
  store_.reset();  // the child is the only writer, as after a restart

  std::vector<std::string> args = {WOOLLY_CRASH_WRITER};
  if (GetParam() == Backend::kSqlite) {
    args.insert(args.end(), {"sqlite", db_.options.sqlite_path});
  } else {
    args.insert(args.end(), {"postgres", db_.options.postgres_url, db_.options.postgres_schema});
  }
  args.insert(args.end(), {std::to_string(tenant_.id), std::to_string(session->id), "3"});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  pid_t child = 0;
  ASSERT_EQ(posix_spawn(&child, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);

  // Read acknowledgements until the burst is well under way, then kill mid-write.
  std::set<Id> messages, usage;
  FILE* in = fdopen(fds[0], "r");
  ASSERT_NE(in, nullptr);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  char kind = 0;
  long long id = 0;
  while (messages.size() + usage.size() < 1000 && std::chrono::steady_clock::now() < deadline &&
         std::fscanf(in, " %c %lld", &kind, &id) == 2) {
    (kind == 'm' ? messages : usage).insert(id);
  }
  ASSERT_EQ(kill(child, SIGKILL), 0);
  // Lines the child printed before dying are acknowledged too.
  while (std::fscanf(in, " %c %lld", &kind, &id) == 2) (kind == 'm' ? messages : usage).insert(id);
  fclose(in);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child exited by itself";
  ASSERT_GE(messages.size() + usage.size(), 1000u);

  auto reopened = open_store(db_.options);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  store_ = std::move(*reopened);
  auto integrity = store_->check_integrity();
  EXPECT_TRUE(integrity.ok()) << integrity.error().message;
  for (Id m : messages) {
    EXPECT_TRUE(store_->get_message(tenant_.id, m).ok()) << "lost acknowledged message " << m;
  }
  std::set<Id> stored_usage;
  UsageQuery q;
  q.tenant_id = tenant_.id;
  q.page.limit = kMaxPageSize;
  for (;;) {
    auto page = store_->list_usage(q);
    ASSERT_TRUE(page.ok());
    if (page->empty()) break;
    for (const auto& u : *page) stored_usage.insert(u.id);
    q.page.after_id = page->back().id;
  }
  for (Id u : usage) EXPECT_TRUE(stored_usage.count(u)) << "lost acknowledged usage " << u;
  // Consistent: the session's messages are numbered 1..n without a gap.
  auto all = store_->list_messages(tenant_.id, session->id, PageRequest{0, kMaxPageSize});
  ASSERT_TRUE(all.ok());
  ASSERT_GE(all->size(), messages.size());
  for (size_t i = 0; i < all->size(); ++i) EXPECT_EQ((*all)[i].seq, static_cast<int64_t>(i + 1));
  // And the store takes writes again.
  EXPECT_TRUE(store_->append_message(tenant_.id, session->id, "user", "after").ok());
}

WOOLLY_STORE_BACKENDS(CrashTest);

}  // namespace
}  // namespace woolly::store::testing
