// SHA-256 (FIPS 180-4), for hashing API key secrets. The store may use only std and the
// database client libraries, so it carries this small implementation instead of OpenSSL.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace woolly::store::detail {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest sha256(std::string_view data);
std::string to_hex(const uint8_t* data, size_t size);
std::string sha256_hex(std::string_view data);

// Compares two strings in time that depends only on their lengths, not on where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// `bytes` random bytes from the OS (std::random_device reads /dev/urandom on Linux), hex-encoded.
std::string random_hex(size_t bytes);

}  // namespace woolly::store::detail
