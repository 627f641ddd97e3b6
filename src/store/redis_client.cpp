#include "store/redis_client.h"

#include <hiredis/hiredis.h>

#include <charconv>

namespace woolly::store {

struct RedisClient::Conn {
  redisContext* ctx = nullptr;
  ~Conn() {
    if (ctx) redisFree(ctx);
  }
  bool broken() const { return !ctx || ctx->err != 0; }
};

namespace {

timeval to_timeval(int ms) { return timeval{ms / 1000, (ms % 1000) * 1000}; }

Result<RedisReply> convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_NIL:
      return out;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      return out;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out.type =
          r->type == REDIS_REPLY_STRING ? RedisReply::Type::kString : RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      return out;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      for (size_t i = 0; i < r->elements; ++i) {
        WOOLLY_ASSIGN_OR_RETURN(RedisReply e, convert(r->element[i]));
        out.elements.push_back(std::move(e));
      }
      return out;
    case REDIS_REPLY_ERROR:
      return Error(Errc::kInternal, "redis: " + std::string(r->str, r->len));
    default:
      return Error(Errc::kInternal, "redis: unexpected reply type " + std::to_string(r->type));
  }
}

bool is_noscript(const Error& e) { return e.message.rfind("redis: NOSCRIPT", 0) == 0; }

}  // namespace

Result<RedisClient::Endpoint> RedisClient::parse_url(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return Error(Errc::kInvalidArgument, "Redis URL must start with redis://");
  }
  std::string_view rest = url.substr(kScheme.size());
  Endpoint ep;
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view auth = rest.substr(0, at);
    // redis://:password@host or redis://user:password@host (the user is ignored: AUTH password).
    size_t colon = auth.find(':');
    ep.password = std::string(colon == std::string_view::npos ? auth : auth.substr(colon + 1));
    rest = rest.substr(at + 1);
  }
  std::string_view hostport = rest.substr(0, rest.find('/'));
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && std::from_chars(db.data(), db.data() + db.size(), ep.db).ec != std::errc{}) {
      return Error(Errc::kInvalidArgument, "Redis URL has a bad database number");
    }
  }
  size_t colon = hostport.rfind(':');
  if (colon != std::string_view::npos) {
    std::string_view port = hostport.substr(colon + 1);
    if (std::from_chars(port.data(), port.data() + port.size(), ep.port).ec != std::errc{} ||
        ep.port <= 0 || ep.port > 65535) {
      return Error(Errc::kInvalidArgument, "Redis URL has a bad port");
    }
    hostport = hostport.substr(0, colon);
  }
  ep.host = std::string(hostport.empty() ? "127.0.0.1" : hostport);
  return ep;
}

Result<std::unique_ptr<RedisClient>> RedisClient::connect(const RedisOptions& options) {
  WOOLLY_ASSIGN_OR_RETURN(Endpoint ep, parse_url(options.url));
  std::unique_ptr<RedisClient> client(new RedisClient(options, std::move(ep)));
  WOOLLY_ASSIGN_OR_RETURN(auto conn, client->take());
  client->give_back(std::move(conn));
  return client;
}

RedisClient::RedisClient(RedisOptions options, Endpoint endpoint)
    : options_(std::move(options)), endpoint_(std::move(endpoint)) {
  if (options_.connections < 1) options_.connections = 1;
}

RedisClient::~RedisClient() = default;

Result<std::unique_ptr<RedisClient::Conn>> RedisClient::open_conn() {
  auto conn = std::make_unique<Conn>();
  conn->ctx = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port,
                                      to_timeval(options_.connect_timeout_ms));
  if (conn->broken()) {
    std::string why = conn->ctx ? conn->ctx->errstr : "out of memory";
    return Error(Errc::kUnavailable, "cannot connect to Redis at " + endpoint_.host + ":" +
                                         std::to_string(endpoint_.port) + ": " + why);
  }
  redisSetTimeout(conn->ctx, to_timeval(options_.command_timeout_ms));
  if (!endpoint_.password.empty()) {
    WOOLLY_TRY(run_once(*conn, {"AUTH", endpoint_.password}));
  }
  if (endpoint_.db != 0) {
    WOOLLY_TRY(run_once(*conn, {"SELECT", std::to_string(endpoint_.db)}));
  }
  return conn;
}

