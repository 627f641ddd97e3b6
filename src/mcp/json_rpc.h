// JSON-RPC 2.0 as MCP uses it: parsing incoming payloads into typed messages (strictly: a bad
// member is an Invalid Request, never guessed at), building outgoing ones, and the one place that
// maps a woolly::Error to a JSON-RPC error object.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace woolly::mcp {

namespace json = boost::json;

// Error codes: the JSON-RPC 2.0 ones and the ones the MCP revisions define.
namespace rpc_code {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kResourceNotFound = -32002;  // 2025-11-25 and earlier only
inline constexpr int kHeaderMismatch = -32020;                   // 2026-07-28
inline constexpr int kMissingRequiredClientCapability = -32021;  // 2026-07-28
inline constexpr int kUnsupportedProtocolVersion = -32022;       // 2026-07-28
}  // namespace rpc_code

struct RpcError {
  int code = rpc_code::kInternalError;
  std::string message;
  json::value data;  // null = absent

  static RpcError invalid_params(std::string message, json::value data = nullptr) {
    return {rpc_code::kInvalidParams, std::move(message), std::move(data)};
  }
  static RpcError method_not_found(std::string_view method);
  static RpcError internal() { return {rpc_code::kInternalError, "Internal error", nullptr}; }
};

// The single mapping from Woolly's error model to JSON-RPC. Messages of kInternal/kIo errors are
// replaced by a generic text: they may carry paths or other internals meant for the log only.
RpcError to_rpc_error(const Error& error);

enum class MessageKind { kRequest, kNotification, kResult, kError };

struct Message {
  MessageKind kind = MessageKind::kRequest;
  json::value id;      // string or integer for requests/responses, echoed exactly; null otherwise
  std::string method;  // requests and notifications
  json::object params;  // absent params parse as an empty object
  json::value result;   // kResult
  RpcError error;       // kError

  bool is_request() const { return kind == MessageKind::kRequest; }
  bool is_notification() const { return kind == MessageKind::kNotification; }
  bool is_response() const { return kind == MessageKind::kResult || kind == MessageKind::kError; }
};

// One element of an incoming payload: a message, or the error response it earned because it was
// not a valid JSON-RPC message (id is the request's id when it could be read, else null).
struct ParsedItem {
  bool valid = false;
  Message message;
  json::value error_response;  // set when !valid
};

struct ParsedPayload {
  bool parse_error = false;  // not JSON at all: answer with error_response (-32700, id null)
  bool batch = false;        // the payload was a JSON array
  std::vector<ParsedItem> items;
  json::value error_response;  // parse error, or an empty batch (-32600)
};

// Parses one transport frame (a line on stdio, a body on HTTP, a WebSocket message).
ParsedPayload parse_payload(std::string_view text);
// Classifies one already-parsed JSON value.
ParsedItem parse_message(const json::value& value);

// Builders for outgoing messages (serialize with json::serialize).
json::object make_request(const json::value& id, std::string_view method, json::object params);
json::object make_notification(std::string_view method, json::object params);
json::object make_result(const json::value& id, json::value result);
json::object make_error(const json::value& id, const RpcError& error);
json::object to_json(const Message& message);

// Whether `id` is a legal MCP request id: a string or an integer (never null, never fractional).
bool is_valid_id(const json::value& id);

}  // namespace woolly::mcp
