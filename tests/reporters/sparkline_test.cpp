#include "reporters/sparkline.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

namespace hload::reporters {
namespace {

using namespace std::chrono_literals;

engine::Timeline timeline_of(const std::vector<std::uint64_t>& per_interval, engine::Duration width,
                             engine::Duration elapsed,
                             std::size_t max_intervals = engine::Timeline::kMaxIntervals) {
  engine::Timeline t(width, 0, max_intervals);
  for (std::uint64_t n : per_interval) {
    engine::TimelineInterval in;
    in.requests = in.ok = n;
    t.append(std::move(in));
  }
  t.elapsed = elapsed;
  return t;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(Sparkline, OneMarkASecondAndARowAMinute) {
  // 90 s: 60 s at 100/s with a stall at 10 s, then 30 s at 200/s.
  std::vector<std::uint64_t> per_second(90, 100);
  per_second[10] = 0;
  for (int i = 60; i < 90; ++i) per_second[i] = 200;
  const auto lines = lines_of(sparkline_text(timeline_of(per_second, 1s, 90s)));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0],
            "Requests/sec over time (a mark per 1.00s, a row per 60.0s; █ is 200/s, blank none):");
  std::string first = "  0:00  ";
  for (int i = 0; i < 60; ++i) first += i == 10 ? " " : "▄";
  EXPECT_EQ(lines[1], first);
  std::string second = "  1:00  ";
  for (int i = 0; i < 30; ++i) second += "█";
  EXPECT_EQ(lines[2], second);
}

TEST(Sparkline, ShortIntervalsAreGatheredIntoSeconds) {
  // 100 ms intervals: ten make a mark; the last, partial second is read as a rate too.
  std::vector<std::uint64_t> per_tenth(25, 10);
  const auto lines = lines_of(sparkline_text(timeline_of(per_tenth, 100ms, 2500ms)));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1], "  0:00  ███");
}

TEST(Sparkline, ALongRunKeepsToAFewRows) {
  // Ten hours at 1 s, kept unmerged (36,000 intervals), drawn in at most 12 rows.
  std::vector<std::uint64_t> per_second(36'000, 50);
  const auto lines = lines_of(sparkline_text(timeline_of(per_second, 1s, 36'000s, 36'000)));
  EXPECT_EQ(lines.size(), 1u + kSparklineRows);
  EXPECT_EQ(lines[1].substr(0, 11), "  0:00:00  ");
  EXPECT_EQ(lines[2].substr(0, 11), "  0:50:00  ");
  EXPECT_NE(lines[0].find("a mark per 50.0s"), std::string::npos) << lines[0];
}

TEST(Sparkline, NothingWithoutATimeline) { EXPECT_EQ(sparkline_text(engine::Timeline{}), ""); }

}  // namespace
}  // namespace hload::reporters
