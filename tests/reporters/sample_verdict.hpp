#pragma once

// sample_verdict judges the report of two_host_result the way a CI job would: four gates (two
// pass, two fail) and a baseline in which p99 rose 25% past a 10% bound while rps held, from a
// run with half the concurrency (one warning).

#include <string>
#include <vector>

#include "reporters/gate_verdict.hpp"
#include "reporters/json_report.hpp"
#include "tests/reporters/sample_result.hpp"

namespace hload::reporters::testing {

inline nlohmann::ordered_json sample_report() { return to_json(two_host_result()); }

inline std::vector<GateExpr> sample_gates() {
  std::vector<GateExpr> out;
  for (const char* text : {"p99 < 20s", "dials<=2", "reuse_ratio>=0.9", "error_rate<0.1%"}) {
    out.push_back(parse_gate_expr(text));
  }
  return out;
}

// sample_baseline is the report the sample is compared with: p99 at 80% of the sample's.
inline nlohmann::ordered_json sample_baseline() {
  nlohmann::ordered_json old_report = sample_report();
  old_report["latency"]["p99_ms"] = old_report["latency"]["p99_ms"].get<double>() * 0.8;
  old_report["config"]["concurrency"] = 100;
  return old_report;
}

inline GateVerdict sample_verdict() {
  GateVerdict v;
  v.gates = evaluate_gates(sample_gates(), sample_report());
  v.baseline = compare_baseline(sample_baseline(), sample_report(),
                                parse_regression_bounds("p99=10%,rps=5%"));
  return v;
}

}  // namespace hload::reporters::testing
