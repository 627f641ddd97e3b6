#include "net/router.h"

namespace woolly::net {

// A segment trie: literal children first, then one ":param" child, then one "*rest" child.
// Literal lookups are a hash probe per segment, so the cost does not grow with the route count.
struct Router::Node {
  std::unordered_map<std::string, std::unique_ptr<Node>> literal;
  std::unique_ptr<Node> param;
  std::string param_name;
  std::unique_ptr<Node> wildcard;
  std::string wildcard_name;
  std::vector<std::unique_ptr<Route>> routes;  // by method, few per path
  std::unique_ptr<WsRoute> ws;
};

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

namespace {

// Calls fn(segment, is_last) for "/a/b/" -> "a", "b", "": a trailing slash is a distinct (empty)
// segment, so "/models/" does not silently match "/models". Stops early when fn returns false.
template <typename Fn>
bool for_each_segment(std::string_view path, Fn&& fn) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.empty()) return true;
  while (true) {
    size_t slash = path.find('/');
    if (slash == std::string_view::npos) return fn(path);
    if (!fn(path.substr(0, slash))) return false;
    path.remove_prefix(slash + 1);
  }
}

using Params = std::vector<std::pair<std::string, std::string>>;

// Depth-first: literal beats parameter beats wildcard, with backtracking so that
// "/a/:x/c" and "/a/b/d" can both match.
const Router::Node* walk(const Router::Node* node, std::string_view rest, Params* params);

const Router::Node* walk_segment(const Router::Node* node, std::string_view seg,
                                 std::string_view after, bool last, Params* params) {
  auto next = [&](const Router::Node* child) -> const Router::Node* {
    if (last) return child;
    return walk(child, after, params);
  };
  // Transparent lookup would avoid this copy; segments are short, within the SSO buffer.
  if (auto it = node->literal.find(std::string(seg)); it != node->literal.end()) {
    if (const Router::Node* n = next(it->second.get()); n && (!n->routes.empty() || n->ws)) return n;
  }
  if (node->param && !seg.empty()) {
    size_t mark = params ? params->size() : 0;
    if (params) params->emplace_back(node->param_name, std::string(seg));
    if (const Router::Node* n = next(node->param.get()); n && (!n->routes.empty() || n->ws)) return n;
    if (params) params->resize(mark);
  }
  return nullptr;
}

const Router::Node* walk(const Router::Node* node, std::string_view rest, Params* params) {
  // `rest` is what follows the previous '/', possibly empty (a trailing slash).
  size_t slash = rest.find('/');
  std::string_view seg = rest.substr(0, slash);
  bool last = slash == std::string_view::npos;
  std::string_view after = last ? std::string_view{} : rest.substr(slash + 1);
  if (const Router::Node* n = walk_segment(node, seg, after, last, params)) return n;
  if (node->wildcard) {
    if (params) params->emplace_back(node->wildcard_name, std::string(rest));
    return node->wildcard.get();
  }
  return nullptr;
}

}  // namespace

Result<Router::Node*> Router::insert(std::string_view pattern) {
  if (pattern.empty() || pattern.front() != '/') {
    return make_error(Errc::kInvalidArgument,
                      "route pattern must start with '/': " + std::string(pattern));
  }
  Node* node = root_.get();
  bool after_wildcard = false;
  Status st;
  for_each_segment(pattern, [&](std::string_view s) {
    if (after_wildcard) {
      st = make_error(Errc::kInvalidArgument, "'*' must be the last segment: " + std::string(pattern));
      return false;
    }
    if (!s.empty() && s.front() == ':') {
      if (!node->param) {
        node->param = std::make_unique<Node>();
        node->param_name = std::string(s.substr(1));
      } else if (node->param_name != s.substr(1)) {
        st = make_error(Errc::kConflict, "route " + std::string(pattern) +
                                             " names a parameter differently from an earlier route");
        return false;
      }
      node = node->param.get();
    } else if (!s.empty() && s.front() == '*') {
      if (!node->wildcard) {
        node->wildcard = std::make_unique<Node>();
        node->wildcard_name = std::string(s.substr(1));
      }
      node = node->wildcard.get();
      after_wildcard = true;
    } else {
      auto& child = node->literal[std::string(s)];
      if (!child) child = std::make_unique<Node>();
      node = child.get();
    }
    return true;
  });
  if (!st.ok()) return st.take_error();
  return node;
}

