#include "reporters/histogram_report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/reporters/sample_result.hpp"

namespace hload::reporters {
namespace {

using ::testing::HasSubstr;
using testing::kHost;
using testing::rate_mode_result;
using testing::sample_result;

struct ChartRow {
  double lower;
  double upper;  // infinity for "inf"
  std::uint64_t count;
};

std::vector<ChartRow> chart_rows(const std::string& chart) {
  const std::regex row(R"(  ([0-9.]+)-([0-9.]+|inf) ms\s+(\d+)(  \S+)?)");
  std::vector<ChartRow> out;
  std::istringstream lines(chart);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.back() == ':') continue;  // the title
    std::smatch m;
    if (!std::regex_match(line, m, row)) {
      ADD_FAILURE() << "not a chart row: '" << line << "'";
      continue;
    }
    out.push_back({std::stod(m[1]),
                   m[2] == "inf" ? std::numeric_limits<double>::infinity() : std::stod(m[2]),
                   std::stoull(m[3])});
  }
  return out;
}

std::string chart(const engine::Histogram& h, int max_rows = 20) {
  std::ostringstream out;
  write_histogram_chart(out, "Latency", h, max_rows);
  return out.str();
}

TEST(HistogramReportTest, WideRangeMergesIntoAtMostTwentyContiguousRows) {
  engine::Histogram h;
  for (int ms = 1; ms <= 10'000; ++ms) h.record_ms(ms);
  const auto c = chart(h);
  EXPECT_THAT(c, ::testing::StartsWith("Latency (10000 samples, ms):\n"));
  const auto rows = chart_rows(c);
  ASSERT_GE(rows.size(), 15u);
  ASSERT_LE(rows.size(), 20u);
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    sum += rows[i].count;
    EXPECT_LT(rows[i].lower, rows[i].upper);
    if (i > 0) {
      EXPECT_NEAR(rows[i].lower, rows[i - 1].upper, rows[i].lower * 1e-3);
    }
  }
  EXPECT_EQ(sum, 10'000u);
  EXPECT_THAT(c, ::testing::Not(HasSubstr(" \n")));  // rows without bars end at their count
  EXPECT_LE(rows.front().lower, 1.0);
  EXPECT_GE(rows.back().upper, 10'000.0);
}

TEST(HistogramReportTest, NarrowRangeGetsOneRowPerBucket) {
  engine::Histogram h;
  h.record_ms(10.0);
  h.record_ms(10.0);
  h.record_ms(10.5);
  const auto rows = chart_rows(chart(h));
  // 10.5 / 10 = 1.05 spans three or four 1.9% buckets, whatever the alignment; the ones
  // between are empty but shown.
  ASSERT_GE(rows.size(), 3u);
  ASSERT_LE(rows.size(), 4u);
  EXPECT_EQ(rows.front().count, 2u);
  EXPECT_EQ(rows[1].count, 0u);
  EXPECT_EQ(rows.back().count, 1u);
}

TEST(HistogramReportTest, UnderAndOverflowGetRowsOfTheirOwn) {
  engine::Histogram h;
  h.record_ms(0.0);
  h.record_ms(1.0);
  h.record_ms(3'000'000.0);
  const auto rows = chart_rows(chart(h));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows.front().lower, 0.0);
  EXPECT_EQ(rows.front().count, 1u);
  EXPECT_TRUE(std::isinf(rows.back().upper));
  EXPECT_EQ(rows.back().count, 1u);
}

TEST(HistogramReportTest, EmptyHistogramGetsANote) {
  EXPECT_EQ(chart(engine::Histogram{}), "Latency: empty (nothing was recorded)\n");
}

TEST(HistogramReportTest, RunChartsLatencyAndEachHostsWaits) {
  auto r = sample_result();
  r.hosts[kHost].wait_permit = engine::Histogram{};
  std::ostringstream out;
  write_histograms(out, r);
  const auto t = out.str();
  EXPECT_THAT(t, HasSubstr("Latency (20000 samples, ms):\n"));
  EXPECT_THAT(t, HasSubstr(std::string("\nHost ") + kHost + "\n"));
  EXPECT_THAT(t, HasSubstr("Wait for idle connection (100 samples, ms):\n"));
  EXPECT_THAT(t, HasSubstr("Wait for permit to dial: empty (nothing was recorded)\n"));
  EXPECT_THAT(t, ::testing::Not(HasSubstr("Service time")));
}

TEST(HistogramReportTest, RateModeChartsResponseAndServiceTime) {
  std::ostringstream out;
  write_histograms(out, rate_mode_result());
  EXPECT_THAT(out.str(), HasSubstr("Response time (from when each request was due) (20000"));
  EXPECT_THAT(out.str(), HasSubstr("Service time (from actually sending) (1000 samples, ms):\n"));
}

}  // namespace
}  // namespace hload::reporters
