#include "reporters/gate_report.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace hload::reporters {

namespace {

using nlohmann::ordered_json;

// Table lays out rows of cells in columns as wide as their widest cell, two spaces apart.
class Table {
 public:
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

  void write(std::ostream& out, const std::string& indent) const {
    std::vector<std::size_t> widths;
    for (const auto& row : rows_) {
      widths.resize(std::max(widths.size(), row.size()));
      for (std::size_t i = 0; i < row.size(); ++i) {
        widths[i] = std::max(widths[i], display_width(row[i]));
      }
    }
    for (const auto& row : rows_) {
      std::string line = indent;
      for (std::size_t i = 0; i < row.size(); ++i) {
        line += row[i];
        if (i + 1 < row.size()) line += std::string(widths[i] - display_width(row[i]) + 2, ' ');
      }
      line.erase(line.find_last_not_of(' ') + 1);
      out << line << "\n";
    }
  }

 private:
  // display_width counts characters, not bytes: a UTF-8 continuation byte adds nothing.
  static std::size_t display_width(const std::string& s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
  }

  std::vector<std::vector<std::string>> rows_;
};

const char* pass_fail(bool pass) { return pass ? "PASS" : "FAIL"; }

// number_or_null is v as JSON, or null when it is missing or not finite.
ordered_json number_or_null(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? ordered_json(*v) : ordered_json();
}

// shows_values says whether a gate read more than the one field its path names: a wildcard or
// a sum, whose fields are worth listing one by one.
bool shows_values(const GateResult& g) {
  return g.values.size() != 1 || g.values.front().path != g.path;
}

// assertion_json is one entry of "assertions".
ordered_json assertion_json(const GateResult& g) {
  ordered_json out;
  out["expr"] = g.expr;
  out["path"] = g.path;
  out["value"] = number_or_null(g.value);
  out["measured"] = g.measured;
  out["pass"] = g.pass;
  out["reason"] = g.reason;
  if (shows_values(g)) {
    ordered_json values = ordered_json::array();
    for (const GateValue& v : g.values) {
      values.push_back({{"path", v.path}, {"value", number_or_null(v.value)}, {"pass", v.pass}});
    }
    out["values"] = std::move(values);
  }
  return out;
}

// baseline_json is the "baseline" object.
ordered_json baseline_json(const BaselineResult& b) {
  ordered_json metrics = ordered_json::array();
  for (const BaselineRow& row : b.rows) {
    ordered_json m;
    m["metric"] = std::string(to_string(row.metric));
    m["path"] = row.path;
    m["old"] = number_or_null(row.old_value);
    m["new"] = number_or_null(row.new_value);
    m["change"] = format_change(row);
    m["change_pct"] = number_or_null(row.change);
    m["bound_pct"] = row.max_percent;
    m["pass"] = row.pass;
    m["reason"] = row.reason;
    metrics.push_back(std::move(m));
  }
  ordered_json out;
  out["passed"] = b.passed();
  out["metrics"] = std::move(metrics);
  out["warnings"] = b.warnings;
  return out;
}

// write_baseline_text writes the Baseline: table and its warnings.
void write_baseline_text(std::ostream& out, const BaselineResult& b) {
  out << "Baseline:\n";
  Table table;
  table.add({"", "metric", "baseline", "this run", "change", "bound"});
  for (const BaselineRow& row : b.rows) {
    table.add({pass_fail(row.pass), std::string(to_string(row.metric)),
               format_row_value(row, row.old_value), format_row_value(row, row.new_value),
               format_change(row), format_bound(row), row.reason});
  }
  table.write(out, "  ");
  for (const std::string& w : b.warnings) out << "  warning: " << w << "\n";
}

}  // namespace

void write_gates_text(std::ostream& out, const GateVerdict& verdict) {
  const auto& gates = verdict.gates;
  if (!gates.empty()) {
    const auto failed =
        std::count_if(gates.begin(), gates.end(), [](const GateResult& g) { return !g.pass; });
    out << "Gates: " << (gates.size() - static_cast<std::size_t>(failed)) << " passed, " << failed
        << " failed\n";
    Table table;
    for (const GateResult& g : gates) table.add({pass_fail(g.pass), g.expr, g.measured, g.reason});
    table.write(out, "  ");
  }
  if (verdict.baseline) {
    if (!gates.empty()) out << "\n";
    write_baseline_text(out, *verdict.baseline);
  }
}

ordered_json gates_json(const GateVerdict& verdict) {
  ordered_json assertions = ordered_json::array();
  for (const GateResult& g : verdict.gates) assertions.push_back(assertion_json(g));
  ordered_json out;
  out["passed"] = verdict.passed();
  out["assertions"] = std::move(assertions);
  if (verdict.baseline) out["baseline"] = baseline_json(*verdict.baseline);
  return out;
}

}  // namespace hload::reporters
