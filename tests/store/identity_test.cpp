// Tenants, users and API keys, on both databases.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "store/store_fixture.h"

namespace woolly::store::testing {
namespace {

using IdentityTest = StoreTest;

TEST_P(IdentityTest, TenantNamesAreUniqueAndFindable) {
  auto found = store_->find_tenant(tenant_.name);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->id, tenant_.id);
  auto dup = store_->create_tenant(tenant_.name);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, Errc::kAlreadyExists);
  EXPECT_EQ(store_->get_tenant(tenant_.id + 100000).error().code, Errc::kNotFound);
}

TEST_P(IdentityTest, UsersAreScopedByTenant) {
  User alice = make_user("alice");
  auto other = store_->create_tenant(unique_name("other"));
  ASSERT_TRUE(other.ok());
  User bob = make_user("bob", other->id);

  auto got = store_->get_user(tenant_.id, alice.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->email, "alice@example.com");
  // Bob exists, but not in this tenant: exactly like a missing row.
  auto cross = store_->get_user(tenant_.id, bob.id);
  ASSERT_FALSE(cross.ok());
  EXPECT_EQ(cross.error().code, Errc::kNotFound);
  EXPECT_EQ(store_->delete_user(tenant_.id, bob.id).error().code, Errc::kNotFound);
  EXPECT_TRUE(store_->get_user(other->id, bob.id).ok());

  // The same name may exist once per tenant.
  User alice_other = make_user("alice", other->id);
  EXPECT_NE(alice_other.id, 0);
  User dup;
  dup.tenant_id = tenant_.id;
  dup.name = "alice";
  EXPECT_EQ(store_->create_user(dup).error().code, Errc::kAlreadyExists);
}

TEST_P(IdentityTest, ListUsersPagesInIdOrder) {
  std::vector<Id> ids;
  for (int i = 0; i < 7; ++i) ids.push_back(make_user("u" + std::to_string(i)).id);
  std::vector<Id> seen;
  PageRequest page{0, 3};
  for (;;) {
    auto batch = store_->list_users(tenant_.id, page);
    ASSERT_TRUE(batch.ok());
    if (batch->empty()) break;
    EXPECT_LE(batch->size(), 3u);
    for (const User& u : *batch) seen.push_back(u.id);
    page.after_id = batch->back().id;
  }
  EXPECT_EQ(seen, ids);
}

TEST_P(IdentityTest, ApiKeyVerifiesOnlyWithTheExactSecret) {
  User alice = make_user("alice");
  ApiKeySpec spec;
  spec.tenant_id = tenant_.id;
  spec.user_id = alice.id;
  spec.name = "ci";
  spec.scopes = {"chat", "models:read"};
  spec.rpm = 120;
  spec.budget = 5'000'000;
  spec.allowed_models = {"llama-3", "qwen"};
  auto created = store_->create_api_key(spec);
  ASSERT_TRUE(created.ok()) << created.error().message;
  const std::string& secret = created->secret;
  EXPECT_EQ(secret.rfind("wk_" + created->key.prefix + "_", 0), 0u);

  auto ok = store_->verify_api_key(secret);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->id, created->key.id);
  EXPECT_EQ(ok->spec.tenant_id, tenant_.id);
  EXPECT_EQ(ok->spec.user_id, alice.id);
  EXPECT_EQ(ok->spec.scopes, spec.scopes);
  EXPECT_EQ(ok->spec.rpm, 120);
  EXPECT_EQ(ok->spec.tpm, std::nullopt);
  EXPECT_EQ(ok->spec.budget, 5'000'000);
  EXPECT_EQ(ok->spec.allowed_models, spec.allowed_models);
  EXPECT_TRUE(ok->spec.allowed_tools.empty());

  std::string wrong = secret;
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';
  for (const std::string& bad : {wrong, secret.substr(0, secret.size() - 1), std::string("wk_"),
                                 std::string("garbage"), std::string("")}) {
    auto r = store_->verify_api_key(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Errc::kUnauthenticated);
  }
}

TEST_P(IdentityTest, ApiKeySecretIsNotStored) {
  ApiKeySpec spec;
  spec.tenant_id = tenant_.id;
  auto created = store_->create_api_key(spec);
  ASSERT_TRUE(created.ok());
  const std::string random_part = created->secret.substr(created->secret.rfind('_') + 1);
  ASSERT_EQ(random_part.size(), 64u);
  // No text column of the key row may contain the secret's random part.
  auto key = store_->get_api_key(tenant_.id, created->key.id);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->prefix, created->key.prefix);
  if (GetParam() == Backend::kSqlite) {
    std::ifstream f(db_.options.sqlite_path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), {});
    std::ifstream w(db_.options.sqlite_path + "-wal", std::ios::binary);
    bytes.append((std::istreambuf_iterator<char>(w)), {});
    EXPECT_EQ(bytes.find(random_part), std::string::npos);
    EXPECT_NE(bytes.find(created->key.prefix), std::string::npos);
  }
}

TEST_P(IdentityTest, RevokedKeyNoLongerVerifiesAndOtherTenantsCannotRevoke) {
  ApiKeySpec spec;
  spec.tenant_id = tenant_.id;
  auto created = store_->create_api_key(spec);
  ASSERT_TRUE(created.ok());
  auto other = store_->create_tenant(unique_name("other"));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(store_->revoke_api_key(other->id, created->key.id).error().code, Errc::kNotFound);
  EXPECT_EQ(store_->get_api_key(other->id, created->key.id).error().code, Errc::kNotFound);
  ASSERT_TRUE(store_->verify_api_key(created->secret).ok());

  ASSERT_TRUE(store_->revoke_api_key(tenant_.id, created->key.id).ok());
  EXPECT_EQ(store_->verify_api_key(created->secret).error().code, Errc::kUnauthenticated);
  auto listed = store_->list_api_keys(tenant_.id, {});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_TRUE(listed->front().revoked_at.has_value());
}

TEST_P(IdentityTest, KeyForAUserOfAnotherTenantIsRefused) {
  auto other = store_->create_tenant(unique_name("other"));
  ASSERT_TRUE(other.ok());
  User stranger = make_user("stranger", other->id);
  ApiKeySpec spec;
  spec.tenant_id = tenant_.id;
  spec.user_id = stranger.id;
  EXPECT_EQ(store_->create_api_key(spec).error().code, Errc::kNotFound);
  spec.user_id.reset();
  spec.scopes = {"bad\nscope"};
  EXPECT_EQ(store_->create_api_key(spec).error().code, Errc::kInvalidArgument);
}

WOOLLY_STORE_BACKENDS(IdentityTest);

}  // namespace
}  // namespace woolly::store::testing
