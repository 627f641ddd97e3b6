#include "net/router.h"

#include <gtest/gtest.h>

namespace woolly::net {
namespace {

Handler noop() {
  return [](Request, Responder r) { r.send(Response::empty(204)); };
}

TEST(Router, MatchesLiteralAndParamsAndWildcard) {
  Router r;
  ASSERT_TRUE(r.add(Method::kGet, "/api/v1/models", noop()).ok());
  ASSERT_TRUE(r.add(Method::kGet, "/api/v1/models/:name", noop()).ok());
  ASSERT_TRUE(r.add(Method::kGet, "/api/v1/mcp/resources/*path", noop()).ok());

  auto m = r.match(Method::kGet, "/api/v1/models");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/models");
  EXPECT_TRUE(m.params.empty());

  m = r.match(Method::kGet, "/api/v1/models/llama-3");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/models/:name");
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0].first, "name");
  EXPECT_EQ(m.params[0].second, "llama-3");

  m = r.match(Method::kGet, "/api/v1/mcp/resources/dir/file.txt");
  ASSERT_NE(m.route, nullptr);
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0].first, "path");
  EXPECT_EQ(m.params[0].second, "dir/file.txt");
}

TEST(Router, LiteralWinsOverParamAndBacktracks) {
  Router r;
  ASSERT_TRUE(r.add(Method::kGet, "/a/:x/c", noop()).ok());
  ASSERT_TRUE(r.add(Method::kGet, "/a/b/d", noop()).ok());
  auto m = r.match(Method::kGet, "/a/b/c");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/a/:x/c");
  EXPECT_EQ(m.params.at(0).second, "b");
  m = r.match(Method::kGet, "/a/b/d");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/a/b/d");
  EXPECT_TRUE(m.params.empty());
}

TEST(Router, UnknownPathIsNotKnownWrongMethodListsAllow) {
  Router r;
  ASSERT_TRUE(r.add(Method::kGet, "/x", noop()).ok());
  ASSERT_TRUE(r.add(Method::kPost, "/x", noop()).ok());
  auto m = r.match(Method::kGet, "/nope");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_FALSE(m.path_known);
  m = r.match(Method::kDelete, "/x");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_known);
  EXPECT_EQ(m.allow, "GET, HEAD, POST");
  // A trailing slash is a different path.
  EXPECT_FALSE(r.match(Method::kGet, "/x/").path_known);
}

TEST(Router, HeadFallsBackToGet) {
  Router r;
  ASSERT_TRUE(r.add(Method::kGet, "/x", noop()).ok());
  auto m = r.match(Method::kHead, "/x");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->method, Method::kGet);
}

TEST(Router, RejectsDuplicatesAndBadPatterns) {
  Router r;
  ASSERT_TRUE(r.add(Method::kGet, "/x/:id", noop()).ok());
  auto dup = r.add(Method::kGet, "/x/:id", noop());
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, Errc::kAlreadyExists);
  EXPECT_FALSE(r.add(Method::kGet, "/x/:other/y", noop()).ok());
  EXPECT_FALSE(r.add(Method::kGet, "no-slash", noop()).ok());
  EXPECT_FALSE(r.add(Method::kGet, "/a/*rest/b", noop()).ok());
}

TEST(Router, RootAndWebSocketRoutes) {
  Router r;
  ASSERT_TRUE(r.add(Method::kPost, "/", noop()).ok());
  ASSERT_TRUE(r.add_ws("/ws/:room", WsHandlers{}).ok());
  EXPECT_NE(r.match(Method::kPost, "/").route, nullptr);
  auto m = r.match_ws("/ws/lobby");
  ASSERT_NE(m.ws_route, nullptr);
  EXPECT_EQ(m.params.at(0).second, "lobby");
  EXPECT_EQ(r.match_ws("/ws").ws_route, nullptr);
}

TEST(HttpTypes, QueryAndPercentDecoding) {
  auto q = parse_query("a=1&b=x%20y&c=p+q&flag");
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[1].second, "x y");
  EXPECT_EQ(q[2].second, "p q");
  EXPECT_EQ(q[3].first, "flag");
  EXPECT_FALSE(percent_decode("%4").has_value());
  EXPECT_EQ(*percent_decode("%41b"), "Ab");
}

TEST(ErrorMapping, EveryErrcHasOneStatus) {
  EXPECT_EQ(http_status(Errc::kNotFound), 404);
  EXPECT_EQ(http_status(Errc::kUnavailable), 503);
  EXPECT_EQ(http_status(Errc::kTimeout), 504);
  EXPECT_EQ(http_status(Errc::kPayloadTooLarge), 413);
  EXPECT_EQ(http_status(Errc::kRateLimited), 429);
  Response r = json_error_response(Error(Errc::kUnauthenticated, "no \"key\""));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body,
            R"({"error":{"code":"UNAUTHENTICATED","message":"no \"key\"","type":"authentication_error"}})");
}

}  // namespace
}  // namespace woolly::net
