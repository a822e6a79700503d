#pragma once

// The gates' verdict in the text report (a `Gates:` section at its end) and in the JSON report
// (its top-level `gates` object).

#include <nlohmann/json.hpp>

#include <ostream>

#include "reporters/gate_verdict.hpp"

namespace hload::reporters {

// write_gates_text writes the `Gates:` section (its title counts the gates that passed and
// failed), one line per gate (PASS or FAIL, the expression
// as typed, what was measured, the reason), then, with a baseline, the `Baseline:` table (one
// line per metric: PASS or FAIL, metric, baseline value, this run's, change, bound, reason) and
// its warnings. Writes nothing when there are neither gates nor a baseline.
void write_gates_text(std::ostream& out, const GateVerdict& verdict);

// gates_json renders verdict for the report's top-level `gates` key:
//   {"passed": bool,
//    "assertions": [{"expr", "path", "value" (number or null), "measured", "pass", "reason",
//                    and for a wildcard or a sum "values": [{"path", "value", "pass"}]}],
//    "baseline": {"passed", "metrics": [{"metric", "path", "old", "new", "change",
//                 "change_pct" (null when infinite or unknown), "bound_pct", "pass",
//                 "reason"}], "warnings": [...]}}   (only with a baseline)
nlohmann::ordered_json gates_json(const GateVerdict& verdict);

}  // namespace hload::reporters
