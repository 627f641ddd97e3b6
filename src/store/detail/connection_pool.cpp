#include "store/detail/connection_pool.h"

namespace woolly::store::detail {

Lease::~Lease() {
  if (conn_) pool_->give_back(std::move(conn_));
}

Result<Lease> ConnectionPool::acquire() {
  std::unique_ptr<Connection> conn;
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty(); });
    conn = std::move(idle_.back());
    idle_.pop_back();
  }
  Lease lease(this, std::move(conn));
  if (!lease->healthy()) {
    // The server went away (restart, network); one reconnect attempt per borrow.
    WOOLLY_TRY(lease->reconnect());
  }
  return lease;
}

void ConnectionPool::give_back(std::unique_ptr<Connection> conn) {
  conn->rollback();  // never hand on an open transaction
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(conn));
  }
  cv_.notify_one();
}

}  // namespace woolly::store::detail
