#include "mcp/protocol.h"

#include <algorithm>
#include <array>

namespace woolly::mcp {

namespace {

constexpr std::array<std::string_view, 3> kLegacy = {kRev20251125, kRev20250618, kRev20250326};
constexpr std::array<std::string_view, 1> kModern = {kRev20260728};
constexpr std::array<std::string_view, 8> kLevelNames = {
    "debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"};
constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kSentinelOpen = "=?base64?";
constexpr std::string_view kSentinelClose = "?=";

bool contains(std::span<const std::string_view> list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

std::span<const std::string_view> legacy_revisions() { return kLegacy; }
std::span<const std::string_view> modern_revisions() { return kModern; }
bool is_legacy_revision(std::string_view rev) { return contains(kLegacy, rev); }
bool is_modern_revision(std::string_view rev) { return contains(kModern, rev); }
bool revision_allows_batch(std::string_view rev) { return rev == kRev20250326; }

std::string negotiate_legacy(std::string_view requested) {
  if (is_legacy_revision(requested)) return std::string(requested);
  return std::string(kLegacy.front());
}

std::optional<std::string> declared_protocol_version(const json::object& params) {
  const json::value* meta = params.if_contains("_meta");
  if (!meta || !meta->is_object()) return std::nullopt;
  const json::value* v = meta->as_object().if_contains(kMetaProtocolVersion);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

int http_status_for_error(int code, bool modern) {
  if (code == rpc_code::kParseError || code == rpc_code::kInvalidRequest) return 400;
  if (!modern) return 200;
  switch (code) {
    case rpc_code::kMethodNotFound:
      return 404;
    case rpc_code::kInvalidParams:
    case rpc_code::kHeaderMismatch:
    case rpc_code::kMissingRequiredClientCapability:
    case rpc_code::kUnsupportedProtocolVersion:
      return 400;
    default:
      return 500;
  }
}

std::optional<LogLevel> parse_log_level(std::string_view name) {
  for (size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == name) return static_cast<LogLevel>(i);
  }
  return std::nullopt;
}

std::string_view log_level_name(LogLevel level) { return kLevelNames[static_cast<size_t>(level)]; }

StandardHeaders expected_headers(const Message& message) {
  StandardHeaders h;
  h.method = message.method;
  std::string_view key;
  if (message.method == "tools/call" || message.method == "prompts/get") key = "name";
  if (message.method == "resources/read") key = "uri";
  if (!key.empty()) {
    if (const json::value* v = message.params.if_contains(key); v && v->is_string()) {
      h.name = std::string(v->as_string());
    }
  }
  return h;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kB64[(n >> s) & 63]);
  }
  if (size_t rest = bytes.size() - i; rest > 0) {
    uint32_t n = uint8_t(bytes[i]) << 16;
    if (rest == 2) n |= uint8_t(bytes[i + 1]) << 8;
    out.push_back(kB64[(n >> 18) & 63]);
    out.push_back(kB64[(n >> 12) & 63]);
    out.push_back(rest == 2 ? kB64[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return make_error(Errc::kInvalidArgument, "bad base64 length");
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t n = 0;
    int pad = 0;
    for (size_t j = 0; j < 4; ++j) {
      char c = text[i + j];
      size_t pos = kB64.find(c);
      if (c == '=' && i + 4 == text.size() && j >= 2) {
        ++pad;
        pos = 0;
      } else if (pos == std::string_view::npos || pad > 0) {
        return make_error(Errc::kInvalidArgument, "bad base64 character");
      }
      n = (n << 6) | uint32_t(pos);
    }
    out.push_back(char((n >> 16) & 0xff));
    if (pad < 2) out.push_back(char((n >> 8) & 0xff));
    if (pad < 1) out.push_back(char(n & 0xff));
  }
  return out;
}

namespace {

bool header_safe(std::string_view v) {
  if (v.empty()) return true;
  if (v.front() == ' ' || v.back() == ' ' || v.front() == '\t' || v.back() == '\t') return false;
  return std::all_of(v.begin(), v.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

bool looks_like_sentinel(std::string_view v) {
  return v.size() >= kSentinelOpen.size() + kSentinelClose.size() && v.starts_with(kSentinelOpen) &&
         v.ends_with(kSentinelClose);
}

}  // namespace

std::string encode_header_value(std::string_view value) {
  if (header_safe(value) && !looks_like_sentinel(value)) return std::string(value);
  return std::string(kSentinelOpen) + base64_encode(value) + std::string(kSentinelClose);
}

Result<std::string> decode_header_value(std::string_view header) {
  if (!looks_like_sentinel(header)) {
    if (!header_safe(header)) return make_error(Errc::kInvalidArgument, "invalid header characters");
    return std::string(header);
  }
  header.remove_prefix(kSentinelOpen.size());
  header.remove_suffix(kSentinelClose.size());
  return base64_decode(header);
}

std::optional<RpcError> validate_standard_headers(const Message& message,
                                                  std::optional<std::string_view> mcp_method,
                                                  std::optional<std::string_view> mcp_name) {
  auto mismatch = [](std::string text) {
    return RpcError{rpc_code::kHeaderMismatch, "Header mismatch: " + text, nullptr};
  };
  if (message.is_response()) return std::nullopt;
  StandardHeaders want = expected_headers(message);
  if (!mcp_method) return mismatch("Mcp-Method header is required");
  if (*mcp_method != want.method) {
    return mismatch("Mcp-Method header value does not match body method '" + want.method + "'");
  }
  if (!want.name) return std::nullopt;
  if (!mcp_name) return mismatch("Mcp-Name header is required for " + want.method);
  Result<std::string> decoded = decode_header_value(*mcp_name);
  if (!decoded.ok()) return mismatch("Mcp-Name header is not a valid value");
  if (*decoded != *want.name) return mismatch("Mcp-Name header value does not match the body");
  return std::nullopt;
}

}  // namespace woolly::mcp
