// Model changes reach the MCP clients of the real woolly-server: registering and removing a model
// sends notifications/resources/list_changed (the woolly://models/{name} list changed), and
// unloading one sends notifications/resources/updated to the clients subscribed to its resource.
#include <boost/json.hpp>

#include "mcp_child.h"

namespace woolly::app {
namespace {

using testing::McpChild;
namespace json = boost::json;

struct McpModelChangesTest : McpChild {
  // The next notification `method`, skipping other messages; null when the connection closes or
  // stays quiet for the read timeout.
  static json::value notification(net::testing::Connection& c, std::string_view method) {
    for (int i = 0; i < 100; ++i) {
      json::value v = ws_next(c);
      if (v.is_null()) return nullptr;
      const json::value* m = v.as_object().if_contains("method");
      if (m && m->is_string() && m->as_string() == method) return v;
    }
    return nullptr;
  }
  net::testing::HttpReply api(const std::string& method, const std::string& path,
                              const std::string& body = {}) {
    return net::testing::http_request(
        port_, method, path,
        "X-API-Key: " + testing::kMcpKey + "\r\nContent-Type: application/json\r\n", body);
  }
};

TEST_F(McpModelChangesTest, RegisterUnloadAndRemoveAreAnnounced) {
  start();
  auto ws = ws_connect();
  ws_initialize(*ws);
  json::value r = ws_rpc(*ws, R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{
      "name":"get_model_info","arguments":{}}})", 1);
  const json::value& model = r.at("result").at("structuredContent");
  const std::string name(model.at("name").as_string());
  const std::string id(model.at("id").as_string());
  const std::string uri = "woolly://models/" + name;
  r = ws_rpc(*ws, R"({"jsonrpc":"2.0","id":2,"method":"resources/subscribe","params":{"uri":")" +
                      uri + R"("}})", 2);
  ASSERT_TRUE(r.as_object().contains("result")) << json::serialize(r);

  // A new model: the resource list changed, and it now holds the new model.
  auto reg = api("POST", "/api/v1/models/register",
                 R"({"name":"Extra","backend_type":"openai",)"
                 R"("config":{"base_url":"http://127.0.0.1:9","model_name":"x"}})");
  ASSERT_EQ(reg.status, 201) << reg.body;
  EXPECT_FALSE(notification(*ws, "notifications/resources/list_changed").is_null());
  r = ws_rpc(*ws, R"({"jsonrpc":"2.0","id":3,"method":"resources/list"})", 3);
  EXPECT_NE(json::serialize(r).find("woolly://models/Extra"), std::string::npos)
      << json::serialize(r);

  // Unloading the subscribed model changes its metadata ("loaded").
  auto unload = api("POST", "/api/v1/models/" + id + "/unload");
  ASSERT_LT(unload.status, 300) << unload.body;
  json::value updated = notification(*ws, "notifications/resources/updated");
  ASSERT_FALSE(updated.is_null());
  EXPECT_EQ(updated.at("params").at("uri"), json::value(uri));
  r = ws_rpc(*ws, R"({"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":")" + uri +
                      R"("}})", 4);
  EXPECT_NE(json::serialize(r).find(R"(\"loaded\":false)"), std::string::npos)
      << json::serialize(r);

  // Removing a model changes the list again.
  auto del = api("DELETE", "/api/v1/models/" + std::string(json::parse(reg.body).at("id").as_string()));
  ASSERT_EQ(del.status, 204) << del.body;
  EXPECT_FALSE(notification(*ws, "notifications/resources/list_changed").is_null());
  r = ws_rpc(*ws, R"({"jsonrpc":"2.0","id":5,"method":"resources/list"})", 5);
  EXPECT_EQ(json::serialize(r).find("woolly://models/Extra"), std::string::npos)
      << json::serialize(r);
}

}  // namespace
}  // namespace woolly::app
