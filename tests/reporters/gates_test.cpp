#include "reporters/gates.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reporters/gate_units.hpp"
#include "reporters/json_report.hpp"
#include "tests/reporters/sample_result.hpp"

namespace hload::reporters {
namespace {

using nlohmann::ordered_json;
using testing::kHost;
using testing::sample_result;
using testing::two_host_result;

constexpr const char* kOtherHost = "http://127.0.0.1:18081";

std::vector<GateExpr> parse_all(const std::vector<std::string>& texts) {
  std::vector<GateExpr> out;
  for (const std::string& t : texts) out.push_back(parse_gate_expr(t));
  return out;
}

GateResult evaluate_one(const std::string& text, const ordered_json& report,
                        std::uint64_t min_requests = 1) {
  const auto results = evaluate_gates(parse_all({text}), report, min_requests);
  EXPECT_EQ(results.size(), 1u);
  return results.front();
}

// skeleton is the report of a run that sent nothing, with its host listed at zero.
ordered_json skeleton() {
  engine::RunResult r;
  r.config = sample_result().config;
  r.hosts[kHost];
  return to_json(r);
}

std::string validate_error(const std::vector<std::string>& texts, const ordered_json& report) {
  try {
    validate_gates(parse_all(texts), report);
  } catch (const GateError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(GatesTest, PassingGateOnARealReport) {
  const ordered_json report = to_json(sample_result());
  const GateResult r = evaluate_one("p99 < 20s", report);
  EXPECT_TRUE(r.pass) << r.reason;
  EXPECT_EQ(r.expr, "p99 < 20s");
  EXPECT_EQ(r.path, "latency.p99_ms");
  const double p99 = report["latency"]["p99_ms"].get<double>();
  ASSERT_TRUE(r.value.has_value());
  EXPECT_EQ(*r.value, p99);
  ASSERT_EQ(r.values.size(), 1u);
  EXPECT_EQ(r.values[0].path, "latency.p99_ms");
  EXPECT_TRUE(r.values[0].pass);
  EXPECT_EQ(r.measured, format_field_value(p99, "p99_ms"));
  EXPECT_EQ(r.reason, "meets < 20000 ms");
}

TEST(GatesTest, FailingGateSaysWhy) {
  const ordered_json report = to_json(sample_result());
  const GateResult r = evaluate_one("p99<250ms", report);
  EXPECT_FALSE(r.pass);
  EXPECT_EQ(r.reason, "not < 250 ms");
  EXPECT_GT(*r.value, 250);
  EXPECT_FALSE(r.values[0].pass);
}

TEST(GatesTest, SummaryRatiosAndCountsOnARealReport) {
  const ordered_json report = to_json(sample_result());
  // 10 of 20,000 requests were not ok: an error rate of 0.05%.
  EXPECT_TRUE(evaluate_one("error_rate<0.1%", report).pass);
  EXPECT_FALSE(evaluate_one("error_rate<0.01%", report).pass);
  EXPECT_EQ(evaluate_one("error_rate<0.01%", report).measured, "0.0005");
  EXPECT_TRUE(evaluate_one("rps>=5k", report).pass);
  EXPECT_FALSE(evaluate_one("rps>=20k", report).pass);
  EXPECT_TRUE(evaluate_one("ok==19990", report).pass);
  EXPECT_TRUE(evaluate_one("errors_by_kind.connect_refused<=4", report).pass);
  EXPECT_FALSE(evaluate_one("status_codes.503==0", report).pass);
  EXPECT_EQ(evaluate_one("elapsed_s<=1s", report).reason, "not <= 1 s");
}

TEST(GatesTest, SumAddsUpEveryHost) {
  const ordered_json report = to_json(two_host_result());
  const GateResult r = evaluate_one("dials<=2", report);
  EXPECT_FALSE(r.pass);
  EXPECT_EQ(r.path, "sum(hosts.*.dials)");
  EXPECT_EQ(*r.value, 52);
  EXPECT_EQ(r.values.size(), 2u);
  EXPECT_EQ(r.measured, "52 (sum of 2)");
  EXPECT_EQ(r.reason, "not <= 2");
  EXPECT_TRUE(evaluate_one("dials<=52", report).pass);
  EXPECT_TRUE(evaluate_one("dials<=2", to_json(sample_result())).pass);
}

TEST(GatesTest, WildcardFailsWhenOneHostFailsAndNamesIt) {
  const ordered_json report = to_json(two_host_result());
  const GateResult r = evaluate_one("reuse_ratio>=0.9", report);
  EXPECT_FALSE(r.pass);
  EXPECT_EQ(r.path, "hosts.*.reuse_ratio");
  EXPECT_FALSE(r.value.has_value());
  ASSERT_EQ(r.values.size(), 2u);
  EXPECT_EQ(r.values[0].path, "hosts[\"http://127.0.0.1:18080\"].reuse_ratio");
  EXPECT_EQ(*r.values[0].value, 0.9999);
  EXPECT_TRUE(r.values[0].pass);
  EXPECT_EQ(r.values[1].path, "hosts[\"http://127.0.0.1:18081\"].reuse_ratio");
  EXPECT_EQ(*r.values[1].value, 0.5);
  EXPECT_FALSE(r.values[1].pass);
  EXPECT_EQ(r.reason, "hosts[\"http://127.0.0.1:18081\"].reuse_ratio not >= 0.9");
  EXPECT_EQ(r.measured,
            "hosts[\"http://127.0.0.1:18080\"].reuse_ratio = 0.9999, "
            "hosts[\"http://127.0.0.1:18081\"].reuse_ratio = 0.5");

  const GateResult all = evaluate_one("hosts.*.max_open_conns<=7", report);
  EXPECT_TRUE(all.pass) << all.reason;
  EXPECT_EQ(all.reason, "all 2 meet <= 7");
  const GateResult both = evaluate_one("hosts.*.max_open_conns>7", report);
  EXPECT_EQ(both.reason,
            "hosts[\"http://127.0.0.1:18080\"].max_open_conns not > 7; "
            "hosts[\"http://127.0.0.1:18081\"].max_open_conns not > 7");
}

TEST(GatesTest, QuotedHostChecksThatHostOnly) {
  const ordered_json report = to_json(two_host_result());
  EXPECT_TRUE(evaluate_one("hosts[\"http://127.0.0.1:18080\"].dials<=2", report).pass);
  EXPECT_FALSE(evaluate_one("hosts['http://127.0.0.1:18081'].dials<=2", report).pass);
  const GateResult r =
      evaluate_one("hosts[\"http://127.0.0.1:18080\"].wait_permit.p99_ms<10ms", report);
  EXPECT_TRUE(r.pass) << r.reason;
  EXPECT_EQ(r.path, "hosts[\"http://127.0.0.1:18080\"].wait_permit.p99_ms");
}

TEST(GatesTest, FieldsAddedLaterNeedNoChange) {
  ordered_json report = to_json(two_host_result());
  report["summary"]["dropped"] = 3;
  report["summary"]["unfinished"] = 0;
  report["hosts"][kHost]["queued_at_limit"] = {
      {"count", 5}, {"total_ms", 10}, {"p50_ms", 1.5}, {"p99_ms", 4}, {"max_ms", 4}};
  report["hosts"][kOtherHost]["queued_at_limit"] = {
      {"count", 5}, {"total_ms", 10}, {"p50_ms", 1.5}, {"p99_ms", 6}, {"max_ms", 9}};
  EXPECT_FALSE(evaluate_one("dropped==0", report).pass);
  EXPECT_TRUE(evaluate_one("unfinished==0", report).pass);
  EXPECT_TRUE(evaluate_one("summary.dropped<=3", report).pass);
  const GateResult q = evaluate_one("hosts.*.queued_at_limit.p99_ms < 5ms", report);
  EXPECT_FALSE(q.pass);
  EXPECT_EQ(q.reason, "hosts[\"http://127.0.0.1:18081\"].queued_at_limit.p99_ms not < 5 ms");
}

TEST(GatesTest, UnknownFieldFailsWithThePartThatDidNotResolve) {
  const ordered_json report = to_json(sample_result());
  const GateResult r = evaluate_one("summary.p99<3", report);
  EXPECT_FALSE(r.pass);
  EXPECT_EQ(r.reason, "unknown field \"summary.p99\" (summary has no \"p99\")");
  EXPECT_EQ(r.measured, "-");
  EXPECT_FALSE(r.value.has_value());
  EXPECT_EQ(evaluate_one("summary.droped==0", report).reason,
            "unknown field \"summary.droped\" (summary has no \"droped\")");
  EXPECT_EQ(evaluate_one("hosts.*.dails<3", report).reason,
            "unknown field \"hosts.*.dails\" (hosts[\"http://127.0.0.1:18080\"] has no \"dails\")");
}

TEST(GatesTest, FieldThatIsNotANumberIsUnknown) {
  const ordered_json report = to_json(sample_result());
  EXPECT_EQ(
      evaluate_one("summary.interrupted==0", report).reason,
      "unknown field \"summary.interrupted\" (summary.interrupted is a boolean, not a number)");
  EXPECT_EQ(evaluate_one("summary<1", report).reason,
            "unknown field \"summary\" (summary is an object, not a number)");
  EXPECT_EQ(evaluate_one("config.url==1", report).reason,
            "unknown field \"config.url\" (config.url is a string, not a number)");
  EXPECT_EQ(evaluate_one("latency.histogram.counts>1", report).reason,
            "unknown field \"latency.histogram.counts\" (latency.histogram.counts is an array, not "
            "a number)");
}

TEST(GatesTest, NullIsNoValueAndFails) {
  ordered_json report = to_json(sample_result());
  report["latency"]["p99_ms"] = nullptr;
  const GateResult r = evaluate_one("p99<1h", report);
  EXPECT_FALSE(r.pass);
  EXPECT_EQ(r.measured, "null");
  EXPECT_EQ(r.reason, "latency.p99_ms has no value (null in the report)");
  report["hosts"][kHost]["reuse_ratio"] = nullptr;
  EXPECT_EQ(evaluate_one("reuse_ratio>=0", report).reason,
            "hosts[\"http://127.0.0.1:18080\"].reuse_ratio has no value (null in the report)");
  report["hosts"][kHost]["dials"] = nullptr;
  EXPECT_EQ(evaluate_one("dials>=0", report).reason,
            "hosts[\"http://127.0.0.1:18080\"].dials has no value (null in the report)");
}

TEST(GatesTest, WildcardOverNothingFailsAndSumOfNothingIsZero) {
  ordered_json report = to_json(sample_result());
  report["hosts"] = ordered_json::object();
  const GateResult each = evaluate_one("reuse_ratio>=0", report);
  EXPECT_FALSE(each.pass);
  EXPECT_EQ(each.reason, "no field matched hosts.*.reuse_ratio");
  const GateResult sum = evaluate_one("dials==0", report);
  EXPECT_TRUE(sum.pass) << sum.reason;
  EXPECT_EQ(*sum.value, 0);
}

TEST(GatesTest, NoDataFailsEveryGate) {
  const ordered_json empty = skeleton();
  ASSERT_EQ(empty["summary"]["requests"], 0);
  // Each would pass on its own numbers.
  const auto results =
      evaluate_gates(parse_all({"errors==0", "dials<=2", "reuse_ratio>=0"}), empty);
  ASSERT_EQ(results.size(), 3u);
  for (const GateResult& r : results) {
    EXPECT_FALSE(r.pass) << r.expr;
    EXPECT_EQ(r.reason, "no request finished") << r.expr;
  }
  EXPECT_EQ(results[0].value, 0);  // what was measured is still shown
  // Even a hand-written report without a summary has no data.
  EXPECT_EQ(evaluate_one("x<1", ordered_json::parse(R"({"x": 0})")).reason, "no request finished");
}

TEST(GatesTest, MinRequestsFailsRunsThatFinishedTooFew) {
  const ordered_json report = to_json(sample_result());  // 20,000 finished
  EXPECT_EQ(evaluate_one("errors<=4", report, 20'001).reason,
            "only 20000 requests finished, fewer than -min-requests 20001");
  EXPECT_FALSE(evaluate_one("errors<=4", report, 20'001).pass);
  EXPECT_TRUE(evaluate_one("errors<=4", report, 20'000).pass);
  ordered_json one = report;
  one["summary"]["requests"] = 1;
  EXPECT_EQ(evaluate_one("errors<=4", one, 5).reason,
            "only 1 request finished, fewer than -min-requests 5");
  // Counts written by hand are read without overflow.
  one["summary"]["requests"] = 1e30;
  EXPECT_TRUE(evaluate_one("errors<=4", one, 5).pass);
  one["summary"]["requests"] = -3;
  EXPECT_EQ(evaluate_one("errors<=4", one, 5).reason, "no request finished");
  // 0 asks for nothing: an empty run is judged on its numbers.
  EXPECT_TRUE(evaluate_one("errors==0", skeleton(), 0).pass);
}

TEST(GatesTest, PlainJsonReportsAreAcceptedToo) {
  const nlohmann::json report = nlohmann::json::parse(to_json(two_host_result()).dump());
  const auto results = evaluate_gates(parse_all({"dials<=60", "reuse_ratio>=0.9"}), report);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].pass);
  EXPECT_FALSE(results[1].pass);
  EXPECT_NO_THROW(validate_gates(parse_all({"p99<1s"}), nlohmann::json::parse(skeleton().dump())));
  EXPECT_THROW(validate_gates(parse_all({"p98<1s"}), nlohmann::json::parse(skeleton().dump())),
               GateError);
}

TEST(GatesTest, ValidateAcceptsEveryShortNameTheReportHas) {
  ordered_json s = skeleton();
  s["latency"]["p99_ms"] = nullptr;  // no value yet, but a number field all the same
  EXPECT_EQ(validate_error({"p50<1",
                            "p90<1",
                            "p95<1",
                            "p99<1",
                            "p999<1",
                            "max<1",
                            "min<1",
                            "mean_ms<1",
                            "rps>1",
                            "error_rate<1%",
                            "requests>1",
                            "ok>1",
                            "errors<1",
                            "elapsed_s<1m",
                            "dials<1",
                            "tls_handshakes<1",
                            "reused>1",
                            "retries<1",
                            "dial_errors<1",
                            "reuse_ratio>90%",
                            "hosts.*.wait_idle.p99_ms<1ms",
                            "config.rate>1",
                            "hosts[\"http://127.0.0.1:18080\"].wait_permit.count<1"},
                           s),
            "(no error)");
}

TEST(GatesTest, ValidateNamesTheFirstGateThatDoesNotResolve) {
  const ordered_json s = skeleton();
  EXPECT_EQ(validate_error({"p99<1", "summary.p99<3", "p98<1"}, s),
            "-assert \"summary.p99<3\": unknown field \"summary.p99\" (summary has no \"p99\")");
  EXPECT_EQ(validate_error({"hosts.*.dails<3"}, s),
            "-assert \"hosts.*.dails<3\": unknown field \"hosts.*.dails\" "
            "(hosts[\"http://127.0.0.1:18080\"] has no \"dails\")");
  EXPECT_EQ(validate_error({"hosts['http://api:8080'].dials<3"}, s),
            "-assert \"hosts['http://api:8080'].dials<3\": unknown field "
            "\"hosts[\"http://api:8080\"].dials\" (hosts has no \"http://api:8080\")");
  EXPECT_EQ(validate_error({"summary.interrupted==0"}, s),
            "-assert \"summary.interrupted==0\": unknown field \"summary.interrupted\" "
            "(summary.interrupted is a boolean, not a number)");
}

TEST(GatesTest, ValidateFollowsTheSkeletonItIsGiven) {
  ordered_json s = skeleton();
  EXPECT_EQ(validate_error({"dropped==0"}, s), "(no error)");
  s["summary"].erase("dropped");
  EXPECT_NE(validate_error({"dropped==0"}, s), "(no error)");
  // Under a wildcard over an empty object nothing can be checked before the run.
  s["hosts"] = ordered_json::object();
  EXPECT_EQ(validate_error({"hosts.*.anything<1"}, s), "(no error)");
}

}  // namespace
}  // namespace hload::reporters
