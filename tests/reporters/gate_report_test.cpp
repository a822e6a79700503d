#include "reporters/gate_report.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tests/reporters/sample_verdict.hpp"

namespace hload::reporters {
namespace {

using nlohmann::ordered_json;
using testing::sample_verdict;

std::string text_of(const GateVerdict& v) {
  std::ostringstream out;
  write_gates_text(out, v);
  return out.str();
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

GateResult result(std::string expr, bool pass, std::string measured, std::string reason) {
  GateResult r;
  r.expr = std::move(expr);
  r.path = "latency.p99_ms";
  r.pass = pass;
  r.measured = std::move(measured);
  r.reason = std::move(reason);
  return r;
}

TEST(GateReportTest, TextLinesUpOneLinePerGate) {
  GateVerdict v;
  v.gates.push_back(result("p99<250ms", true, "120 ms", "meets < 250 ms"));
  v.gates.push_back(result("dials<=2", false, "52 (sum of 2)", "not <= 2"));
  EXPECT_EQ(text_of(v),
            "Gates: 1 passed, 1 failed\n"
            "  PASS  p99<250ms  120 ms         meets < 250 ms\n"
            "  FAIL  dials<=2   52 (sum of 2)  not <= 2\n");
}

TEST(GateReportTest, TextBaselineTableAndWarnings) {
  GateVerdict v;
  BaselineResult b;
  BaselineRow p99;
  p99.metric = BaselineMetric::p99;
  p99.path = "latency.p99_ms";
  p99.old_value = 100;
  p99.new_value = 125;
  p99.change = 25;
  p99.max_percent = 10;
  p99.reason = "rose 25%, more than 10%";
  BaselineRow rps;
  rps.metric = BaselineMetric::rps;
  rps.path = "summary.rps";
  rps.old_value = 10000;
  rps.new_value = 9800;
  rps.change = -2;
  rps.max_percent = 5;
  rps.pass = true;
  rps.reason = "fell 2%, within 5%";
  b.rows = {p99, rps};
  b.warnings = {"config.concurrency differs: 100 in the baseline, 200 in this run"};
  v.baseline = b;
  EXPECT_EQ(text_of(v),
            "Baseline:\n"
            "        metric  baseline  this run  change  bound\n"
            "  FAIL  p99     100 ms    125 ms    +25%    10%    rose 25%, more than 10%\n"
            "  PASS  rps     10000     9800      -2%     5%     fell 2%, within 5%\n"
            "  warning: config.concurrency differs: 100 in the baseline, 200 in this run\n");
  v.gates.push_back(result("p99<250ms", true, "120 ms", "meets < 250 ms"));
  EXPECT_EQ(text_of(v).find("Gates: 1 passed, 0 failed\n  PASS  p99<250ms  120 ms  meets < 250 "
                            "ms\n\nBaseline:\n"),
            0u);
}

TEST(GateReportTest, TextWritesNothingWithoutGates) { EXPECT_EQ(text_of(GateVerdict{}), ""); }

TEST(GateReportTest, TextOfARealVerdict) {
  const GateVerdict v = sample_verdict();
  const auto lines = lines_of(text_of(v));
  // Title, four gates, blank, Baseline:, header, two metrics, one warning.
  ASSERT_EQ(lines.size(), 11u) << text_of(v);
  EXPECT_EQ(lines[0], "Gates: 2 passed, 2 failed");
  const std::string expected_verdicts[] = {"  PASS  p99 < 20s", "  FAIL  dials<=2",
                                           "  FAIL  reuse_ratio>=0.9", "  PASS  error_rate<0.1%"};
  const std::size_t measured_at = lines[1].find(v.gates[0].measured);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(lines[1 + i].rfind(expected_verdicts[i], 0), 0u) << lines[1 + i];
    EXPECT_EQ(lines[1 + i].find(v.gates[i].measured), measured_at) << lines[1 + i];
    EXPECT_NE(lines[1 + i].find(v.gates[i].reason), std::string::npos) << lines[1 + i];
  }
  EXPECT_NE(lines[3].find("hosts[\"http://127.0.0.1:18081\"].reuse_ratio not >= 0.9"),
            std::string::npos);
  EXPECT_EQ(lines[6], "Baseline:");
  EXPECT_EQ(lines[8].rfind("  FAIL  p99", 0), 0u);
  EXPECT_NE(lines[8].find("+25%"), std::string::npos);
  EXPECT_EQ(lines[9].rfind("  PASS  rps", 0), 0u);
  EXPECT_EQ(lines[10].rfind("  warning: config.concurrency differs", 0), 0u);
}

TEST(GateReportTest, JsonOfARealVerdict) {
  const ordered_json j = gates_json(sample_verdict());
  EXPECT_EQ(j["passed"], false);
  const ordered_json& a = j["assertions"];
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0]["expr"], "p99 < 20s");
  EXPECT_EQ(a[0]["path"], "latency.p99_ms");
  EXPECT_EQ(a[0]["value"], testing::sample_report()["latency"]["p99_ms"]);
  EXPECT_EQ(a[0]["pass"], true);
  EXPECT_EQ(a[0]["reason"], "meets < 20000 ms");
  EXPECT_FALSE(a[0].contains("values"));  // one field: value says it all

