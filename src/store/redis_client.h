// A synchronous Redis client (hiredis) for state several Woolly instances share: rate-limit
// buckets, counters. Blocking: call it from the store's pool (Store::post), never an I/O thread.
//
// Atomic operations are Lua scripts run with EVALSHA: `RedisScript` carries the source, the
// client loads it once per server and reloads it transparently after NOSCRIPT (Redis restarted
// or SCRIPT FLUSH).
//
// Thread-safe: a small pool of connections, each used by one thread at a time. A broken
// connection is dropped and a new one made on the next call.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace woolly::store {

struct RedisReply {
  enum class Type { kNil, kInteger, kString, kStatus, kArray };
  Type type = Type::kNil;
  int64_t integer = 0;
  std::string str;                   // kString and kStatus
  std::vector<RedisReply> elements;  // kArray

  bool is_nil() const { return type == Type::kNil; }
};

struct RedisOptions {
  std::string url = "redis://127.0.0.1:6379";  // redis://[:password@]host[:port][/db]
  int connections = 2;
  int connect_timeout_ms = 2000;
  int command_timeout_ms = 2000;
};

// A Lua script; its SHA1 is learned from the server on first use.
class RedisScript {
 public:
  explicit RedisScript(std::string source) : source_(std::move(source)) {}
  const std::string& source() const { return source_; }

 private:
  friend class RedisClient;
  std::string source_;
  std::mutex mu_;    // guards sha_; scripts are shared by all threads using the client
  std::string sha_;  // empty until loaded
};

class RedisClient {
 public:
  // Checks the URL and connects once so a wrong address fails at start-up (kUnavailable).
  static Result<std::unique_ptr<RedisClient>> connect(const RedisOptions& options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // One command, arguments sent binary-safe. An error reply is kInternal with Redis's text;
  // a connection failure is kUnavailable (after one retry on a fresh connection).
  Result<RedisReply> command(const std::vector<std::string>& args);

  // SCRIPT LOAD; returns the SHA1.
  Result<std::string> load_script(std::string_view source);

  // EVALSHA with the given keys and arguments, loading the script first if needed.
  Result<RedisReply> eval(RedisScript& script, const std::vector<std::string>& keys,
                          const std::vector<std::string>& args);

  struct Endpoint {
    std::string host;
    int port = 6379;
    std::string password;
    int db = 0;
  };
  static Result<Endpoint> parse_url(std::string_view url);

 private:
  struct Conn;
  RedisClient(RedisOptions options, Endpoint endpoint);
  Result<std::unique_ptr<Conn>> open_conn();
  Result<std::unique_ptr<Conn>> take();
  void give_back(std::unique_ptr<Conn> conn);
  void drop_idle();
  Result<RedisReply> run_once(Conn& conn, const std::vector<std::string>& args);

  RedisOptions options_;
  Endpoint endpoint_;
  std::mutex mu_;  // guards idle_ and open_; any caller thread
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> idle_;
  int open_ = 0;  // connections existing (idle or lent)
};

}  // namespace woolly::store