Status Router::add(Method method, std::string_view pattern, Handler handler, RouteMeta meta) {
  WOOLLY_ASSIGN_OR_RETURN(Node * node, insert(pattern));
  for (const auto& r : node->routes) {
    if (r->method == method) {
      return make_error(Errc::kAlreadyExists, "route registered twice: " +
                                                  std::string(method_name(method)) + " " +
                                                  std::string(pattern));
    }
  }
  node->routes.push_back(std::make_unique<Route>(
      Route{std::string(pattern), method, std::move(handler), std::move(meta)}));
  ++count_;
  return {};
}

Status Router::add_ws(std::string_view pattern, WsHandlers handlers, RouteMeta meta) {
  WOOLLY_ASSIGN_OR_RETURN(Node * node, insert(pattern));
  if (node->ws) {
    return make_error(Errc::kAlreadyExists, "WebSocket route registered twice: " + std::string(pattern));
  }
  node->ws = std::make_unique<WsRoute>(WsRoute{std::string(pattern), std::move(handlers), std::move(meta)});
  ++count_;
  return {};
}

Status Router::get(std::string_view pattern, std::function<Response(const Request&)> fn,
                   RouteMeta meta) {
  return add(Method::kGet, pattern, sync_handler(std::move(fn)), std::move(meta));
}

Status Router::post(std::string_view pattern, std::function<Response(const Request&)> fn,
                    RouteMeta meta) {
  return add(Method::kPost, pattern, sync_handler(std::move(fn)), std::move(meta));
}

Router::Node* Router::find_node(std::string_view path, Params* params) const {
  if (path.empty() || path.front() != '/') return nullptr;
  std::string_view rest = path.substr(1);
  if (rest.empty()) {
    // "/" itself: the root node, or a root wildcard.
    if (!root_->routes.empty() || root_->ws) return root_.get();
    if (root_->wildcard) {
      if (params) params->emplace_back(root_->wildcard_name, std::string());
      return root_->wildcard.get();
    }
    return nullptr;
  }
  return const_cast<Node*>(walk(root_.get(), rest, params));
}

Router::Match Router::match(Method method, std::string_view path) const {
  Match m;
  Node* node = find_node(path, &m.params);
  if (!node || node->routes.empty()) {
    if (node && node->ws) {
      m.path_known = true;
      m.allow = "GET";
    }
    return m;
  }
  m.path_known = true;
  const Route* get_route = nullptr;
  for (const auto& r : node->routes) {
    if (r->method == method) {
      m.route = r.get();
      return m;
    }
    if (r->method == Method::kGet) get_route = r.get();
  }
  if (method == Method::kHead && get_route) {
    m.route = get_route;
    return m;
  }
  for (const auto& r : node->routes) {
    if (!m.allow.empty()) m.allow += ", ";
    m.allow += method_name(r->method);
    if (r->method == Method::kGet) m.allow += ", HEAD";
  }
  return m;
}

Router::Match Router::match_ws(std::string_view path) const {
  Match m;
  Node* node = find_node(path, &m.params);
  if (node && node->ws) {
    m.path_known = true;
    m.ws_route = node->ws.get();
  } else {
    m.params.clear();
  }
  return m;
}

Handler sync_handler(std::function<Response(const Request&)> fn) {
  return [fn = std::move(fn)](Request req, Responder r) { r.send(fn(req)); };
}

}  // namespace woolly::net
