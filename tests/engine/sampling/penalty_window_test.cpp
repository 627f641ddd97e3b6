#include "engine/sampling/penalty_window.h"

#include <gtest/gtest.h>

#include <map>

namespace woolly::engine {
namespace {

std::map<int32_t, int32_t> counts(const PenaltyWindow& w) {
  return {w.counts().begin(), w.counts().end()};
}

TEST(PenaltyWindow, CountsTheLastNTokens) {
  PenaltyWindow w(3);
  for (int32_t t : {5, 5, 7, 5}) w.push(t);  // window: 5, 7, 5
  EXPECT_EQ(counts(w), (std::map<int32_t, int32_t>{{5, 2}, {7, 1}}));
  w.push(9);
  w.push(9);  // window: 5, 9, 9
  EXPECT_EQ(counts(w), (std::map<int32_t, int32_t>{{5, 1}, {9, 2}}));
}

TEST(PenaltyWindow, ZeroIsOffMinusOneIsUnbounded) {
  PenaltyWindow off(0);
  off.push(1);
  EXPECT_TRUE(off.counts().empty());
  PenaltyWindow all(-1);
  for (int i = 0; i < 1000; ++i) all.push(i % 3);
  EXPECT_EQ(counts(all)[0], 334);
}

}  // namespace
}  // namespace woolly::engine
