// The one error model of Woolly. Every expected failure (bad input, denied, corrupt file, I/O,
// upstream down, ...) is an Error with one Errc and a message meant for the client. Mapping an
// Errc to an HTTP status or a JSON-RPC code happens in one place per surface (net/api, mcp).
#pragma once

#include <string>
#include <string_view>

namespace woolly {

enum class Errc {
  kInvalidArgument,     // malformed or out-of-range input from a caller (400)
  kNotFound,            // the named thing does not exist or is not visible to the caller (404)
  kAlreadyExists,       // a unique thing would be created twice (409)
  kConflict,            // state does not allow the operation (409)
  kUnauthenticated,     // no or bad credentials (401)
  kPermissionDenied,    // credentials fine, scope missing (403)
  kMethodNotAllowed,    // the route exists but not with this method (405)
  kPayloadTooLarge,     // body, message or file beyond a configured limit (413)
  kRateLimited,         // a token bucket is empty (429)
  kInsufficientCredits, // balance cannot cover the reservation (402)
  kUnavailable,         // overloaded, draining, not ready, or a dependency is down (503)
  kTimeout,             // a deadline passed (504)
  kUpstream,            // an upstream provider failed or answered badly (502)
  kCancelled,           // the caller went away or asked to stop (499)
  kCorruptData,         // a file or stored record is malformed (422 on upload, 500 otherwise)
  kUnsupported,         // a valid request for something Woolly does not do (400/501)
  kOutOfRange,          // e.g. the prompt does not fit the context (400)
  kIo,                  // local I/O failed (500)
  kInternal,            // a bug or an unexpected failure (500); details stay in the log
};

// The lower-case name ("insufficient_credits"): usage-record statuses, metric labels, logs.
std::string_view errc_name(Errc code);
// The code Woolly's own error bodies carry ("INSUFFICIENT_CREDITS"): the JSON error body
// {"error":{"code",...}}, SSE error events and the hub WebSocket's error messages. The OpenAI
// surface keeps OpenAI's lower-case codes.
std::string error_code(Errc code);

struct Error {
  Errc code = Errc::kInternal;
  std::string message;

  Error() = default;
  Error(Errc c, std::string msg) : code(c), message(std::move(msg)) {}
};

}  // namespace woolly
