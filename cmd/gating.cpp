#include "cmd/gating.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

#include "cmd/output_check.hpp"
#include "cmd/usage_error.hpp"
#include "reporters/gate_error.hpp"
#include "reporters/gates.hpp"
#include "reporters/junit_report.hpp"
#include "reporters/step_summary.hpp"

namespace hload::cli {

using nlohmann::ordered_json;

ordered_json read_report(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(flag + ": cannot read " + quote(path));
  ordered_json report = ordered_json::parse(in, nullptr, false);
  if (report.is_discarded() || !report.is_object()) {
    throw UsageError(flag + ": " + quote(path) + " is not a JSON report");
  }
  return report;
}

Gating::Gating(GateOptions options, const ordered_json& skeleton) : options_(std::move(options)) {
  try {
    for (const std::string& text : options_.asserts) {
      gates_.push_back(reporters::parse_gate_expr(text));
    }
    reporters::validate_gates(gates_, skeleton);
    if (options_.baseline) {
      bounds_ = reporters::parse_regression_bounds(options_.regression.value_or("10%"));
    }
  } catch (const reporters::GateError& e) {
    throw UsageError(e.what());
  }
  if (options_.baseline) baseline_ = read_report("-baseline", *options_.baseline);
  if (!options_.junit.empty()) {
    junit_.emplace(options_.junit);
    if (const auto& problem = junit_->problem()) {
      throw UsageError("-junit: cannot write " + quote(options_.junit) + ": " + *problem);
    }
  }
}

reporters::GateVerdict Gating::judge(const ordered_json& report) const {
  reporters::GateVerdict v;
  v.gates = reporters::evaluate_gates(gates_, report, options_.min_requests);
  if (baseline_) v.baseline = reporters::compare_baseline(*baseline_, report, bounds_);
  return v;
}

int Gating::deliver(const ordered_json& report, const reporters::GateVerdict& verdict) {
  int status = 0;
  if (junit_) {
    std::ostringstream xml;
    reporters::write_junit(xml, verdict);
    status = deliver_report(*junit_, xml.str());
  }
  if (const char* summary = std::getenv("GITHUB_STEP_SUMMARY"); summary && *summary) {
    std::ofstream out(summary, std::ios::app | std::ios::binary);
    reporters::write_step_summary(out, report, verdict);
    out.flush();
    if (!out) {
      std::fprintf(stderr, "hload: cannot append the step summary to %s\n",
                   printable(summary).c_str());
      status = kExitReportNotWritten;
    }
  }
  return status;
}

}  // namespace hload::cli
