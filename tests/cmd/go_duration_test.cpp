// parse_go_duration and format_go_duration: Go's time.ParseDuration syntax; hey's -t, which
// also reads a bare number as seconds; and how a missing unit is recognised.

#include "cmd/go_duration.hpp"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace hload::cli {
namespace {

using namespace std::chrono_literals;

TEST(GoDuration, ReadsGoSyntax) {
  const std::vector<std::pair<std::string, Duration>> cases{
      {"0", 0s},
      {"-0", 0s},
      {"+0", 0s},
      {"0s", 0s},
      {"5s", 5s},
      {"500ms", 500ms},
      {"1m30s", 90s},
      {"3m", 180s},
      {"1h", 1h},
      {"1.5h", 90min},
      {"2h45m", 165min},
      {"-1s", -1s},
      {"+5s", 5s},
      {"-1.5h", -90min},
      {".5s", 500ms},
      {"1.s", 1s},
      {"1us", 1us},
      {"1\u00b5s", 1us},
      {"1\u03bcs", 1us},
      {"100ns", 100ns},
      {"1h1m1s1ms1us1ns", 1h + 1min + 1s + 1ms + 1us + 1ns},
      {"9223372036854775807ns", Duration::max()},
      {"-9223372036854775808ns", Duration::min()},
      {"0.000000001s", 1ns},
      {"1.0000000000000000000001s", 1s},  // digits past 64 bits are ignored, as in Go
  };
  for (const auto& [text, want] : cases) {
    EXPECT_EQ(parse_go_duration(text), want) << text;
  }
}

TEST(GoDuration, RefusesNumbersWithoutAUnitAsGoDoes) {
  // Go: time: missing unit in duration "5". Only "0" stands alone.
  for (const std::string text : {"5", "20", "0.5", ".5", "-1", "+2", "0.0", "00", "1s2"}) {
    EXPECT_EQ(parse_go_duration(text), std::nullopt) << text;
  }
}

TEST(GoDuration, HeysTimeoutReadsBareNumbersAsSeconds) {
  EXPECT_EQ(parse_seconds_or_go_duration("20"), 20s);
  EXPECT_EQ(parse_seconds_or_go_duration("0.5"), 500ms);
  EXPECT_EQ(parse_seconds_or_go_duration("-1"), -1s);
  EXPECT_EQ(parse_seconds_or_go_duration("+2"), 2s);
  EXPECT_EQ(parse_seconds_or_go_duration("0"), 0s);
  EXPECT_EQ(parse_seconds_or_go_duration("1500ms"), 1500ms);
  EXPECT_EQ(parse_seconds_or_go_duration("1m30s"), 90s);
  for (const std::string text : {"", "soon", "1.2.3", "1x", "5 s"}) {
    EXPECT_EQ(parse_seconds_or_go_duration(text), std::nullopt) << text;
  }
}

TEST(GoDuration, LacksUnitSpotsBareNumbersOnly) {
  for (const std::string text : {"5", "0", "-1", "+2", "1.5", ".5", "5."}) {
    EXPECT_TRUE(lacks_unit(text)) << text;
  }
  for (const std::string text : {"", "-", ".", "5s", "1.2.3", "5 ", "abc", "1s2", "--5"}) {
    EXPECT_FALSE(lacks_unit(text)) << text;
  }
}

TEST(GoDuration, RefusesMalformedOrOverflowingText) {
  for (const std::string text :
       {"", "-", "+", ".", "s", "1x", "1.2.3s", "1s2", "abc", "1e3s", " 1s", "1s ", "1 s",
        "9223372036854775808ns", "-9223372036854775809ns", "2562048h", "1..5s", ".s"}) {
    EXPECT_EQ(parse_go_duration(text), std::nullopt) << text;
  }
}

TEST(GoDuration, FormatsInTheLargestExactUnitAndReadsBack) {
  const std::vector<std::pair<Duration, std::string>> cases{
      {0s, "0s"},       {90s, "90s"},       {20s, "20s"}, {2h, "2h"},   {3min, "3m"},
      {500ms, "500ms"}, {1500ms, "1500ms"}, {7us, "7us"}, {3ns, "3ns"}, {-3s, "-3s"},
  };
  for (const auto& [d, want] : cases) {
    EXPECT_EQ(format_go_duration(d), want);
    EXPECT_EQ(parse_go_duration(want), d) << want;
  }
}

}  // namespace
}  // namespace hload::cli
