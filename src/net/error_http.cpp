#include "net/error_http.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace woolly::net {

int http_status(Errc code) {
  switch (code) {
    case Errc::kInvalidArgument: return 400;
    case Errc::kNotFound: return 404;
    case Errc::kAlreadyExists: return 409;
    case Errc::kConflict: return 409;
    case Errc::kUnauthenticated: return 401;
    case Errc::kPermissionDenied: return 403;
    case Errc::kMethodNotAllowed: return 405;
    case Errc::kPayloadTooLarge: return 413;
    case Errc::kRateLimited: return 429;
    case Errc::kInsufficientCredits: return 402;
    case Errc::kUnavailable: return 503;
    case Errc::kTimeout: return 504;
    case Errc::kUpstream: return 502;
    case Errc::kCancelled: return 499;
    case Errc::kCorruptData: return 422;
    case Errc::kUnsupported: return 501;
    case Errc::kOutOfRange: return 400;
    case Errc::kIo: return 500;
    case Errc::kInternal: return 500;
  }
  return 500;
}

std::string_view error_type(Errc code) {
  switch (code) {
    case Errc::kInvalidArgument:
    case Errc::kOutOfRange:
    case Errc::kUnsupported:
    case Errc::kMethodNotAllowed:
    case Errc::kPayloadTooLarge:
    case Errc::kCorruptData:
    case Errc::kAlreadyExists:
    case Errc::kConflict: return "invalid_request_error";
    case Errc::kNotFound: return "not_found_error";
    case Errc::kUnauthenticated: return "authentication_error";
    case Errc::kPermissionDenied: return "permission_error";
    case Errc::kRateLimited: return "rate_limit_error";
    case Errc::kInsufficientCredits: return "insufficient_credits_error";
    case Errc::kUnavailable: return "overloaded_error";
    case Errc::kTimeout: return "timeout_error";
    case Errc::kUpstream: return "upstream_error";
    case Errc::kCancelled: return "cancelled_error";
    case Errc::kIo:
    case Errc::kInternal: return "server_error";
  }
  return "server_error";
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 499: return "Client Closed Request";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return {};
  }
}

Response json_error_response(const Error& error) {
  boost::json::object inner;
  inner["code"] = error_code(error.code);
  inner["message"] = error.message;
  inner["type"] = error_type(error.code);
  boost::json::object outer;
  outer["error"] = std::move(inner);
  return Response::json(http_status(error.code), boost::json::serialize(outer));
}

}  // namespace woolly::net