  EXPECT_EQ(a[1]["path"], "sum(hosts.*.dials)");
  EXPECT_EQ(a[1]["value"], 52);
  EXPECT_EQ(a[1]["pass"], false);
  ASSERT_EQ(a[1]["values"].size(), 2u);
  EXPECT_EQ(a[1]["values"][1]["path"], "hosts[\"http://127.0.0.1:18081\"].dials");
  EXPECT_EQ(a[1]["values"][1]["value"], 50);

  EXPECT_TRUE(a[2]["value"].is_null());  // a wildcard: one value per host
  ASSERT_EQ(a[2]["values"].size(), 2u);
  EXPECT_EQ(a[2]["values"][0]["pass"], true);
  EXPECT_EQ(a[2]["values"][1]["pass"], false);
  EXPECT_EQ(a[2]["values"][1]["value"], 0.5);

  const ordered_json& b = j["baseline"];
  EXPECT_EQ(b["passed"], false);
  ASSERT_EQ(b["metrics"].size(), 2u);
  EXPECT_EQ(b["metrics"][0]["metric"], "p99");
  EXPECT_EQ(b["metrics"][0]["path"], "latency.p99_ms");
  EXPECT_EQ(b["metrics"][0]["change"], "+25%");
  EXPECT_NEAR(b["metrics"][0]["change_pct"].get<double>(), 25, 1e-3);
  EXPECT_EQ(b["metrics"][0]["bound_pct"], 10);
  EXPECT_EQ(b["metrics"][0]["pass"], false);
  EXPECT_EQ(b["metrics"][1]["metric"], "rps");
  EXPECT_EQ(b["metrics"][1]["pass"], true);
  EXPECT_EQ(b["warnings"].size(), 1u);
  // It goes into a report that must stay valid JSON.
  EXPECT_EQ(ordered_json::parse(j.dump()), j);
}

TEST(GateReportTest, JsonPassedOnlyWhenEverythingPassed) {
  GateVerdict v;
  EXPECT_EQ(gates_json(v)["passed"], true);
  EXPECT_FALSE(gates_json(v).contains("baseline"));
  v.gates.push_back(result("p99<250ms", true, "120 ms", "meets < 250 ms"));
  EXPECT_EQ(gates_json(v)["passed"], true);
  v.baseline = BaselineResult{};
  v.baseline->rows.push_back(BaselineRow{});  // pass is false until judged
  EXPECT_EQ(gates_json(v)["passed"], false);
  v.baseline->rows[0].pass = true;
  EXPECT_EQ(gates_json(v)["passed"], true);
  v.gates.push_back(result("dials<=2", false, "52", "not <= 2"));
  EXPECT_EQ(gates_json(v)["passed"], false);
}

TEST(GateReportTest, JsonHasNoInfinity) {
  GateVerdict v;
  v.baseline = compare_baseline(ordered_json::parse(R"({"summary": {"error_rate": 0}})"),
                                ordered_json::parse(R"({"summary": {"error_rate": 0.5}})"),
                                parse_regression_bounds("error_rate=10%"));
  const ordered_json m = gates_json(v)["baseline"]["metrics"][0];
  EXPECT_TRUE(m["change_pct"].is_null());
  EXPECT_EQ(m["change"], "+inf%");
  EXPECT_EQ(m["old"], 0);
  EXPECT_EQ(m["new"], 0.5);
  EXPECT_EQ(ordered_json::parse(gates_json(v).dump()), gates_json(v));
}

}  // namespace
}  // namespace hload::reporters
