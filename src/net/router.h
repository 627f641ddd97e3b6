// Maps (method, path) to a handler. Patterns are literal segments, ":name" (one segment) and a
// final "*name" (the rest of the path, possibly empty): "/api/v1/models/:name",
// "/api/v1/mcp/resources/*path". A path that matches no pattern is 404; one that matches a
// pattern but not the method is 405 with Allow. HEAD falls back to GET.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "net/error_http.h"
#include "net/http_types.h"
#include "net/responder.h"
#include "net/websocket.h"

namespace woolly::net {

using Handler = std::function<void(Request, Responder)>;

// Per-route facts the middleware and hooks read.
struct RouteMeta {
  std::string scope;            // required scope, checked by the auth hook; "" = none
  bool public_access = false;   // true: auth hooks let anonymous callers through (health, metrics)
  bool access_log = true;       // false for very chatty routes
  std::optional<std::chrono::milliseconds> timeout;  // overrides the server's request timeout
  ErrorFormatter error_formatter;                    // unset = json_error_response
};

struct Route {
  std::string pattern;  // as registered; the metrics label
  Method method = Method::kGet;
  Handler handler;
  RouteMeta meta;
};

struct WsRoute {
  std::string pattern;
  WsHandlers handlers;
  RouteMeta meta;
};

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Registers a handler; a duplicate (method, pattern) or a malformed pattern is an error.
  Status add(Method method, std::string_view pattern, Handler handler, RouteMeta meta = {});
  Status add_ws(std::string_view pattern, WsHandlers handlers, RouteMeta meta = {});

  // Convenience for handlers that answer at once.
  Status get(std::string_view pattern, std::function<Response(const Request&)> fn,
             RouteMeta meta = {});
  Status post(std::string_view pattern, std::function<Response(const Request&)> fn,
              RouteMeta meta = {});

  struct Match {
    const Route* route = nullptr;     // set on success
    const WsRoute* ws_route = nullptr;  // set by match_ws on success
    std::vector<std::pair<std::string, std::string>> params;
    bool path_known = false;  // the path matched a pattern (so no route means 405)
    std::string allow;        // "GET, HEAD" when path_known and the method is not
  };
  Match match(Method method, std::string_view path) const;
  Match match_ws(std::string_view path) const;

  size_t size() const { return count_; }

  struct Node;  // opaque trie node

 private:
  Result<Node*> insert(std::string_view pattern);
  Node* find_node(std::string_view path, std::vector<std::pair<std::string, std::string>>* params) const;

  std::unique_ptr<Node> root_;
  size_t count_ = 0;
};

// A handler from a function that answers synchronously.
Handler sync_handler(std::function<Response(const Request&)> fn);

}  // namespace woolly::net
