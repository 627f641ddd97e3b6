// The parameterized fixture every store test uses: each test runs once on SQLite and once on
// PostgreSQL, each time on a fresh database, with one tenant created.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "store/store.h"
#include "store/test_services.h"

namespace woolly::store::testing {

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = fresh_db(GetParam());
    if (!db_.error.empty()) WOOLLY_REQUIRE_SERVICE(db_.error);
    auto opened = open_store(db_.options);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
    auto t = store_->create_tenant(unique_name("tenant"));
    ASSERT_TRUE(t.ok()) << t.error().message;
    tenant_ = *t;
  }
  void TearDown() override {
    store_.reset();
    remove_db(db_);
  }

  Result<std::unique_ptr<Store>> reopen() {
    store_.reset();
    return open_store(db_.options);
  }

  User make_user(const std::string& name, Id tenant_id = 0) {
    User u;
    u.tenant_id = tenant_id ? tenant_id : tenant_.id;
    u.name = name;
    u.email = name + "@example.com";
    auto r = store_->create_user(u);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : User{};
  }

  FreshDb db_;
  std::unique_ptr<Store> store_;
  Tenant tenant_;
};

inline std::string param_name(const ::testing::TestParamInfo<Backend>& info) {
  return backend_name(info.param);
}

}  // namespace woolly::store::testing

#define WOOLLY_STORE_BACKENDS(Suite)                                                             \
  INSTANTIATE_TEST_SUITE_P(                                                                      \
      Backends, Suite,                                                                           \
      ::testing::Values(::woolly::store::Backend::kSqlite, ::woolly::store::Backend::kPostgres), \
      ::woolly::store::testing::param_name)
