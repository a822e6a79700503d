#include "reporters/gate_expr.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hload::reporters {
namespace {

// error returns the message parse_gate_expr throws for text.
std::string error(std::string_view text) {
  try {
    parse_gate_expr(text);
  } catch (const GateError& e) {
    return e.what();
  }
  return "(no error)";
}

double bound(std::string_view text) { return parse_gate_expr(text).bound; }

TEST(GateExprTest, PathOperatorAndValue) {
  const GateExpr g = parse_gate_expr("summary.dropped<=3");
  EXPECT_EQ(g.text, "summary.dropped<=3");
  EXPECT_EQ(to_string(g.path), "summary.dropped");
  EXPECT_EQ(g.combine, Combine::each);
  EXPECT_EQ(g.op, CompareOp::le);
  EXPECT_EQ(g.bound, 3);
  EXPECT_EQ(g.bound_text, "3");
}

TEST(GateExprTest, EveryOperatorWithAndWithoutBlanks) {
  const std::vector<std::pair<std::string, CompareOp>> cases = {
      {"<", CompareOp::lt},  {"<=", CompareOp::le}, {">", CompareOp::gt},
      {">=", CompareOp::ge}, {"==", CompareOp::eq}, {"!=", CompareOp::ne},
  };
  for (const auto& [spelling, op] : cases) {
    for (const std::string& text : {"errors" + spelling + "2", "errors " + spelling + " 2",
                                    "  errors\t" + spelling + "  2  "}) {
      const GateExpr g = parse_gate_expr(text);
      EXPECT_EQ(g.op, op) << text;
      EXPECT_EQ(to_string(g.op), spelling);
      EXPECT_EQ(g.bound, 2) << text;
      EXPECT_EQ(to_string(g.path), "summary.errors") << text;
      EXPECT_EQ(g.text, text);
    }
  }
}

TEST(GateExprTest, HoldsComparesLikeItsOperator) {
  EXPECT_TRUE(holds(1, CompareOp::lt, 2));
  EXPECT_FALSE(holds(2, CompareOp::lt, 2));
  EXPECT_TRUE(holds(2, CompareOp::le, 2));
  EXPECT_FALSE(holds(3, CompareOp::le, 2));
  EXPECT_TRUE(holds(3, CompareOp::gt, 2));
  EXPECT_FALSE(holds(2, CompareOp::gt, 2));
  EXPECT_TRUE(holds(2, CompareOp::ge, 2));
  EXPECT_FALSE(holds(1, CompareOp::ge, 2));
  EXPECT_TRUE(holds(2, CompareOp::eq, 2));
  EXPECT_FALSE(holds(2.5, CompareOp::eq, 2));
  EXPECT_TRUE(holds(2.5, CompareOp::ne, 2));
  EXPECT_FALSE(holds(2, CompareOp::ne, 2));
}

TEST(GateExprTest, LatencyShortNames) {
  for (const std::string name : {"p50", "p90", "p95", "p99", "p999", "max", "min", "mean"}) {
    EXPECT_EQ(to_string(parse_gate_expr(name + "<1").path), "latency." + name + "_ms");
    EXPECT_EQ(to_string(parse_gate_expr(name + "_ms<1").path), "latency." + name + "_ms");
    EXPECT_EQ(parse_gate_expr(name + "<1").combine, Combine::each);
  }
}

TEST(GateExprTest, SummaryShortNames) {
  for (const std::string name : {"rps", "error_rate", "requests", "ok", "failed", "errors",
                                 "dropped", "unfinished", "elapsed_s"}) {
    const GateExpr g = parse_gate_expr(name + ">=1");
    EXPECT_EQ(to_string(g.path), "summary." + name);
    EXPECT_EQ(g.combine, Combine::each);
  }
}

TEST(GateExprTest, HostShortNamesSumOrCheckEveryHost) {
  for (const std::string name : {"dials", "tls_handshakes", "reused", "retries", "dial_errors"}) {
    const GateExpr g = parse_gate_expr(name + "<=2");
    EXPECT_EQ(to_string(g.path), "hosts.*." + name);
    EXPECT_EQ(g.combine, Combine::sum);
    EXPECT_EQ(describe_path(g), "sum(hosts.*." + name + ")");
  }
  const GateExpr g = parse_gate_expr("reuse_ratio>=0.9");
  EXPECT_EQ(to_string(g.path), "hosts.*.reuse_ratio");
  EXPECT_EQ(g.combine, Combine::each);
  EXPECT_EQ(describe_path(g), "hosts.*.reuse_ratio");
}

TEST(GateExprTest, OnlyABareSingleNameIsAShortName) {
  // Spelled out, or inside a longer path, a name means itself.
  EXPECT_EQ(to_string(parse_gate_expr("phases.dial.p99_ms<1").path), "phases.dial.p99_ms");
  EXPECT_EQ(to_string(parse_gate_expr("hosts.*.dials<1").path), "hosts.*.dials");
  EXPECT_EQ(parse_gate_expr("hosts.*.dials<1").combine, Combine::each);
  EXPECT_EQ(to_string(parse_gate_expr("p98<1").path), "p98");
  EXPECT_EQ(to_string(parse_gate_expr("_ms<1").path), "_ms");
}

TEST(GateExprTest, QuotedAndWildcardPaths) {
  const GateExpr g = parse_gate_expr("hosts[\"http://api:8080\"].wait_permit.p99_ms < 20ms");
  EXPECT_EQ(to_string(g.path), "hosts[\"http://api:8080\"].wait_permit.p99_ms");
  EXPECT_EQ(g.bound, 20);
  EXPECT_EQ(to_string(parse_gate_expr("hosts['http://api:8080'].dials<=2").path),
            "hosts[\"http://api:8080\"].dials");
  const GateExpr w = parse_gate_expr("hosts.*.queued_at_limit.p99_ms<5ms");
  EXPECT_EQ(to_string(w.path), "hosts.*.queued_at_limit.p99_ms");
  EXPECT_EQ(w.combine, Combine::each);
  EXPECT_EQ(w.bound, 5);
}

TEST(GateExprTest, DurationsConvertIntoMilliseconds) {
  EXPECT_DOUBLE_EQ(bound("p99<250ms"), 250);
  EXPECT_DOUBLE_EQ(bound("p99<250"), 250);  // no unit: the field's own
  EXPECT_DOUBLE_EQ(bound("p99<1.5s"), 1500);
  EXPECT_DOUBLE_EQ(bound("p99<2m"), 120'000);
  EXPECT_DOUBLE_EQ(bound("p99<1h"), 3'600'000);
  EXPECT_DOUBLE_EQ(bound("p99<100us"), 0.1);
  EXPECT_DOUBLE_EQ(bound("p99<100\u00b5s"), 0.1);  // micro sign
  EXPECT_DOUBLE_EQ(bound("p99<100\u03bcs"), 0.1);  // Greek mu
  EXPECT_DOUBLE_EQ(bound("p99<500ns"), 0.0005);
  EXPECT_DOUBLE_EQ(bound("hosts.*.wait_idle.p99_ms < 0.5s"), 500);
}

TEST(GateExprTest, DurationsConvertIntoSeconds) {
  EXPECT_DOUBLE_EQ(bound("elapsed_s<=90s"), 90);
  EXPECT_DOUBLE_EQ(bound("elapsed_s<=2m"), 120);
  EXPECT_DOUBLE_EQ(bound("elapsed_s<=1h"), 3600);
  EXPECT_DOUBLE_EQ(bound("elapsed_s<=1500ms"), 1.5);
  EXPECT_DOUBLE_EQ(bound("config.idle_conn_timeout_s==250us"), 0.00025);
  EXPECT_DOUBLE_EQ(bound("elapsed_s<=1000000ns"), 0.001);
}

TEST(GateExprTest, CountsPercentsAndPlainNumbers) {
  EXPECT_DOUBLE_EQ(bound("rps>=5k"), 5000);
  EXPECT_DOUBLE_EQ(bound("rps>=1.5k"), 1500);
  EXPECT_DOUBLE_EQ(bound("requests>=2M"), 2'000'000);
  // Powers of ten scale exactly: 0.1% is the double nearest 0.001, not 0.1 / 100.
  EXPECT_EQ(bound("error_rate<0.1%"), 0.001);
  EXPECT_EQ(bound("reuse_ratio>=99.5%"), 0.995);
  EXPECT_EQ(bound("hosts.*.reuse_ratio>=90%"), 0.9);
  EXPECT_EQ(bound("error_rate<0.001"), 0.001);
  EXPECT_EQ(bound("errors<=1e3"), 1000);
  EXPECT_EQ(bound("errors<=2.5E-1"), 0.25);
  EXPECT_EQ(bound("errors<=1e-2k"), 10);
  EXPECT_EQ(bound("errors>=-1"), -1);
  EXPECT_EQ(bound("errors>=+1"), 1);
  EXPECT_EQ(bound("errors>=.5"), 0.5);
  EXPECT_EQ(bound("errors>=5."), 5);
  EXPECT_EQ(parse_gate_expr("rps >= 5k").bound_text, "5k");
}

TEST(GateExprTest, MalformedAssertionsNameTheBadPart) {
  EXPECT_EQ(error("p99<<3"), "-assert \"p99<<3\": expected a number after \"<\", got \"<3\"");
  EXPECT_EQ(error(""), "-assert \"\": empty; expected PATH OP VALUE, such as p99<250ms");
  EXPECT_EQ(error("   "), "-assert \"   \": empty; expected PATH OP VALUE, such as p99<250ms");
  EXPECT_EQ(error("p99"),
            "-assert \"p99\": expected an operator (< <= > >= == !=) after \"p99\", got nothing");
  EXPECT_EQ(error("p99 250ms"),
            "-assert \"p99 250ms\": expected an operator (< <= > >= == !=) after \"p99\", got "
            "\"250ms\"");
  EXPECT_EQ(error("p99=250"),
            "-assert \"p99=250\": expected an operator (< <= > >= == !=) after \"p99\", got "
            "\"=250\"");
  EXPECT_EQ(error("p99=<250"),
            "-assert \"p99=<250\": expected an operator (< <= > >= == !=) after \"p99\", got "
            "\"=<250\"");
  EXPECT_EQ(error("p99<"), "-assert \"p99<\": expected a number after \"<\", got nothing");
  EXPECT_EQ(error("p99 <= fast"),
            "-assert \"p99 <= fast\": expected a number after \"<=\", got \"fast\"");
  EXPECT_EQ(error("p99<250ms x"),
            "-assert \"p99<250ms x\": expected the end after \"250ms\", got \"x\"");
  EXPECT_EQ(error("p99<3<4"), "-assert \"p99<3<4\": expected the end after \"3\", got \"<4\"");
  EXPECT_EQ(error("<3"), "-assert \"<3\": expected a field name, got \"<3\"");
  EXPECT_EQ(error("summary..rps>1"),
            "-assert \"summary..rps>1\": expected a field name, * or [\"key\"] after "
            "\"summary.\", got \".rps>1\"");
  EXPECT_EQ(error("hosts[\"http://a>1"),
            "-assert \"hosts[\"http://a>1\": missing the closing \" of the key after \"hosts[\"");
}

TEST(GateExprTest, UnitsThatDoNotFitTheField) {
  EXPECT_EQ(error("p99<250xs"),
            "-assert \"p99<250xs\": unknown unit \"xs\" in \"250xs\" (durations ns us \u00b5s ms s "
            "m h, counts k M, or %)");
  EXPECT_EQ(error("p99<5e"),
            "-assert \"p99<5e\": unknown unit \"e\" in \"5e\" (durations ns us \u00b5s ms s m h, "
            "counts k M, or %)");
  EXPECT_EQ(error("requests>5s"),
            "-assert \"requests>5s\": \"5s\" is a duration but summary.requests is not a time "
            "field (its name ends in neither _ms nor _s)");
  EXPECT_EQ(error("hosts.*.dials<1ms"),
            "-assert \"hosts.*.dials<1ms\": \"1ms\" is a duration but hosts.*.dials is not a time "
            "field (its name ends in neither _ms nor _s)");
  EXPECT_EQ(error("rps>5%"),
            "-assert \"rps>5%\": \"5%\" is a percent but summary.rps is not a ratio (its name "
            "ends in neither _rate nor _ratio)");
  EXPECT_EQ(error("p99<1%"),
            "-assert \"p99<1%\": \"1%\" is a percent but latency.p99_ms is not a ratio (its name "
            "ends in neither _rate nor _ratio)");
  EXPECT_EQ(error("errors_by_kind.*<1s"),
            "-assert \"errors_by_kind.*<1s\": \"1s\" is a duration but errors_by_kind.* is not a "
            "time field (its name ends in neither _ms nor _s)");
  EXPECT_EQ(error("errors<1e999"),
            "-assert \"errors<1e999\": the number \"1e999\" is out of range");
  EXPECT_EQ(error("errors<1e99999999999"),
            "-assert \"errors<1e99999999999\": the number \"1e99999999999\" is out of range");
}

}  // namespace
}  // namespace hload::reporters
