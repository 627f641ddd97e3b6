// The one mapping from woolly::Errc to an HTTP status, and the default JSON error body
// {"error":{"code","message","type"}}. Other surfaces (OpenAI shape, prompt API) install their
// own ErrorFormatter per route; the status still comes from http_status().
#pragma once

#include <functional>

#include "common/error.h"
#include "net/http_types.h"

namespace woolly::net {

int http_status(Errc code);

// The standard reason phrase for a status ("Not Found"), empty if unknown.
std::string_view reason_phrase(int status);

// A coarse class of the error for clients that switch on it (e.g. "invalid_request_error").
std::string_view error_type(Errc code);

// Builds the response for an error; must set status from http_status(error.code).
using ErrorFormatter = std::function<Response(const Error&)>;

// {"error":{"code":"NOT_FOUND","message":"...","type":"not_found_error"}} with the mapped status.
Response json_error_response(const Error& error);

}  // namespace woolly::net
