// What identity, limits and credits add to one request, in one process on loopback: the same
// POST /v1/chat/completions over an instant backend (it answers at once, so only the overhead
// is left), timed one request at a time on a keep-alive connection, in three set-ups:
//
//   plain     no auth hook, no metering
//   sqlite    auth hook (store API key, cached after first use) + in-memory request bucket +
//             metering (tokens bucket, credit reservation, charge, usage record) on SQLite
//   pg+redis  the same on PostgreSQL, with the request and tokens buckets in Redis
//
// Usage: store_overhead [requests=2000] [postgres_url redis_url]   (the last two: pg+redis too)
// Prints one Markdown row per set-up: p50, p99 (microseconds) and both as a ratio to plain.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "api/auth_routes.h"
#include "api/metering.h"
#include "api/serving.h"
#include "auth/authenticator.h"
#include "limits/rate_limiter.h"
#include "net/server.h"
#include "net/test_client.h"
#include "obs/metrics/registry.h"
#include "store/redis_client.h"
#include "store/store.h"

using namespace woolly;
using Clock = std::chrono::steady_clock;

namespace {

// Answers every generation at once with a fixed usage: the request's own cost is nil.
class InstantBackend : public backends::Backend {
 public:
  std::string type() const override { return "local"; }
  backends::Capabilities capabilities() const override { return {}; }
  Status health() override { return {}; }
  void chat_async(backends::ChatRequest req, backends::StreamCallback,
                  backends::DoneCallback<backends::ChatResponse> on_done) override {
    backends::ChatResponse r;
    r.model = req.model;
    r.message = {"assistant", "ok"};
    r.usage = {5, 2};
    on_done(std::move(r));
  }
  void complete_async(backends::CompletionRequest, backends::StreamCallback,
                      backends::DoneCallback<backends::CompletionResponse> on_done) override {
    on_done(Error(Errc::kUnsupported, "chat only"));
  }
  void embed_async(backends::EmbedRequest,
                   backends::DoneCallback<backends::EmbedResponse> on_done) override {
    on_done(Error(Errc::kUnsupported, "chat only"));
  }
};

struct Percentiles {
  double p50_us = 0;
  double p99_us = 0;
};

// Identity, limits and metering for one set-up; none of it for "plain".
struct Guard {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::RedisClient> redis;
  std::unique_ptr<auth::Authenticator> authenticator;
  std::unique_ptr<limits::RateLimiter> limiter;
  std::shared_ptr<api::AuthServices> services;
  std::string secret;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "store_overhead: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T must(Result<T> r, const char* what) {
  if (!r.ok()) die(std::string(what) + ": " + r.error().message);
  return std::move(*r);
}

std::unique_ptr<Guard> make_guard(store::StoreOptions so, const std::string& redis_url) {
  auto g = std::make_unique<Guard>();
  g->store = must(store::open_store(so), "open store");
  auto tenant = must(g->store->create_tenant("bench_" + std::to_string(getpid())), "tenant");
  store::ApiKeySpec spec;
  spec.tenant_id = tenant.id;
  spec.name = "bench";
  spec.scopes = {"inference"};
  auto key = must(g->store->create_api_key(spec), "api key");
  g->secret = key.secret;
  must(
      g->store->grant({tenant.id, "key:" + std::to_string(key.key.id)}, 1'000'000'000'000, "bench"),
      "grant");
  auth::AuthOptions ao;
  ao.default_tenant_id = tenant.id;
  g->authenticator = must(auth::Authenticator::create(ao, g->store.get()), "authenticator");
  if (redis_url.empty()) {
    g->limiter = std::make_unique<limits::MemoryRateLimiter>();
  } else {
    store::RedisOptions ro;
    ro.url = redis_url;
    g->redis = must(store::RedisClient::connect(ro), "redis");
    g->limiter = std::make_unique<limits::RedisRateLimiter>(
        *g->redis, "woolly:bench:" + std::to_string(getpid()) + ":");
  }
  g->services = std::make_shared<api::AuthServices>();
  g->services->authenticator = g->authenticator.get();
  g->services->limiter = g->limiter.get();
  g->services->store = g->store.get();
  // Limits far above what the run asks for: every bucket is consulted, none refuses.
  g->services->rates = {1'000'000'000, 1'000'000'000, 1'000'000'000, 1'000'000'000};
  return g;
}

Percentiles measure(Guard* guard, int requests) {
  auto ctx = std::make_shared<api::ServingContext>();
  auto backend = std::make_shared<InstantBackend>();
  ctx->resolve = [backend](std::string_view) -> Result<std::shared_ptr<backends::Backend>> {
    return std::shared_ptr<backends::Backend>(backend);
  };
  ctx->list_models = [] { return std::vector<api::ModelSummary>{{"m", "m", "local"}}; };
  if (guard) {
    api::MeteringOptions mo;
    mo.store = guard->store.get();
    mo.prices.set("m", {1000, 2000});
    mo.limiter = guard->limiter.get();
    mo.tokens_per_minute = 1'000'000'000;
    ctx->metering = std::make_shared<api::Metering>(std::move(mo));
  }
  net::Router router;
  if (!api::install_openai_routes(router, ctx).ok()) die("routes");
  obs::Registry metrics;
  net::ServerOptions opts;
  opts.bind = "127.0.0.1:0";
  opts.threads = 2;
  opts.access_log = false;
  auto server = must(net::Server::create(opts, std::move(router), &metrics), "server");
  // As serve installs it: decided inline when nothing blocks, on the hook pool otherwise.
  if (guard) api::install_auth_hook(*server, guard->services);
  server->start();

  const std::string body =
      R"({"model":"m","max_tokens":16,"messages":[{"role":"user","content":"hello there"}]})";
  std::string request =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: bench\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n";
  if (guard) request += "Authorization: Bearer " + guard->secret + "\r\n";
  request += "\r\n" + body;

  net::testing::Connection c(server->port(), 30000);
  std::vector<double> us;
  const int warmup = std::max(50, requests / 10);
  for (int i = 0; i < warmup + requests; ++i) {
    auto t0 = Clock::now();
    c.send_all(request);
    auto reply = c.read_response();
    auto t1 = Clock::now();
    if (reply.status != 200) die("status " + std::to_string(reply.status) + ": " + reply.body);
    if (i >= warmup) us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  server->shutdown();
  server->wait();
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[std::min(us.size() - 1, us.size() * 99 / 100)]};
}

void row(const char* name, Percentiles p, Percentiles plain) {
  std::printf("| %s | %.0f | %.0f | %.1fx | %.1fx |\n", name, p.p50_us, p.p99_us,
              p.p50_us / plain.p50_us, p.p99_us / plain.p99_us);
}

}  // namespace

