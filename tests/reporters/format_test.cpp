#include "reporters/format.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace hload::reporters {
namespace {

TEST(FormatTest, CompactKeepsSixSignificantDigitsWithoutTrailingZeros) {
  EXPECT_EQ(compact(0), "0");
  EXPECT_EQ(compact(20000), "20000");
  EXPECT_EQ(compact(1234567), "1234567");
  EXPECT_EQ(compact(5000.5), "5000.5");
  EXPECT_EQ(compact(123.45678), "123.457");
  EXPECT_EQ(compact(0.0012), "0.0012");
  EXPECT_EQ(compact(0.9999), "0.9999");
  EXPECT_EQ(compact(250.0), "250");
  EXPECT_EQ(compact(-1.5), "-1.5");
  EXPECT_EQ(compact(1e-9), "0.000000001");
  EXPECT_EQ(compact(std::numeric_limits<double>::infinity()), "inf");
}

}  // namespace
}  // namespace hload::reporters
