#include "mcp/transport/detail/http_exchange.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "mcp/json_rpc.h"
#include "mcp/protocol.h"

namespace woolly::mcp::transport::detail {

Outgoing describe(std::string_view text) {
  Outgoing o;
  ParsedPayload p = parse_payload(text);
  if (p.items.size() != 1 || !p.items[0].valid) return o;
  const Message& m = p.items[0].message;
  if (m.is_response()) return o;
  if (m.is_request() && m.id.is_int64()) o.id = m.id.as_int64();
  o.method = m.method;
  if (auto v = declared_protocol_version(m.params); v && is_modern_revision(*v)) {
    o.modern = *v;
    o.name = expected_headers(m).name;
  }
  return o;
}

std::optional<std::string> initialize_version(std::string_view message) {
  json::error_code ec;
  json::value v = json::parse(message, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::value* result = v.as_object().if_contains("result");
  if (!result || !result->is_object()) return std::nullopt;
  const json::value* version = result->as_object().if_contains("protocolVersion");
  if (!version || !version->is_string()) return std::nullopt;
  return std::string(version->as_string());
}

std::string with_id(const std::string& text, std::string id) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return {};
  v.as_object()["id"] = std::move(id);
  return json::serialize(v);
}

Errc errc_for_status(int status) {
  switch (status) {
    case 400:
      return Errc::kInvalidArgument;
    case 401:
      return Errc::kUnauthenticated;
    case 403:
      return Errc::kPermissionDenied;
    case 404:
      return Errc::kNotFound;
    case 405:
      return Errc::kUnsupported;
    case 413:
      return Errc::kPayloadTooLarge;
    case 429:
      return Errc::kRateLimited;
    case 503:
      return Errc::kUnavailable;
    case 504:
      return Errc::kTimeout;
    default:
      return Errc::kUpstream;
  }
}

std::string error_excerpt(const std::string& body) {
  if (body.empty()) return {};
  json::error_code ec;
  json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    if (const json::value* e = v.as_object().if_contains("error"); e && e->is_object()) {
      if (const json::value* m = e->as_object().if_contains("message"); m && m->is_string()) {
        return ": " + std::string(m->as_string());
      }
    }
  }
  constexpr size_t kMax = 200;  // enough to say what went wrong; an HTML page is cut short
  return ": " + body.substr(0, kMax) + (body.size() > kMax ? "..." : "");
}

void Signal::set() {
  std::lock_guard lock(mutex_);
  set_ = true;
  cv_.notify_all();
}

bool Signal::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [this] { return set_; });
}

void Exchange::begin(int http_status, const net::Headers& headers, size_t max_bytes,
                     std::function<void(std::string_view)> on_message) {
  status = http_status;
  body.clear();
  received = 0;
  max_bytes_ = max_bytes;
  auto type = headers.get("Content-Type");
  if (status / 100 == 2 && type && type->find("text/event-stream") != std::string_view::npos) {
    parser_ = std::make_unique<net::client::SseParser>(
        [cb = std::move(on_message)](const net::client::SseEvent& e) { cb(e.data); }, max_bytes);
  } else {
    parser_.reset();
  }
}

void Exchange::feed(std::string_view bytes) {
  received += bytes.size();
  if (too_big) return;  // the rest of an oversized answer is read and dropped
  if (parser_) {
    too_big = !parser_->feed(bytes);
    return;
  }
  if (body.size() + bytes.size() > max_bytes_) {
    too_big = true;
    body.clear();
    return;
  }
  body.append(bytes);
}

void Exchange::finish() {
  if (!parser_) return;
  if (!too_big) parser_->finish();
  if (!parser_->last_event_id().empty()) last_event_id = parser_->last_event_id();
  if (parser_->retry()) retry = parser_->retry();
}

}  // namespace woolly::mcp::transport::detail
