// Q4_K / Q5_K pack a 6-bit scale and a 6-bit min for each of 8 sub-blocks into 12 bytes:
// bytes 0-3 hold scales 0-3 (low 6 bits), bytes 4-7 mins 0-3; sub-blocks 4-7 keep their low
// 4 bits in the nibbles of bytes 8-11 and their top 2 bits in the spare bits 6-7 of bytes 0-7.
#pragma once

#include <cstdint>

namespace woolly::engine::detail {

inline void k_scale_min(int j, const uint8_t* q, int& sc, int& m) {
  if (j < 4) {
    sc = q[j] & 63;
    m = q[j + 4] & 63;
  } else {
    sc = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
    m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
  }
}

}  // namespace woolly::engine::detail
