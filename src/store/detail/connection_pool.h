// A fixed set of connections lent one at a time. A lease gives its connection back when it goes
// out of scope; a connection found broken is reconnected before it is lent again.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "store/detail/connection.h"

namespace woolly::store::detail {

class ConnectionPool;

class Lease {
 public:
  Lease(ConnectionPool* pool, std::unique_ptr<Connection> conn)
      : pool_(pool), conn_(std::move(conn)) {}
  Lease(Lease&&) = default;
  Lease& operator=(Lease&&) = delete;
  ~Lease();
  Connection& operator*() { return *conn_; }
  Connection* operator->() { return conn_.get(); }

 private:
  ConnectionPool* pool_;
  std::unique_ptr<Connection> conn_;
};

class ConnectionPool {
 public:
  explicit ConnectionPool(std::vector<std::unique_ptr<Connection>> conns)
      : idle_(std::move(conns)) {}

  // Waits for a free connection; kUnavailable if a broken one cannot be reconnected.
  Result<Lease> acquire();

 private:
  friend class Lease;
  void give_back(std::unique_ptr<Connection> conn);

  std::mutex mu_;  // guards idle_; taken by any pool thread borrowing or returning
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace woolly::store::detail
