// JWTs made the way a foreign or hostile client would: HS256 with any secret, or alg "none".
#pragma once

#include <string>

namespace woolly::e2e {

// header.payload.signature with {"alg":"HS256","typ":"JWT"} and `claims_json` as the payload.
std::string hs256_token(const std::string& secret, const std::string& claims_json);
// {"alg":"none"} and an empty signature.
std::string unsigned_token(const std::string& claims_json);

}  // namespace woolly::e2e
