#include "engine/sampling/stop_strings.h"

#include <gtest/gtest.h>

namespace woolly::engine {
namespace {

TEST(StopStrings, StopAcrossPiecesIsNeverEmitted) {
  StopStrings s({"</end>"});
  std::string out;
  EXPECT_FALSE(s.feed("Hello </", out));
  EXPECT_EQ(out, "Hello ");  // "</" could start the stop: held back
  EXPECT_FALSE(s.feed("en", out));
  EXPECT_EQ(out, "Hello ");
  EXPECT_TRUE(s.feed("d> more", out));
  EXPECT_EQ(out, "Hello ");
  EXPECT_EQ(s.matched(), "</end>");
}

TEST(StopStrings, HeldTextIsReleasedWhenItTurnsOutHarmless) {
  StopStrings s({"STOP"});
  std::string out;
  s.feed("a ST", out);
  EXPECT_EQ(out, "a ");
  s.feed("ONG", out);
  EXPECT_EQ(out, "a STONG");
  s.feed("x S", out);
  s.flush(out);
  EXPECT_EQ(out, "a STONGx S");
}

TEST(StopStrings, EarliestOfSeveralStopsWins) {
  StopStrings s({"world", "lo w"});
  std::string out;
  EXPECT_TRUE(s.feed("hello world", out));
  EXPECT_EQ(out, "hel");
  EXPECT_EQ(s.matched(), "lo w");
}

TEST(StopStrings, WithoutStopsEverythingPassesAtOnce) {
  StopStrings s;
  std::string out;
  s.feed("abc", out);
  EXPECT_EQ(out, "abc");
}

TEST(StopStrings, RepeatedPrefixCharactersAreHandled) {
  StopStrings s({"aab"});
  std::string out;
  s.feed("xaa", out);
  EXPECT_EQ(out, "x");
  s.feed("a", out);  // "aaa": the last "aa" may still become "aab"
  EXPECT_EQ(out, "xa");
  EXPECT_TRUE(s.feed("b", out));
  EXPECT_EQ(out, "xa");
}

}  // namespace
}  // namespace woolly::engine