Result<std::unique_ptr<RedisClient::Conn>> RedisClient::take() {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_ < options_.connections; });
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      if (!conn->broken()) return conn;
      --open_;  // dropped below, replaced by a fresh one
    }
    ++open_;
  }
  auto conn = open_conn();
  if (!conn.ok()) {
    std::lock_guard lock(mu_);
    --open_;
    cv_.notify_one();
  }
  return conn;
}

void RedisClient::drop_idle() {
  std::lock_guard lock(mu_);
  open_ -= static_cast<int>(idle_.size());
  idle_.clear();
  cv_.notify_all();
}

void RedisClient::give_back(std::unique_ptr<Conn> conn) {
  std::lock_guard lock(mu_);
  if (conn->broken()) {
    --open_;
  } else {
    idle_.push_back(std::move(conn));
  }
  cv_.notify_one();
}

Result<RedisReply> RedisClient::run_once(Conn& conn, const std::vector<std::string>& args) {
  std::vector<const char*> argv(args.size());
  std::vector<size_t> lens(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    argv[i] = args[i].data();
    lens[i] = args[i].size();
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(conn.ctx, static_cast<int>(args.size()), argv.data(), lens.data()));
  if (!reply) {
    return Error(Errc::kUnavailable, std::string("Redis connection failed: ") + conn.ctx->errstr);
  }
  Result<RedisReply> out = convert(reply);
  freeReplyObject(reply);
  return out;
}

Result<RedisReply> RedisClient::command(const std::vector<std::string>& args) {
  if (args.empty()) return Error(Errc::kInvalidArgument, "empty Redis command");
  // A pooled connection may have died while idle (Redis restarted, idle timeout): then the
  // command runs once more on a fresh connection. That second run can repeat a command the
  // server did execute before the connection broke; the scripts used here (token buckets,
  // counters with expiry) tolerate one repetition better than a spurious failure.
  for (int attempt = 0;; ++attempt) {
    WOOLLY_ASSIGN_OR_RETURN(auto conn, take());
    Result<RedisReply> r = run_once(*conn, args);
    const bool broken = conn->broken();
    give_back(std::move(conn));
    if (!broken || attempt == 1) return r;
    drop_idle();  // they most likely died with this one: retry on a fresh connection
  }
}

Result<std::string> RedisClient::load_script(std::string_view source) {
  WOOLLY_ASSIGN_OR_RETURN(RedisReply r, command({"SCRIPT", "LOAD", std::string(source)}));
  if (r.type != RedisReply::Type::kString) {
    return Error(Errc::kInternal, "redis: SCRIPT LOAD did not return a SHA1");
  }
  return r.str;
}

Result<RedisReply> RedisClient::eval(RedisScript& script, const std::vector<std::string>& keys,
                                     const std::vector<std::string>& args) {
  std::string sha;
  {
    std::lock_guard lock(script.mu_);
    sha = script.sha_;
  }
  for (int attempt = 0;; ++attempt) {
    if (sha.empty()) {
      WOOLLY_ASSIGN_OR_RETURN(sha, load_script(script.source_));
      std::lock_guard lock(script.mu_);
      script.sha_ = sha;
    }
    std::vector<std::string> argv;
    argv.reserve(3 + keys.size() + args.size());
    argv.push_back("EVALSHA");
    argv.push_back(sha);
    argv.push_back(std::to_string(keys.size()));
    argv.insert(argv.end(), keys.begin(), keys.end());
    argv.insert(argv.end(), args.begin(), args.end());
    Result<RedisReply> r = command(argv);
    if (r.ok() || attempt == 1 || !is_noscript(r.error())) return r;
    sha.clear();  // the server forgot the script: load it again and retry once
  }
}

}  // namespace woolly::store
