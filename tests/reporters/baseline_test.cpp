#include "reporters/baseline.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "reporters/json_report.hpp"
#include "tests/reporters/sample_result.hpp"

namespace hload::reporters {
namespace {

using nlohmann::ordered_json;
using testing::sample_result;

std::string bounds_error(std::string_view spec) {
  try {
    parse_regression_bounds(spec);
  } catch (const GateError& e) {
    return e.what();
  }
  return "(no error)";
}

// with sets latency.p50_ms, latency.p99_ms, summary.rps and summary.error_rate of report.
ordered_json with(ordered_json report, double p50, double p99, double rps, double error_rate) {
  report["latency"]["p50_ms"] = p50;
  report["latency"]["p99_ms"] = p99;
  report["summary"]["rps"] = rps;
  report["summary"]["error_rate"] = error_rate;
  return report;
}

BaselineRow row_of(const BaselineResult& result, BaselineMetric m) {
  for (const BaselineRow& row : result.rows) {
    if (row.metric == m) return row;
  }
  ADD_FAILURE() << "no row for " << to_string(m);
  return {};
}

TEST(BaselineTest, OnePercentBoundsAllFourMetrics) {
  const auto bounds = parse_regression_bounds("10%");
  ASSERT_EQ(bounds.size(), 4u);
  EXPECT_EQ(bounds[0].metric, BaselineMetric::p50);
  EXPECT_EQ(bounds[1].metric, BaselineMetric::p99);
  EXPECT_EQ(bounds[2].metric, BaselineMetric::rps);
  EXPECT_EQ(bounds[3].metric, BaselineMetric::error_rate);
  for (const RegressionBound& b : bounds) EXPECT_EQ(b.max_percent, 10);
  EXPECT_EQ(parse_regression_bounds(" 2.5% ")[0].max_percent, 2.5);
}

TEST(BaselineTest, NamedBoundsOnlyThoseInMetricOrder) {
  const auto bounds = parse_regression_bounds("rps=5%, p99 = 10%");
  ASSERT_EQ(bounds.size(), 2u);
  EXPECT_EQ(bounds[0].metric, BaselineMetric::p99);
  EXPECT_EQ(bounds[0].max_percent, 10);
  EXPECT_EQ(bounds[1].metric, BaselineMetric::rps);
  EXPECT_EQ(bounds[1].max_percent, 5);
  const auto all = parse_regression_bounds("p50=1%,p99=2%,rps=3%,error_rate=0%");
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[3].metric, BaselineMetric::error_rate);
  EXPECT_EQ(all[3].max_percent, 0);
}

TEST(BaselineTest, MalformedBoundsNameTheBadPart) {
  EXPECT_EQ(bounds_error(""), "-max-regression \"\": expected a percent such as 10%, got \"\"");
  EXPECT_EQ(bounds_error("10"),
            "-max-regression \"10\": expected a percent such as 10%, got \"10\"");
  EXPECT_EQ(bounds_error("10ms"),
            "-max-regression \"10ms\": expected a percent such as 10%, got \"10ms\"");
  EXPECT_EQ(bounds_error("-5%"), "-max-regression \"-5%\": a bound cannot be negative: \"-5%\"");
  EXPECT_EQ(bounds_error("p98=10%"),
            "-max-regression \"p98=10%\": unknown metric \"p98\" (metrics: p50 p99 rps "
            "error_rate)");
  EXPECT_EQ(bounds_error("p99=10"),
            "-max-regression \"p99=10\": expected a percent such as 10% for p99, got \"10\"");
  EXPECT_EQ(bounds_error("p99=10%,p99=5%"),
            "-max-regression \"p99=10%,p99=5%\": p99 is bounded twice");
  EXPECT_EQ(bounds_error("p99=10%,"),
            "-max-regression \"p99=10%,\": expected METRIC=PERCENT, got \"\"");
  EXPECT_EQ(bounds_error("10%,p99=5%"),
            "-max-regression \"10%,p99=5%\": expected METRIC=PERCENT, got \"10%\"");
}

TEST(BaselineTest, LatencyThatRosePastItsBoundFails) {
  const ordered_json old_report = with(to_json(sample_result()), 50, 100, 1000, 0.01);
  const auto bounds = parse_regression_bounds("p50=10%,p99=10%");
  const BaselineResult r =
      compare_baseline(old_report, with(old_report, 52, 125, 1000, 0.01), bounds);
  ASSERT_EQ(r.rows.size(), 2u);
  const BaselineRow p99 = row_of(r, BaselineMetric::p99);
  EXPECT_EQ(p99.path, "latency.p99_ms");
  EXPECT_EQ(p99.old_value, 100);
  EXPECT_EQ(p99.new_value, 125);
  EXPECT_DOUBLE_EQ(*p99.change, 25);
  EXPECT_EQ(p99.max_percent, 10);
  EXPECT_FALSE(p99.pass);
  EXPECT_EQ(p99.reason, "rose 25%, more than 10%");
  const BaselineRow p50 = row_of(r, BaselineMetric::p50);
  EXPECT_TRUE(p50.pass);
  EXPECT_EQ(p50.reason, "rose 4%, within 10%");
  EXPECT_FALSE(r.passed());
}

TEST(BaselineTest, LatencyThatFellOrStayedAtTheBoundPasses) {
  const ordered_json old_report = with(to_json(sample_result()), 50, 100, 1000, 0.01);
  const auto bounds = parse_regression_bounds("10%");
  const BaselineResult better =
      compare_baseline(old_report, with(old_report, 25, 90, 1000, 0.01), bounds);
  EXPECT_TRUE(better.passed());
  EXPECT_EQ(row_of(better, BaselineMetric::p50).reason, "fell 50%");
  EXPECT_DOUBLE_EQ(*row_of(better, BaselineMetric::p99).change, -10);
  const BaselineResult at_bound =
      compare_baseline(old_report, with(old_report, 55, 110, 1000, 0.011), bounds);
  EXPECT_TRUE(at_bound.passed());
  EXPECT_EQ(row_of(at_bound, BaselineMetric::p99).reason, "rose 10%, within 10%");
  EXPECT_TRUE(row_of(at_bound, BaselineMetric::error_rate).pass);
}

TEST(BaselineTest, RpsThatFellPastItsBoundFails) {
  // The same run taking 10% longer: rps falls from 10,000 to 9,090.9 (-9.09%).
  engine::RunResult slower = sample_result();
  slower.elapsed_s = 2.2;
  const ordered_json old_report = to_json(sample_result());
  const ordered_json new_report = to_json(slower);
  const BaselineRow tight =
      compare_baseline(old_report, new_report, parse_regression_bounds("rps=5%")).rows.at(0);
  EXPECT_EQ(tight.metric, BaselineMetric::rps);
  EXPECT_EQ(tight.path, "summary.rps");
  EXPECT_EQ(tight.old_value, 10'000);
  EXPECT_NEAR(*tight.change, -9.0909, 1e-3);
  EXPECT_FALSE(tight.pass);
  EXPECT_EQ(tight.reason, "fell 9.09%, more than 5%");
  const BaselineRow loose =
      compare_baseline(old_report, new_report, parse_regression_bounds("rps=10%")).rows.at(0);
  EXPECT_TRUE(loose.pass);
  EXPECT_EQ(loose.reason, "fell 9.09%, within 10%");
  // Faster is never a regression, however large.
  const BaselineRow faster =
      compare_baseline(new_report, old_report, parse_regression_bounds("rps=0%")).rows.at(0);
  EXPECT_TRUE(faster.pass);
  EXPECT_EQ(faster.reason, "rose 10%");
}

TEST(BaselineTest, ErrorRateFromZero) {
  const ordered_json clean = with(to_json(sample_result()), 50, 100, 1000, 0);
  const auto bounds = parse_regression_bounds("error_rate=1000%");
  const BaselineRow same = compare_baseline(clean, clean, bounds).rows.at(0);
  EXPECT_TRUE(same.pass);
  EXPECT_EQ(same.change, 0);
  EXPECT_EQ(same.reason, "unchanged");
  const BaselineRow worse =
      compare_baseline(clean, with(clean, 50, 100, 1000, 0.0005), bounds).rows.at(0);
  EXPECT_FALSE(worse.pass);
  EXPECT_TRUE(std::isinf(*worse.change) && *worse.change > 0);
  EXPECT_EQ(worse.reason, "rose from 0 to 0.0005, an infinite regression (bound 1000%)");
  // Halving the errors is progress; doubling them is +100%.
  const ordered_json some = with(clean, 50, 100, 1000, 0.001);
  EXPECT_TRUE(compare_baseline(some, with(clean, 50, 100, 1000, 0.0005), bounds).passed());
  const BaselineRow doubled = compare_baseline(some, with(clean, 50, 100, 1000, 0.002),
                                               parse_regression_bounds("error_rate=50%"))
                                  .rows.at(0);
  EXPECT_FALSE(doubled.pass);
  EXPECT_DOUBLE_EQ(*doubled.change, 100);
}

TEST(BaselineTest, RpsFromZeroIsProgress) {
  const ordered_json idle = with(to_json(sample_result()), 50, 100, 0, 0);
  const BaselineRow r =
      compare_baseline(idle, with(idle, 50, 100, 500, 0), parse_regression_bounds("rps=0%"))
          .rows.at(0);
  EXPECT_TRUE(r.pass);
  EXPECT_EQ(r.reason, "rose from 0 to 500");
}

TEST(BaselineTest, MissingValuesFail) {
  const ordered_json report = to_json(sample_result());
  ordered_json without = report;
  without.erase("latency");
  ordered_json null_p99 = report;
  null_p99["latency"]["p99_ms"] = nullptr;
  const auto bounds = parse_regression_bounds("p99=10%");
  const BaselineRow old_missing = compare_baseline(without, report, bounds).rows.at(0);
  EXPECT_FALSE(old_missing.pass);
  EXPECT_FALSE(old_missing.old_value.has_value());
  EXPECT_EQ(old_missing.reason, "no value in the baseline");
  EXPECT_EQ(compare_baseline(report, null_p99, bounds).rows.at(0).reason, "no value in this run");
  EXPECT_EQ(compare_baseline(without, null_p99, bounds).rows.at(0).reason,
            "no value in either report");
}

TEST(BaselineTest, WarnsWhenTheRunsWereSetUpDifferently) {
  const ordered_json report = to_json(sample_result());
  EXPECT_TRUE(compare_baseline(report, report, parse_regression_bounds("10%")).warnings.empty());

  engine::RunResult other = sample_result();
  other.config.concurrency = 100;
  other.config.rate = 1000;
  other.config.max_conns_per_host = 4;
  ordered_json old_report = report;
  old_report["config"].erase("method");  // written before the field existed
  const auto warnings =
      compare_baseline(old_report, to_json(other), parse_regression_bounds("10%")).warnings;
  EXPECT_EQ(warnings, (std::vector<std::string>{
                          "config.concurrency differs: 200 in the baseline, 100 in this run",
                          "config.rate differs: null in the baseline, 1000.0 in this run",
                          "config.max_conns_per_host differs: 2 in the baseline, 4 in this run",
                          "config.method differs: absent in the baseline, \"GET\" in this run",
                      }));

  ordered_json moved = report;
  moved["config"]["url"] = "http://127.0.0.1:9/";
  moved["config"]["http2"] = true;
  moved["config"]["duration_s"] = 30.0;
  moved["config"]["requests"] = nullptr;
  EXPECT_EQ(compare_baseline(report, moved, {}).warnings.size(), 4u);
}

TEST(BaselineTest, PlainJsonReportsAreAcceptedToo) {
  const nlohmann::json before =
      nlohmann::json::parse(with(to_json(sample_result()), 50, 100, 1000, 0).dump());
  nlohmann::json after = before;
  after["latency"]["p99_ms"] = 200;
  const BaselineResult r = compare_baseline(before, after, parse_regression_bounds("p99=10%"));
  EXPECT_FALSE(r.passed());
  EXPECT_DOUBLE_EQ(*r.rows.at(0).change, 100);
}

}  // namespace
}  // namespace hload::reporters
