// Model management routes over a real ModelRegistry, on loopback.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/model_routes.h"
#include "backends/model_registry.h"
#include "net/test_client.h"
#include "net/test_server.h"

namespace woolly::api::testing {
namespace {
namespace json = boost::json;

class ModelRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = std::make_shared<backends::ModelRegistry>(
        backends::RegistryOptions{}, std::make_shared<net::client::HttpClient>());
    net::Router router;
    ASSERT_TRUE(install_model_routes(router, registry_).ok());
    server_ = std::make_unique<net::testing::RunningServer>(net::ServerOptions{}, std::move(router));
  }
  net::testing::HttpReply call(const std::string& method, const std::string& target,
                               const std::string& body = {}) {
    return net::testing::http_request(server_->port(), method, target,
                                      "Content-Type: application/json\r\n", body);
  }
  std::shared_ptr<backends::ModelRegistry> registry_;
  std::unique_ptr<net::testing::RunningServer> server_;
};

TEST_F(ModelRoutesTest, RegisterListGetHealthDelete) {
  // Port 9 (discard) on loopback: nothing listens, so the health check fails fast.
  auto reg = call("POST", "/api/v1/models/register",
                  R"({"name":"Llama 3.2 3B","backend_type":"ollama","capabilities":["chat"],
                      "config":{"base_url":"http://127.0.0.1:9","model_name":"llama3.2:3b",
                                "connect_timeout_ms":500}})");
  ASSERT_EQ(reg.status, 201) << reg.body;
  EXPECT_EQ(json::parse(reg.body).as_object()["id"], "ollama_llama_3_2_3b");

  auto list = call("GET", "/api/v1/models");
  ASSERT_EQ(list.status, 200);
  auto models = json::parse(list.body).as_object()["models"].as_array();
  ASSERT_EQ(models.size(), 1u);
  EXPECT_EQ(models[0].as_object()["capabilities"].as_object()["chat"], true);

  EXPECT_EQ(call("GET", "/api/v1/models/ollama_llama_3_2_3b").status, 200);
  auto health = call("GET", "/api/v1/health/models/ollama_llama_3_2_3b");
  EXPECT_EQ(health.status, 503) << health.body;
  EXPECT_EQ(json::parse(health.body).as_object()["status"], "unhealthy");

  EXPECT_EQ(call("DELETE", "/api/v1/models/ollama_llama_3_2_3b").status, 204);
  EXPECT_EQ(call("GET", "/api/v1/models/ollama_llama_3_2_3b").status, 404);
  EXPECT_EQ(call("GET", "/api/v1/health/models/ollama_llama_3_2_3b").status, 404);
}

TEST_F(ModelRoutesTest, RegisterRejectsBadBodies) {
  for (const char* body : {
           R"({"backend_type":"ollama","config":{"base_url":"http://x"}})",
           R"({"name":"m","backend_type":"gopher","config":{"base_url":"http://x"}})",
           R"({"name":"m","backend_type":"openai"})",
           R"({"name":"m","backend_type":"openai","capabilities":["flying"],"config":{"base_url":"http://x"}})",
           R"({"name":"m","backend_type":"openai","config":{}})",
       }) {
    EXPECT_EQ(call("POST", "/api/v1/models/register", body).status, 400) << body;
  }
  auto first = call("POST", "/api/v1/models/register",
                    R"({"name":"m","backend_type":"openai","config":{"base_url":"http://127.0.0.1:9"}})");
  EXPECT_EQ(first.status, 201) << first.body;
  auto again = call("POST", "/api/v1/models/register",
                    R"({"name":"m","backend_type":"openai","config":{"base_url":"http://127.0.0.1:9"}})");
  EXPECT_EQ(again.status, 409) << again.body;
}

TEST_F(ModelRoutesTest, LoadUnknownModelIs404) {
  EXPECT_EQ(call("POST", "/api/v1/models/nope/load").status, 404);
  EXPECT_EQ(call("POST", "/api/v1/models/nope/unload").status, 404);
}

}  // namespace
}  // namespace woolly::api::testing
