#pragma once

// Judging parsed CI gates against a JSON report: which passed, what was measured, and why.
// Reports are read as nlohmann::ordered_json, the type the reporters write; the overloads for
// nlohmann::json convert.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reporters/gate_expr.hpp"

namespace hload::reporters {

// GateValue is one field a gate read.
struct GateValue {
  std::string path;             // concrete: hosts["http://127.0.0.1:18080"].dials
  std::optional<double> value;  // empty when the report holds null (no value, as p99 of nothing)
  bool pass = false;            // this field meets the bound (a sum gate: the sum does)
};

// GateResult is the verdict of one gate.
struct GateResult {
  std::string expr;               // as typed
  std::string path;               // what it reads: describe_path
  std::vector<GateValue> values;  // every field read, in the report's order
  // The value compared with the bound: the field's, or the sum. Empty for a wildcard without
  // a sum (the fields are in values), for null, and for an unknown field.
  std::optional<double> value;
  bool pass = false;
  std::string measured;  // for people: "250 ms", "5 (sum of 2)", or each field with its value
  std::string reason;    // why it passed or failed: "not < 250 ms", "no request finished"
};

// validate_gates checks before a run that every gate's path reaches a number in skeleton, the
// report of a run with no requests written by the same renderer; null counts as a number with
// no value yet. The skeleton should list the run's hosts (with zero counts), so that a path
// naming one host or reaching under every host is checked; a wildcard over an object the
// skeleton leaves empty cannot be checked and is accepted. Throws GateError for the first gate
// that does not resolve: `-assert "summary.p99<3": unknown field "summary.p99" (summary has no
// "p99")`.
void validate_gates(const std::vector<GateExpr>& gates, const nlohmann::ordered_json& skeleton);
void validate_gates(const std::vector<GateExpr>& gates, const nlohmann::json& skeleton);

// evaluate_gates judges every gate against report, in order. No data is not a pass: when
// summary.requests (requests finished) is below min_requests, every gate fails with that as
// its reason, its values still shown. A field that is null fails ("no value"), a wildcard that
// reaches nothing fails, a path that does not reach a number fails with the unknown-field
// message as its reason. Never throws for a report's content.
std::vector<GateResult> evaluate_gates(const std::vector<GateExpr>& gates,
                                       const nlohmann::ordered_json& report,
                                       std::uint64_t min_requests = 1);
std::vector<GateResult> evaluate_gates(const std::vector<GateExpr>& gates,
                                       const nlohmann::json& report,
                                       std::uint64_t min_requests = 1);

}  // namespace hload::reporters
