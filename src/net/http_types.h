// Woolly's own HTTP types. Route handlers (src/api and other parts) see only these, never Beast or
// Asio, so that most translation units compile without the heavy networking headers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace woolly::net {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

std::string_view method_name(Method m);
Method parse_method(std::string_view name);

// ASCII case-insensitive comparison, as HTTP field names require.
bool iequals(std::string_view a, std::string_view b);

// Header fields in arrival order; lookups ignore case. Few fields per message, so a flat vector
// beats a map.
class Headers {
 public:
  // The first value of `name`, or nullopt.
  std::optional<std::string_view> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  // Replaces every field called `name` with one field.
  void set(std::string_view name, std::string_view value);
  // Appends a field even if one of that name exists (e.g. Set-Cookie, Vary).
  void add(std::string name, std::string value) {
    fields_.emplace_back(std::move(name), std::move(value));
  }
  void erase(std::string_view name);

  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
  size_t size() const { return fields_.size(); }
  void reserve(size_t n) { fields_.reserve(n); }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// Who is calling. The authentication hook (src/auth) fills it; `detail` carries the auth part's
// own richer record for handlers that know its type.
struct Principal {
  std::string subject;  // user id or key id
  std::string tenant;
  std::string role;     // e.g. "user", "admin", "agent"
  std::vector<std::string> scopes;
  bool authenticated = false;
  std::shared_ptr<const void> detail;

  bool has_scope(std::string_view scope) const;
};

struct Request {
  Method method = Method::kGet;
  std::string method_text;  // as received, for kOther
  std::string target;       // path + query exactly as received
  std::string path;         // percent-decoded path
  std::vector<std::pair<std::string, std::string>> query;        // decoded, in order
  std::vector<std::pair<std::string, std::string>> path_params;  // from the route pattern
  Headers headers;
  std::string body;
  std::string request_id;
  std::string remote_address;
  uint16_t remote_port = 0;
  bool tls = false;
  std::optional<Principal> principal;

  // The path parameter `name` (":name" or "*name" in the pattern), empty if absent.
  std::string_view param(std::string_view name) const;
  std::optional<std::string_view> query_param(std::string_view name) const;
  std::optional<std::string_view> header(std::string_view name) const { return headers.get(name); }
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  static Response json(int status, std::string body);
  static Response text(int status, std::string body, std::string_view content_type = "text/plain; charset=utf-8");
  static Response empty(int status) { return Response{status, {}, {}}; }
};

// Splits "a=1&b=x%20y" into decoded pairs ('+' means space, as in HTML forms).
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);
// Percent-decodes; nullopt when an escape is malformed.
std::optional<std::string> percent_decode(std::string_view s, bool plus_as_space = false);

}  // namespace woolly::net