int main(int argc, char** argv) {
  int requests = argc > 1 ? std::atoi(argv[1]) : 2000;
  if (requests < 10) die("requests must be at least 10");
  std::string pg = argc > 3 ? argv[2] : "", redis = argc > 3 ? argv[3] : "";

  auto dir =
      std::filesystem::temp_directory_path() / ("woolly_store_bench_" + std::to_string(getpid()));
  store::StoreOptions sqlite;
  sqlite.sqlite_path = (dir / "woolly.db").string();

  Percentiles plain = measure(nullptr, requests);
  auto lite = make_guard(sqlite, "");
  Percentiles on_sqlite = measure(lite.get(), requests);
  std::printf("| set-up | p50 (us) | p99 (us) | p50 vs plain | p99 vs plain |\n");
  std::printf("|---|---|---|---|---|\n");
  row("plain (no auth, unmetered)", plain, plain);
  row("SQLite: auth + rate limit + credits + usage", on_sqlite, plain);
  if (!pg.empty()) {
    store::StoreOptions po;
    po.backend = store::Backend::kPostgres;
    po.postgres_url = pg;
    po.postgres_schema = "bench_" + std::to_string(getpid());
    auto remote = make_guard(po, redis);
    row("PostgreSQL + Redis: the same", measure(remote.get(), requests), plain);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
