// MCP protocol revisions and the facts about them that the server, client and transports need:
// which are session-ful ("legacy", initialize handshake) or stateless ("modern", per-request
// `_meta`), which allow batches, and what a Streamable HTTP transport must check in the
// `Mcp-Method` / `Mcp-Name` headers of a 2026-07-28 request.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "mcp/json_rpc.h"

namespace woolly::mcp {

inline constexpr std::string_view kRev20250326 = "2025-03-26";
inline constexpr std::string_view kRev20250618 = "2025-06-18";
inline constexpr std::string_view kRev20251125 = "2025-11-25";
inline constexpr std::string_view kRev20260728 = "2026-07-28";

// `_meta` keys of the stateless revision.
inline constexpr std::string_view kMetaProtocolVersion = "io.modelcontextprotocol/protocolVersion";
inline constexpr std::string_view kMetaClientInfo = "io.modelcontextprotocol/clientInfo";
inline constexpr std::string_view kMetaClientCapabilities =
    "io.modelcontextprotocol/clientCapabilities";
inline constexpr std::string_view kMetaLogLevel = "io.modelcontextprotocol/logLevel";
inline constexpr std::string_view kMetaServerInfo = "io.modelcontextprotocol/serverInfo";
inline constexpr std::string_view kMetaSubscriptionId = "io.modelcontextprotocol/subscriptionId";

// Newest first. Legacy revisions are negotiated by `initialize`; modern ones per request.
std::span<const std::string_view> legacy_revisions();
std::span<const std::string_view> modern_revisions();
bool is_legacy_revision(std::string_view rev);
bool is_modern_revision(std::string_view rev);
// JSON-RPC batches exist in 2025-03-26 only (2025-06-18 removed them).
bool revision_allows_batch(std::string_view rev);

// The version a legacy server answers `initialize` with: the requested one when supported,
// otherwise the newest legacy revision it supports (the client then decides whether to go on).
std::string negotiate_legacy(std::string_view requested);

// The protocol version a modern request declares in params._meta, if any.
std::optional<std::string> declared_protocol_version(const json::object& params);

enum class LogLevel { kDebug, kInfo, kNotice, kWarning, kError, kCritical, kAlert, kEmergency };
std::optional<LogLevel> parse_log_level(std::string_view name);
std::string_view log_level_name(LogLevel level);

// --- Streamable HTTP standard headers (2026-07-28) -------------------------------------------
// What a transport must find in the request headers for a message: Mcp-Method always for
// requests and notifications, Mcp-Name for tools/call, prompts/get (params.name) and
// resources/read (params.uri).
struct StandardHeaders {
  std::string method;
  std::optional<std::string> name;
};
StandardHeaders expected_headers(const Message& message);

// Encodes a header value with the `=?base64?...?=` sentinel when it is not plain printable ASCII
// (or would itself look like the sentinel); decodes such a value (plain values pass through).
std::string encode_header_value(std::string_view value);
Result<std::string> decode_header_value(std::string_view header);

// Checks the headers a transport received against the body. `mcp_method` / `mcp_name` are null
// when the header was absent. Fails with the HeaderMismatch error (-32020) to send back.
std::optional<RpcError> validate_standard_headers(const Message& message,
                                                  std::optional<std::string_view> mcp_method,
                                                  std::optional<std::string_view> mcp_name);

// The HTTP status a Streamable HTTP transport answers a JSON-RPC error with (2026-07-28):
// 404 for method not found, 400 for malformed/unsupported/mismatched requests, 500 otherwise.
// Session revisions answer JSON-RPC errors with 200 (and 400 only for unparseable bodies).
int http_status_for_error(int rpc_code, bool modern);

// Plain base64 (RFC 4648, padded), used for resource blobs and header values.
std::string base64_encode(std::string_view bytes);
Result<std::string> base64_decode(std::string_view text);

}  // namespace woolly::mcp
