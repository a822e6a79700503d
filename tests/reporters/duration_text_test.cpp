// duration_text: three significant digits in the unit that fits, rounding carried into the next
// unit; in_unit and unit_for, which the histogram's labels use.

#include "reporters/duration_text.hpp"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace hload::reporters {
namespace {

TEST(DurationText, ThreeSignificantDigitsInTheUnitThatFits) {
  const std::vector<std::pair<double, std::string>> cases{
      {0, "0s"},
      {0.0000005, "0.500ns"},
      {0.0005, "500ns"},
      {0.001, "1.00\u00b5s"},
      {0.0123, "12.3\u00b5s"},
      {0.2, "200\u00b5s"},
      {0.812, "812\u00b5s"},
      {0.9997, "1.00ms"},  // 999.7 µs rounds to 1000 µs: the next unit
      {1, "1.00ms"},
      {4.2149, "4.21ms"},
      {9.996, "10.0ms"},  // rounding adds a digit, not a decimal
      {12, "12.0ms"},
      {999.96, "1.00s"},
      {1503, "1.50s"},
      {10'000, "10.0s"},
      {250'000, "250s"},
      {1'234'567, "1235s"},
  };
  for (const auto& [ms, want] : cases) {
    EXPECT_EQ(duration_text(ms), want) << ms << " ms";
  }
}

TEST(DurationText, UnitForIsTheLargestUnitOfAtLeastOne) {
  EXPECT_STREQ(unit_for(0).name, "ns");
  EXPECT_STREQ(unit_for(0.0009).name, "ns");
  EXPECT_STREQ(unit_for(0.001).name, "\u00b5s");
  EXPECT_STREQ(unit_for(0.5).name, "\u00b5s");
  EXPECT_STREQ(unit_for(1).name, "ms");
  EXPECT_STREQ(unit_for(999).name, "ms");
  EXPECT_STREQ(unit_for(1000).name, "s");
  EXPECT_STREQ(unit_for(5'000'000).name, "s");
  EXPECT_EQ(in_unit(3.0045, unit_for(3), 4), "3.0045ms");
  EXPECT_EQ(in_unit(1500, unit_for(1500), 1), "1.5s");
}

}  // namespace
}  // namespace hload::reporters
