#include "reporters/gates.hpp"

#include <stdexcept>

#include "reporters/format.hpp"
#include "reporters/gate_units.hpp"

namespace hload::reporters {

namespace {

using nlohmann::ordered_json;

// read_fields returns every field gate's path reaches in report. Throws std::invalid_argument
// with the unknown-field message when the path stops short or reaches something not a number.
std::vector<GateValue> read_fields(const GateExpr& gate, const ordered_json& report) {
  std::vector<GateValue> out;
  for (const PathMatch& m : resolve_report_path(gate.path, report)) {
    GateValue v;
    v.path = to_string(m.path);
    if (m.value->is_number()) {
      v.value = m.value->get<double>();
    } else if (!m.value->is_null()) {
      throw std::invalid_argument("unknown field \"" + to_string(gate.path) + "\" (" + v.path +
                                  " is " + (m.value->is_structured() ? "an " : "a ") +
                                  m.value->type_name() + ", not a number)");
    }
    out.push_back(std::move(v));
  }
  return out;
}

// no_data_reason says why report holds too few finished requests to judge anything, or
// returns an empty string when it holds enough.
std::string no_data_reason(const ordered_json& report, std::uint64_t min_requests) {
  // In double, so that no count written by hand (negative, fractional, huge) can overflow.
  double finished = 0;
  const auto summary = report.find("summary");
  if (summary != report.end() && summary->is_object()) {
    const auto requests = summary->find("requests");
    if (requests != summary->end() && requests->is_number()) finished = requests->get<double>();
  }
  if (finished >= static_cast<double>(min_requests)) return "";
  if (finished <= 0) return "no request finished";
  return "only " + compact(finished) + (finished == 1 ? " request" : " requests") +
         " finished, fewer than -min-requests " + std::to_string(min_requests);
}

// last_key is the name of the field a gate reads, which says its unit ("" after a wildcard).
std::string last_key(const GateExpr& gate) { return gate.path.back().key; }

// judge_each fails the gate when any field fails on its own, naming each one that does.
void judge_each(const GateExpr& gate, GateResult& r) {
  const std::string bound =
      std::string(to_string(gate.op)) + " " + format_field_value(gate.bound, last_key(gate));
  const bool wildcard = has_wildcard(gate.path);
  std::string failures;
  std::string measured;
  for (GateValue& v : r.values) {
    v.pass = v.value && holds(*v.value, gate.op, gate.bound);
    const std::string shown = v.value ? format_field_value(*v.value, last_key(gate)) : "null";
    if (!measured.empty()) measured += ", ";
    measured += wildcard ? v.path + " = " + shown : shown;
    if (v.pass) continue;
    if (!failures.empty()) failures += "; ";
    // A null is named even without a wildcard: the path is what the user must look at.
    if (!v.value) {
      failures += v.path + " has no value (null in the report)";
    } else {
      failures += (wildcard ? v.path + " not " : "not ") + bound;
    }
  }
  r.measured = measured;
  if (!wildcard && !r.values.empty()) r.value = r.values.front().value;
  if (r.values.empty()) {
    r.measured = "-";
    r.reason = "no field matched " + to_string(gate.path);
    return;
  }
  r.pass = failures.empty();
  if (!r.pass) {
    r.reason = failures;
  } else if (wildcard) {
    r.reason = "all " + std::to_string(r.values.size()) + " meet " + bound;
  } else {
    r.reason = "meets " + bound;
  }
}

// judge_sum adds the fields up (none add up to 0) and compares the sum.
void judge_sum(const GateExpr& gate, GateResult& r) {
  const std::string bound =
      std::string(to_string(gate.op)) + " " + format_field_value(gate.bound, last_key(gate));
  double sum = 0;
  for (const GateValue& v : r.values) {
    if (!v.value) {
      r.measured = "-";
      r.reason = v.path + " has no value (null in the report)";
      return;
    }
    sum += *v.value;
  }
  r.value = sum;
  r.pass = holds(sum, gate.op, gate.bound);
  for (GateValue& v : r.values) v.pass = r.pass;
  r.measured =
      format_field_value(sum, last_key(gate)) + " (sum of " + std::to_string(r.values.size()) + ")";
  r.reason = (r.pass ? "meets " : "not ") + bound;
}

}  // namespace

void validate_gates(const std::vector<GateExpr>& gates, const ordered_json& skeleton) {
  for (const GateExpr& gate : gates) {
    try {
      read_fields(gate, skeleton);
    } catch (const std::invalid_argument& e) {
      throw GateError("-assert \"" + gate.text + "\": " + e.what());
    }
  }
}

void validate_gates(const std::vector<GateExpr>& gates, const nlohmann::json& skeleton) {
  validate_gates(gates, ordered_json(skeleton));
}

std::vector<GateResult> evaluate_gates(const std::vector<GateExpr>& gates,
                                       const ordered_json& report, std::uint64_t min_requests) {
  const std::string no_data = no_data_reason(report, min_requests);
  std::vector<GateResult> out;
  for (const GateExpr& gate : gates) {
    GateResult r;
    r.expr = gate.text;
    r.path = describe_path(gate);
    try {
      r.values = read_fields(gate, report);
      if (gate.combine == Combine::sum) {
        judge_sum(gate, r);
      } else {
        judge_each(gate, r);
      }
    } catch (const std::invalid_argument& e) {
      r.measured = "-";
      r.reason = e.what();
    }
    if (!no_data.empty()) {
      r.pass = false;
      r.reason = no_data;
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<GateResult> evaluate_gates(const std::vector<GateExpr>& gates,
                                       const nlohmann::json& report, std::uint64_t min_requests) {
  return evaluate_gates(gates, ordered_json(report), min_requests);
}

}  // namespace hload::reporters
