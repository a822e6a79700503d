#include "reporters/step_summary.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "reporters/gate_units.hpp"
#include "tests/reporters/sample_verdict.hpp"

namespace hload::reporters {
namespace {

using nlohmann::ordered_json;
using testing::sample_report;
using testing::sample_verdict;

std::string summary_of(const ordered_json& report, const GateVerdict& v) {
  std::ostringstream out;
  write_step_summary(out, report, v);
  return out.str();
}

std::string ms(const ordered_json& report, const char* field) {
  return format_field_value(report["latency"][field].get<double>(), field);
}

TEST(StepSummaryTest, KeyFiguresOfARealReport) {
  const ordered_json report = sample_report();
  const std::string md = summary_of(report, sample_verdict());
  EXPECT_EQ(md.rfind("### hload: \u274C 3 of 6 checks failed\n\n", 0), 0u) << md;
  EXPECT_NE(md.find("| requests | ok | failed | rps | p50 | p99 |\n"
                    "| ---: | ---: | ---: | ---: | ---: | ---: |\n"
                    "| 20000 | 19990 | 10 | 10000 | " +
                    ms(report, "p50_ms") + " | " + ms(report, "p99_ms") + " |\n"),
            std::string::npos)
      << md;
}

TEST(StepSummaryTest, FailedComesFromTheReportWhenItHasIt) {
  ordered_json report = sample_report();
  report["summary"]["failed"] = 7;
  EXPECT_NE(summary_of(report, {}).find("| 20000 | 19990 | 7 | 10000 |"), std::string::npos);
  report["summary"].erase("ok");
  report["summary"].erase("failed");
  EXPECT_NE(summary_of(report, {}).find("| 20000 | - | - | 10000 |"), std::string::npos);
}

TEST(StepSummaryTest, PoolTableHasARowPerHost) {
  const ordered_json report = sample_report();
  const std::string md = summary_of(report, sample_verdict());
  const std::string wait_idle_p99 = format_field_value(
      report["hosts"]["http://127.0.0.1:18080"]["wait_idle"]["p99_ms"].get<double>(), "p99_ms");
  EXPECT_NE(md.find("#### Connection pool\n\n"
                    "| host | dials | reuse ratio | wait_idle p99 | wait_permit p99 | max open |\n"
                    "| --- | ---: | ---: | ---: | ---: | ---: |\n"
                    "| `http://127.0.0.1:18080` | 2 | 99.99% | " +
                    wait_idle_p99 +
                    " | 5 ms | 2 |\n"
                    "| `http://127.0.0.1:18081` | 50 | 50% | 0 ms | 0 ms | 7 |\n"),
            std::string::npos)
      << md;
}

TEST(StepSummaryTest, GatesTableWithMarks) {
  const GateVerdict v = sample_verdict();
  const std::string md = summary_of(sample_report(), v);
  EXPECT_NE(
      md.find("#### Gates\n\n|  | assertion | measured | reason |\n| :---: | --- | ---: | --- |\n"
              "| \u2705 | `p99 < 20s` | "),
      std::string::npos)
      << md;
  EXPECT_NE(md.find("| \u274C | `dials<=2` | 52 (sum of 2) | not \\<= 2 |\n"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| \u2705 | `error_rate<0.1%` | 0.0005 | meets \\< 0.001 |\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| \u274C | `reuse_ratio>=0.9` | "), std::string::npos) << md;
}

TEST(StepSummaryTest, BaselineTableAndWarnings) {
  const std::string md = summary_of(sample_report(), sample_verdict());
  EXPECT_NE(
      md.find("#### Baseline\n\n|  | metric | baseline | this run | change | bound | reason |\n"),
      std::string::npos)
      << md;
  EXPECT_NE(md.find("| \u274C | p99 | "), std::string::npos) << md;
  EXPECT_NE(md.find(" | +25% | 10% | rose 25%, more than 10% |\n"), std::string::npos) << md;
  EXPECT_NE(md.find("| \u2705 | rps | 10000 | 10000 | 0% | 5% | unchanged |\n"), std::string::npos)
      << md;
  EXPECT_NE(md.find("\n- \u26A0\uFE0F config.concurrency differs: 100 in the baseline, 200 in this "
                    "run\n"),
            std::string::npos)
      << md;
}

TEST(StepSummaryTest, NothingToJudgeHasAPlainHeadingAndNoGateTables) {
  const std::string md = summary_of(sample_report(), {});
  EXPECT_EQ(md.rfind("### hload\n\n| requests |", 0), 0u) << md;
  EXPECT_EQ(md.find("#### Gates"), std::string::npos);
  EXPECT_EQ(md.find("#### Baseline"), std::string::npos);
  GateVerdict passing;
  passing.gates = evaluate_gates({parse_gate_expr("p99<1h")}, sample_report());
  EXPECT_EQ(
      summary_of(sample_report(), passing).rfind("### hload: \u2705 all 1 checks passed\n", 0), 0u);
}

TEST(StepSummaryTest, ExpressionsAndReasonsCannotBreakTheTable) {
  GateVerdict v;
  GateResult g;
  g.expr = "hosts['a|b'].dials<1 `x`";
  g.measured = "-";
  g.reason = R"(unknown field "hosts["a|b"].dials" (hosts has no "a|b") *not* <b>)";
  v.gates.push_back(g);
  const std::string md = summary_of(sample_report(), v);
  EXPECT_NE(
      md.find("| \u274C | `` hosts['a\\|b'].dials<1 `x` `` | - | unknown field "
              "\"hosts\\[\"a\\|b\"\\].dials\" (hosts has no \"a\\|b\") \\*not\\* \\<b\\> |\n"),
      std::string::npos)
      << md;
}

}  // namespace
}  // namespace hload::reporters
