#include "common/error.h"

namespace woolly {

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::kInvalidArgument: return "invalid_argument";
    case Errc::kNotFound: return "not_found";
    case Errc::kAlreadyExists: return "already_exists";
    case Errc::kConflict: return "conflict";
    case Errc::kUnauthenticated: return "unauthenticated";
    case Errc::kPermissionDenied: return "permission_denied";
    case Errc::kMethodNotAllowed: return "method_not_allowed";
    case Errc::kPayloadTooLarge: return "payload_too_large";
    case Errc::kRateLimited: return "rate_limited";
    case Errc::kInsufficientCredits: return "insufficient_credits";
    case Errc::kUnavailable: return "unavailable";
    case Errc::kTimeout: return "timeout";
    case Errc::kUpstream: return "upstream_error";
    case Errc::kCancelled: return "cancelled";
    case Errc::kCorruptData: return "corrupt_data";
    case Errc::kUnsupported: return "unsupported";
    case Errc::kOutOfRange: return "out_of_range";
    case Errc::kIo: return "io_error";
    case Errc::kInternal: return "internal_error";
  }
  return "internal_error";
}

std::string error_code(Errc code) {
  std::string out(errc_name(code));
  for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return out;
}

}  // namespace woolly
