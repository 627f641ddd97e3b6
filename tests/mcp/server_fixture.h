// A server with one open session whose output is recorded, plus helpers to talk to it.
#pragma once

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <memory>

#include "mcp/server.h"
#include "sink_recorder.h"

namespace woolly::mcp::testing {

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { make_server(ServerOptions{}); }

  void make_server(ServerOptions options) {
    server_.reset();
    server_ = std::make_unique<Server>(std::move(options), tools_, resources_, prompts_);
    sink_ = std::make_shared<SinkRecorder>();
    session_ = server_->open_session(sink_);
  }

  void send(const json::value& message) { server_->handle(session_, json::serialize(message)); }

  json::value request(json::value id, std::string method, json::object params = {}) {
    send(make_request(id, method, std::move(params)));
    auto r = sink_->response(id);
    EXPECT_TRUE(r.has_value()) << "no response to " << method;
    return r ? *r : json::value();
  }

  json::value initialize(std::string version = "2025-11-25") {
    json::value r = request(0, "initialize",
                            {{"protocolVersion", version},
                             {"capabilities", json::object{}},
                             {"clientInfo", {{"name", "test"}, {"version", "1"}}}});
    send(make_notification("notifications/initialized", {}));
    return r;
  }

  static json::object modern_meta(std::string version = "2026-07-28") {
    return {{"io.modelcontextprotocol/protocolVersion", version},
            {"io.modelcontextprotocol/clientCapabilities", json::object{}},
            {"io.modelcontextprotocol/clientInfo", {{"name", "t"}, {"version", "1"}}}};
  }

  static int code(const json::value& response) {
    const auto* e = response.as_object().if_contains("error");
    return e ? static_cast<int>(e->at("code").as_int64()) : 0;
  }
  static const json::object& result(const json::value& response) {
    return response.at("result").as_object();
  }

  std::shared_ptr<ToolRegistry> tools_ = std::make_shared<ToolRegistry>();
  std::shared_ptr<ResourceRegistry> resources_ = std::make_shared<ResourceRegistry>();
  std::shared_ptr<PromptRegistry> prompts_ = std::make_shared<PromptRegistry>();
  std::unique_ptr<Server> server_;
  std::shared_ptr<SinkRecorder> sink_;
  SessionId session_ = 0;
};

}  // namespace woolly::mcp::testing
