#include "common/result.h"

#include <gtest/gtest.h>

#include <string>

namespace woolly {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return make_error(Errc::kInvalidArgument, "must be positive");
  return v;
}

Result<std::string> describe(int v) {
  WOOLLY_ASSIGN_OR_RETURN(int n, parse_positive(v));
  return std::to_string(n * 2);
}

Status check(int v) {
  WOOLLY_TRY(parse_positive(v));
  return {};
}

TEST(Result, CarriesValueOrError) {
  auto good = describe(21);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, "42");

  auto bad = describe(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(bad.error().message, "must be positive");
  EXPECT_EQ(errc_name(bad.error().code), "invalid_argument");
}

TEST(Result, StatusPropagates) {
  EXPECT_TRUE(check(3).ok());
  auto s = check(0);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kInvalidArgument);
}

}  // namespace
}  // namespace woolly
