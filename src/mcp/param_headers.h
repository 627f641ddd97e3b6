// `x-mcp-header` (2026-07-28, Streamable HTTP): tool parameters a schema marks to be mirrored
// into `Mcp-Param-{Name}` request headers. The client side of an HTTP transport adds the headers,
// the server side checks them against the body; both come from param_headers() below. The tool
// registry refuses schemas whose annotations break the spec's constraints.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "mcp/json_rpc.h"

namespace woolly::mcp {

struct ParamHeader {
  std::string name;   // "Mcp-Param-Region"
  std::string value;  // already encoded (=?base64?...?= when not plain ASCII)
};

// Checks every `x-mcp-header` in `input_schema`: reachable only through `properties`, a valid
// and (case-insensitively) unique token, on a string/integer/boolean parameter.
Status validate_param_header_annotations(const json::object& input_schema);

// The headers a tools/call with `arguments` must carry; a parameter absent from the arguments
// gives no header.
Result<std::vector<ParamHeader>> param_headers(const json::object& input_schema,
                                               const json::object& arguments);

}  // namespace woolly::mcp
