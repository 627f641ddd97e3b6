// Runs a real net::Server on 127.0.0.1 with an ephemeral port for one test.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "net/server.h"
#include "obs/metrics/registry.h"

namespace woolly::net::testing {

struct RunningServer {
  obs::Registry metrics;
  std::unique_ptr<Server> server;

  RunningServer(ServerOptions opts, Router router, std::vector<BeforeHook> hooks = {}) {
    opts.bind = "127.0.0.1:0";
    opts.access_log = false;
    auto s = Server::create(std::move(opts), std::move(router), &metrics);
    if (!s.ok()) {
      ADD_FAILURE() << s.error().message;
      return;
    }
    server = std::move(s).value();
    for (auto& h : hooks) server->add_before_hook(std::move(h));
    server->start();
  }
  ~RunningServer() {
    if (server) {
      server->shutdown();
      server->wait();
    }
  }
  uint16_t port() const { return server->port(); }
};

}  // namespace woolly::net::testing
