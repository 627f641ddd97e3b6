#include "mcp/json_rpc.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace woolly::mcp {

RpcError RpcError::method_not_found(std::string_view method) {
  return {rpc_code::kMethodNotFound, "Method not found: " + std::string(method), nullptr};
}

RpcError to_rpc_error(const Error& error) {
  switch (error.code) {
    case Errc::kInvalidArgument:
    case Errc::kOutOfRange:
      return {rpc_code::kInvalidParams, error.message, nullptr};
    case Errc::kNotFound:
      return {rpc_code::kInvalidParams, error.message, nullptr};
    case Errc::kUnsupported:
    case Errc::kMethodNotAllowed:
      return {rpc_code::kMethodNotFound, error.message, nullptr};
    case Errc::kIo:
    case Errc::kInternal:
    case Errc::kCorruptData:
      return RpcError::internal();
    default:
      // Client-facing conditions (denied, rate limited, unavailable, ...) keep their message;
      // JSON-RPC has no closer code than "internal" for them.
      return {rpc_code::kInternalError, error.message, nullptr};
  }
}

bool is_valid_id(const json::value& id) { return id.is_string() || id.is_int64() || id.is_uint64(); }

namespace {

ParsedItem invalid(const json::value& id, std::string message) {
  ParsedItem item;
  item.error_response = make_error(id, {rpc_code::kInvalidRequest, std::move(message), nullptr});
  return item;
}

}  // namespace

ParsedItem parse_message(const json::value& value) {
  if (!value.is_object()) return invalid(nullptr, "Invalid Request: a message must be an object");
  const json::object& obj = value.as_object();
  json::value id = nullptr;
  const json::value* id_field = obj.if_contains("id");
  if (id_field && is_valid_id(*id_field)) id = *id_field;

  const json::value* version = obj.if_contains("jsonrpc");
  if (!version || !version->is_string() || version->as_string() != "2.0") {
    return invalid(id, "Invalid Request: jsonrpc must be \"2.0\"");
  }
  const json::value* method = obj.if_contains("method");
  const json::value* result = obj.if_contains("result");
  const json::value* error = obj.if_contains("error");

  ParsedItem item;
  item.valid = true;
  Message& m = item.message;
  if (method) {
    if (!method->is_string()) return invalid(id, "Invalid Request: method must be a string");
    if (result || error) return invalid(id, "Invalid Request: a request carries no result/error");
    m.method = std::string(method->as_string());
    if (const json::value* params = obj.if_contains("params")) {
      // MCP params are always objects; JSON-RPC by-position arrays are not used by any method.
      if (!params->is_object()) return invalid(id, "Invalid Request: params must be an object");
      m.params = params->as_object();
    }
    if (id_field) {
      if (!is_valid_id(*id_field)) {
        return invalid(nullptr, "Invalid Request: id must be a string or an integer");
      }
      m.kind = MessageKind::kRequest;
      m.id = *id_field;
    } else {
      m.kind = MessageKind::kNotification;
    }
    return item;
  }
  if (result && error) return invalid(id, "Invalid Request: both result and error");
  if (result) {
    if (!id_field || !is_valid_id(*id_field)) return invalid(nullptr, "Invalid Request: bad id");
    m.kind = MessageKind::kResult;
    m.id = *id_field;
    m.result = *result;
    return item;
  }
  if (error) {
    const json::object* e = error->if_object();
    const json::value* code = e ? e->if_contains("code") : nullptr;
    const json::value* msg = e ? e->if_contains("message") : nullptr;
    if (!code || !code->is_int64() || !msg || !msg->is_string()) {
      return invalid(nullptr, "Invalid Request: malformed error object");
    }
    m.kind = MessageKind::kError;
    m.id = id_field ? *id_field : json::value(nullptr);  // null when the peer could not read ours
    m.error.code = static_cast<int>(code->as_int64());
    m.error.message = std::string(msg->as_string());
    if (const json::value* data = e->if_contains("data")) m.error.data = *data;
    return item;
  }
  return invalid(id, "Invalid Request: no method, result or error");
}

ParsedPayload parse_payload(std::string_view text) {
  ParsedPayload out;
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec) {
    out.parse_error = true;
    out.error_response = make_error(nullptr, {rpc_code::kParseError, "Parse error", nullptr});
    return out;
  }
  if (value.is_array()) {
    out.batch = true;
    const json::array& arr = value.as_array();
    if (arr.empty()) {
      out.error_response =
          make_error(nullptr, {rpc_code::kInvalidRequest, "Invalid Request: empty batch", nullptr});
      return out;
    }
    for (const json::value& v : arr) out.items.push_back(parse_message(v));
    return out;
  }
  out.items.push_back(parse_message(value));
  return out;
}

json::object make_request(const json::value& id, std::string_view method, json::object params) {
  json::object o;
  o["jsonrpc"] = "2.0";
  o["id"] = id;
  o["method"] = method;
  o["params"] = std::move(params);
  return o;
}

json::object make_notification(std::string_view method, json::object params) {
  json::object o;
  o["jsonrpc"] = "2.0";
  o["method"] = method;
  if (!params.empty()) o["params"] = std::move(params);
  return o;
}

json::object make_result(const json::value& id, json::value result) {
  json::object o;
  o["jsonrpc"] = "2.0";
  o["id"] = id;
  o["result"] = std::move(result);
  return o;
}

json::object make_error(const json::value& id, const RpcError& error) {
  json::object e;
  e["code"] = error.code;
  e["message"] = error.message;
  if (!error.data.is_null()) e["data"] = error.data;
  json::object o;
  o["jsonrpc"] = "2.0";
  o["id"] = id;
  o["error"] = std::move(e);
  return o;
}

json::object to_json(const Message& m) {
  switch (m.kind) {
    case MessageKind::kRequest:
      return make_request(m.id, m.method, m.params);
    case MessageKind::kNotification:
      return make_notification(m.method, m.params);
    case MessageKind::kResult:
      return make_result(m.id, m.result);
    case MessageKind::kError:
      return make_error(m.id, m.error);
  }
  return {};
}

}  // namespace woolly::mcp
