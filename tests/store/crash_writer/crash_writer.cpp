// Test helper for crash_test.cpp: writes to the store as fast as it can from several threads
// and prints one line per acknowledged write ("m <message id>" or "u <usage id>"), flushed at
// once, until it is killed. Whatever it printed must survive its SIGKILL.
//
//   store_crash_writer sqlite <path> <tenant> <session> <threads>
//   store_crash_writer postgres <url> <schema> <tenant> <session> <threads>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"

using namespace woolly::store;

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: see crash_writer.cpp\n");
    return 2;
  }
  StoreOptions o;
  int i = 2;
  if (std::string(argv[1]) == "sqlite") {
    o.backend = Backend::kSqlite;
    o.sqlite_path = argv[i++];
  } else {
    o.backend = Backend::kPostgres;
    o.postgres_url = argv[i++];
    o.postgres_schema = argv[i++];
  }
  if (argc < i + 3) return 2;
  const Id tenant = std::atoll(argv[i]);
  const Id session = std::atoll(argv[i + 1]);
  const int threads = std::atoi(argv[i + 2]);
  auto store = open_store(o);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.error().message.c_str());
    return 1;
  }
  std::mutex out_mu;  // keeps lines whole across writer threads
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int n = 0;; ++n) {
        const bool message = (n + t) % 2 == 0;
        Id id = 0;
        if (message) {
          auto r = (*store)->append_message(tenant, session, "user", std::to_string(n));
          if (!r.ok()) continue;
          id = r->id;
        } else {
          UsageRecord u;
          u.tenant_id = tenant;
          u.model = "crash";
          u.backend = "test";
          u.status = "ok";
          u.prompt_tokens = n;
          auto r = (*store)->record_usage(u);
          if (!r.ok()) continue;
          id = *r;
        }
        std::lock_guard lock(out_mu);
        std::printf("%c %lld\n", message ? 'm' : 'u', static_cast<long long>(id));
        std::fflush(stdout);
      }
    });
  }
  for (auto& th : pool) th.join();
  return 0;
}
