// A net::Server on loopback with the serving routes over two fake backends: "fake" answers,
// "failing" fails every generation. Anything else is an unknown model.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "api/hub_ws.h"
#include "api/serving.h"
#include "api_serving/fake_backend.h"
#include "net/test_client.h"
#include "net/test_server.h"

namespace woolly::api::testing {

class ServingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    failing_->fail = true;
    ctx_ = std::make_shared<ServingContext>();
    auto fake = fake_;
    auto failing = failing_;
    ctx_->resolve = [fake, failing](std::string_view model) -> Result<std::shared_ptr<backends::Backend>> {
      if (model.empty() || model == "fake") return std::shared_ptr<backends::Backend>(fake);
      if (model == "failing") return std::shared_ptr<backends::Backend>(failing);
      return Error(Errc::kNotFound, "The model '" + std::string(model) + "' does not exist");
    };
    ctx_->list_models = [] {
      return std::vector<ModelSummary>{{"fake", "fake", "local"}, {"failing", "failing", "local"}};
    };
    ctx_->system_prompt = "be brief";
    net::Router router;
    ASSERT_TRUE(install_openai_routes(router, ctx_).ok());
    ASSERT_TRUE(install_inference_routes(router, ctx_).ok());
    ASSERT_TRUE(install_prompt_routes(router, ctx_).ok());
    ASSERT_TRUE(install_hub_ws(router, ctx_).ok());
    net::ServerOptions opts;
    opts.threads = 2;
    server_ = std::make_unique<net::testing::RunningServer>(opts, std::move(router));
    ctx_->metrics = &server_->metrics;
  }
  void TearDown() override {
    server_.reset();
    fake_.reset();
    failing_.reset();
  }

  uint16_t port() const { return server_->port(); }

  net::testing::HttpReply post(const std::string& target, const std::string& body) {
    return net::testing::http_request(port(), "POST", target,
                                      "Content-Type: application/json\r\n", body);
  }

  // The data: payloads of an SSE body, one per event.
  static std::vector<std::string> sse_data(const std::string& body) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < body.size()) {
      size_t end = body.find("\n\n", i);
      if (end == std::string::npos) end = body.size();
      std::string data;
      size_t line = i;
      while (line < end) {
        size_t nl = body.find('\n', line);
        if (nl == std::string::npos || nl > end) nl = end;
        std::string_view l(body.data() + line, nl - line);
        if (l.starts_with("data: ")) data += l.substr(6);
        line = nl + 1;
      }
      if (!data.empty()) out.push_back(std::move(data));
      i = end + 2;
    }
    return out;
  }

  // The SSE events as (event name, data) pairs.
  static std::vector<std::pair<std::string, std::string>> sse_events(const std::string& body) {
    std::vector<std::pair<std::string, std::string>> out;
    size_t i = 0;
    while (i < body.size()) {
      size_t end = body.find("\n\n", i);
      if (end == std::string::npos) end = body.size();
      std::string name, data;
      size_t line = i;
      while (line < end) {
        size_t nl = body.find('\n', line);
        if (nl == std::string::npos || nl > end) nl = end;
        std::string_view l(body.data() + line, nl - line);
        if (l.starts_with("data: ")) data += l.substr(6);
        if (l.starts_with("event: ")) name = l.substr(7);
        line = nl + 1;
      }
      if (!data.empty()) out.emplace_back(std::move(name), std::move(data));
      i = end + 2;
    }
    return out;
  }

  double cancelled_metric(const std::string& surface) {
    double v = 0;
    server_->metrics.counter("woolly_generations_cancelled_total", "", {"surface"})
        .for_each([&](const std::vector<std::string>& labels, const obs::Counter& c) {
          if (labels == std::vector<std::string>{surface}) v = c.value();
        });
    return v;
  }

  std::shared_ptr<FakeBackend> fake_ = std::make_shared<FakeBackend>();
  std::shared_ptr<FakeBackend> failing_ = std::make_shared<FakeBackend>();
  std::shared_ptr<ServingContext> ctx_;
  std::unique_ptr<net::testing::RunningServer> server_;
};

}  // namespace woolly::api::testing
