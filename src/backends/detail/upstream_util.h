// Pieces the three upstream backends share: request building, status mapping, JSON reads.
#pragma once

#include <boost/json.hpp>

#include <string>
#include <string_view>

#include "backends/backend.h"
#include "backends/upstream_config.h"
#include "net/client/http_client.h"

namespace woolly::backends::detail {

namespace json = boost::json;

// base_url + path without doubling '/' or "/v1" (OpenAI base URLs come both ways).
std::string join_url(std::string_view base, std::string_view path);

net::client::HttpRequest make_post(const UpstreamConfig& cfg, std::string_view path, std::string body,
                                   const CancelToken& cancel);
net::client::HttpRequest make_get(const UpstreamConfig& cfg, std::string_view path);

// A non-2xx answer as an Error: 429/5xx -> kUnavailable (try later or elsewhere), other 4xx ->
// kUpstream, with the provider's own message when its body carries one.
Error status_error(std::string_view provider, int status, std::string_view body);

Result<json::value> parse_json(std::string_view provider, std::string_view text);

// Small readers that tolerate absent or null fields.
std::string str(const json::value* v);
std::string str_at(const json::object& o, std::string_view key);
int64_t int_at(const json::object& o, std::string_view key);
const json::object* obj_at(const json::object& o, std::string_view key);
const json::array* arr_at(const json::object& o, std::string_view key);

// Parses a JSON Schema / arguments text; an invalid one becomes an empty object.
json::value json_or_empty(std::string_view text);

std::string model_for(const UpstreamConfig& cfg, const std::string& requested);

// Health: GET `path` answering 2xx.
Status check_health(net::client::HttpClient& client, const UpstreamConfig& cfg, std::string_view path,
                    std::string_view provider);

}  // namespace woolly::backends::detail

namespace woolly::backends::detail {

enum class BodyFraming { kWhole, kSse, kNdjson };

struct CallTimes {
  double total_ms = 0;
  double first_item_ms = -1;  // until the first streamed item; -1 if none
};

// Sends `request` and hands each JSON item of the answer to on_item: the whole body (kWhole),
// every SSE event's data except "[DONE]" (kSse, `event` = its event name), or every line
// (kNdjson). on_item returning an error stops delivery, and that error is the result.
// on_done runs once, on the client's thread: non-2xx answers become status_error.
struct CallHandlers {
  std::function<Status(const json::object& item, std::string_view event)> on_item;
  std::function<void(Status, const CallTimes&)> on_done;
};
// Timings of a finished call: total, and for streams time to first item and the rest.
void fill_timings(Timings& out, const CallTimes& t, bool streamed);

void upstream_call(net::client::HttpClient& client, net::client::HttpRequest request,
                   BodyFraming framing, std::string provider, CallHandlers handlers);

}  // namespace woolly::backends::detail
