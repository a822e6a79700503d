#pragma once

// Gating judges a report by the gate flags: it is made before the run, when every expression,
// the baseline and the JUnit file are checked (a mistake is a usage error, before any request),
// and judges the report after it. A run and `hload check` judge alike.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cmd/gate_flags.hpp"
#include "reporters/baseline.hpp"
#include "reporters/gate_expr.hpp"
#include "reporters/gate_verdict.hpp"
#include "reporters/output_target.hpp"

namespace hload::cli {

class Gating {
 public:
  // Gating parses and checks options against skeleton, a report with the fields the judged
  // report will have (for a run, that of a run with no requests). Throws UsageError.
  Gating(GateOptions options, const nlohmann::ordered_json& skeleton);

  bool active() const { return options_.active(); }

  // judge applies every gate and the baseline to report.
  reporters::GateVerdict judge(const nlohmann::ordered_json& report) const;

  // deliver writes the verdict where the flags and the environment ask: the JUnit file, and a
  // GitHub step summary appended to $GITHUB_STEP_SUMMARY when it is set. Returns 0, or
  // kExitReportNotWritten (with one line on standard error) when one could not be written.
  int deliver(const nlohmann::ordered_json& report, const reporters::GateVerdict& verdict);

 private:
  GateOptions options_;
  std::vector<reporters::GateExpr> gates_;
  std::vector<reporters::RegressionBound> bounds_;
  std::optional<nlohmann::ordered_json> baseline_;
  std::optional<reporters::OutputTarget> junit_;
};

// read_report reads the JSON report at path for `who` ("-baseline", "check"); a file that
// is missing or not a JSON object is a usage error naming who.
nlohmann::ordered_json read_report(const std::string& who, const std::string& path);

// kExitGateFailed is the exit status of a run (or check) whose gates did not all pass.
inline constexpr int kExitGateFailed = 1;

}  // namespace hload::cli
