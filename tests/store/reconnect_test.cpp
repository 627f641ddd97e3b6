// PostgreSQL connections that the server dropped (restart, failover, idle kill) are replaced
// without failing the caller's next request.
#include <gtest/gtest.h>

#include "store/detail/postgres_connection.h"
#include "store/store.h"
#include "store/test_services.h"

namespace woolly::store::testing {
namespace {

TEST(PostgresReconnect, DroppedConnectionsAreReplacedTransparently) {
  auto s = services();
  if (!s) WOOLLY_REQUIRE_SERVICE("no env file at " + services_env_path());
  // A private application_name lets this test kill its own connections and nobody else's.
  const std::string app = unique_name("reconnect");
  StoreOptions o;
  o.backend = Backend::kPostgres;
  o.postgres_url = s->postgres_url + "?application_name=" + app;
  o.postgres_schema = unique_name("t");
  o.connections = 2;
  auto store = open_store(o);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto tenant = (*store)->create_tenant("acme");
  ASSERT_TRUE(tenant.ok());

  auto admin = detail::open_postgres(s->postgres_url, "");
  ASSERT_TRUE(admin.ok()) << admin.error().message;
  auto killed = detail::query(**admin,
                              "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                              "WHERE application_name = ?",
                              {app});
  ASSERT_TRUE(killed.ok()) << killed.error().message;
  ASSERT_EQ(killed->rows.at(0).integer(0), 2);

  // Both pooled connections are dead now; reads and writes still succeed.
  for (int i = 0; i < 3; ++i) {
    auto got = (*store)->get_tenant(tenant->id);
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(got->name, "acme");
  }
  ASSERT_TRUE(detail::query(**admin,
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE application_name = ?",
                            {app})
                  .ok());
  User u;
  u.tenant_id = tenant->id;
  u.name = "after-restart";
  auto created = (*store)->create_user(u);
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto created2 = (*store)->create_user(User{0, tenant->id, "second", "", "user", 0});
  ASSERT_TRUE(created2.ok()) << created2.error().message;
}

}  // namespace
}  // namespace woolly::store::testing
