#pragma once

// Comparing a run with an earlier one (a baseline report): p50, p99, rps and the error rate,
// each with a bound on how much worse it may get, in percent.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reporters/gate_error.hpp"

namespace hload::reporters {

// BaselineMetric is a figure compared with the baseline.
enum class BaselineMetric {
  p50,         // latency.p50_ms; higher is worse
  p99,         // latency.p99_ms; higher is worse
  rps,         // summary.rps; lower is worse
  error_rate,  // summary.error_rate; higher is worse
};

// to_string returns the metric's name as -max-regression spells it: "p50", "p99", "rps",
// "error_rate".
std::string_view to_string(BaselineMetric m);

// RegressionBound is how much worse one metric may get, in percent of its baseline value.
struct RegressionBound {
  BaselineMetric metric = BaselineMetric::p99;
  double max_percent = 0;  // 10 for 10%
};

// parse_regression_bounds reads a -max-regression value: "10%" bounds all four metrics,
// "p99=10%,rps=5%" only those it names. The result is in metric order (p50 p99 rps
// error_rate). Throws GateError with one line naming the bad part: `-max-regression
// "p98=10%": unknown metric "p98" (metrics: p50 p99 rps error_rate)`.
std::vector<RegressionBound> parse_regression_bounds(std::string_view spec);

// BaselineRow is one metric's comparison.
struct BaselineRow {
  BaselineMetric metric = BaselineMetric::p99;
  std::string path;                 // the field compared: "latency.p99_ms"
  std::optional<double> old_value;  // in the baseline; empty when missing or null
  std::optional<double> new_value;  // in this run; empty when missing or null
  std::optional<double> change;     // (new - old) / old in percent; ±infinity from 0
  double max_percent = 0;           // the bound
  bool pass = false;                // the regression, if any, is within the bound
  std::string reason;               // "rose 25%, more than 10%"
};

// BaselineResult is the comparison of two reports.
struct BaselineResult {
  std::vector<BaselineRow> rows;      // one per bound, in its order
  std::vector<std::string> warnings;  // how the two runs were set up differently

  // passed says whether every row passed.
  bool passed() const;
};

// format_row_value writes one of row's values for people in its field's unit ("100 ms",
// "9090.91", "0.0005"), or "-" when it is missing.
std::string format_row_value(const BaselineRow& row, const std::optional<double>& v);

// format_change writes row's change with its sign: "+25%", "-9.09%", "0%", "+inf%", or "-"
// when a value is missing.
std::string format_change(const BaselineRow& row);

// format_bound writes row's bound: "10%".
std::string format_bound(const BaselineRow& row);

// compare_baseline compares new_report with old_report on every metric bounds names. A
// regression past its bound fails; getting better never does. From 0 to more than 0 is an
// infinite change: an error rate that was 0 and is not fails any bound, 0 to 0 passes. A value
// missing or null in either report fails. It warns when the reports differ in config.url,
// concurrency, rate, duration_s, requests, max_conns_per_host, http2 or method, as the
// comparison may then not be like for like.
BaselineResult compare_baseline(const nlohmann::ordered_json& old_report,
                                const nlohmann::ordered_json& new_report,
                                const std::vector<RegressionBound>& bounds);
BaselineResult compare_baseline(const nlohmann::json& old_report, const nlohmann::json& new_report,
                                const std::vector<RegressionBound>& bounds);

}  // namespace hload::reporters
