#include "reporters/baseline.hpp"

#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "reporters/format.hpp"
#include "reporters/gate_units.hpp"

namespace hload::reporters {

namespace {

using nlohmann::ordered_json;

// Metric is where a metric is in the report and which way is worse.
struct Metric {
  BaselineMetric metric;
  std::string_view section;
  std::string_view field;
  bool higher_is_worse;
};

constexpr std::array<Metric, 4> kMetrics = {{
    {BaselineMetric::p50, "latency", "p50_ms", true},
    {BaselineMetric::p99, "latency", "p99_ms", true},
    {BaselineMetric::rps, "summary", "rps", false},
    {BaselineMetric::error_rate, "summary", "error_rate", true},
}};

// The config fields that make two runs comparable.
constexpr std::array<std::string_view, 8> kConfigFields = {
    "url",      "concurrency",        "rate",  "duration_s",
    "requests", "max_conns_per_host", "http2", "method"};

constexpr double kSlackPercent = 1e-9;

const Metric& metric_info(BaselineMetric m) { return kMetrics[static_cast<std::size_t>(m)]; }

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// percent reads one "10%"; what names the metric it bounds, for the message.
double percent(std::string_view text, const std::string& what) {
  std::string_view rest = trimmed(text);
  const std::optional<Quantity> q = scan_quantity(rest);
  if (!q || q->unit != "%" || !rest.empty()) {
    throw std::invalid_argument("expected a percent such as 10%" + what + ", got \"" +
                                std::string(trimmed(text)) + "\"");
  }
  const double v = number_of(*q);
  if (v < 0) throw std::invalid_argument("a bound cannot be negative: \"" + q->text + "\"");
  return v;
}

// metric_named finds the metric -max-regression calls name.
std::optional<BaselineMetric> metric_named(std::string_view name) {
  for (const Metric& m : kMetrics) {
    if (to_string(m.metric) == name) return m.metric;
  }
  return std::nullopt;
}

// parse does parse_regression_bounds's work, throwing std::invalid_argument without the flag
// prefix.
std::vector<RegressionBound> parse(std::string_view spec) {
  std::array<std::optional<double>, kMetrics.size()> bounds;
  if (trimmed(spec).find('=') == std::string_view::npos) {
    const double all = percent(spec, "");
    for (auto& b : bounds) b = all;
  } else {
    std::string_view rest = spec;
    while (true) {
      const std::size_t comma = rest.find(',');
      const std::string_view item = rest.substr(0, comma);
      const std::size_t eq = item.find('=');
      if (eq == std::string_view::npos) {
        throw std::invalid_argument("expected METRIC=PERCENT, got \"" + std::string(trimmed(item)) +
                                    "\"");
      }
      const std::string name(trimmed(item.substr(0, eq)));
      const std::optional<BaselineMetric> m = metric_named(name);
      if (!m) {
        throw std::invalid_argument("unknown metric \"" + name +
                                    "\" (metrics: p50 p99 rps error_rate)");
      }
      auto& bound = bounds[static_cast<std::size_t>(*m)];
      if (bound) throw std::invalid_argument(name + " is bounded twice");
      bound = percent(item.substr(eq + 1), " for " + name);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  std::vector<RegressionBound> out;
  for (const Metric& m : kMetrics) {
    if (const auto& b = bounds[static_cast<std::size_t>(m.metric)]) out.push_back({m.metric, *b});
  }
  return out;
}

// number_at returns report[section][field] when it is a number.
std::optional<double> number_at(const ordered_json& report, std::string_view section,
                                std::string_view field) {
  const auto s = report.find(std::string(section));
  if (s == report.end() || !s->is_object()) return std::nullopt;
  const auto f = s->find(std::string(field));
  if (f == s->end() || !f->is_number()) return std::nullopt;
  return f->get<double>();
}

// shown_percent writes |v| as a percent with at most two decimals: "9.09%".
std::string shown_percent(double v) { return compact(rounded(std::fabs(v), 2)) + "%"; }

// judge fills in row's change, verdict and reason from its two values.
void judge(const Metric& m, BaselineRow& row) {
  if (!row.old_value || !row.new_value) {
    row.reason = !row.old_value && !row.new_value ? "no value in either report"
                 : !row.old_value                 ? "no value in the baseline"
                                                  : "no value in this run";
    return;
  }
  const double before = *row.old_value;
  const double after = *row.new_value;
  const double inf = std::numeric_limits<double>::infinity();
  // From 0 any rise is infinite in percent; an error rate that was 0 and is not fails any bound.
  const double change = before != 0       ? (after - before) * 100 / std::fabs(before)
                        : after == before ? 0
                        : after > before  ? inf
                                          : -inf;
  row.change = change;
  const double regression = m.higher_is_worse ? change : -change;
  // A regression of exactly the bound passes; the slack absorbs binary rounding of decimal
  // values (0.0005 → 0.00055 computes as a hair over 10%).
  row.pass = regression <= row.max_percent + kSlackPercent;
  const std::string bound = shown_percent(row.max_percent);
  if (change == 0) {
    row.reason = "unchanged";
    return;
  }
  const std::string direction = change > 0 ? "rose" : "fell";
  if (!std::isfinite(change)) {
    row.reason = direction + " from 0 to " + compact(after) +
                 (row.pass ? "" : ", an infinite regression (bound " + bound + ")");
    return;
  }
  row.reason = direction + " " + shown_percent(change);
  if (regression > 0) row.reason += row.pass ? ", within " + bound : ", more than " + bound;
}

// shown_config writes config[field] as JSON, or "absent".
std::string shown_config(const ordered_json& config, std::string_view field) {
  const std::string key(field);
  if (!config.is_object() || !config.contains(key)) return "absent";
  return config.at(key).dump();
}

// config_warnings lists the kConfigFields whose values differ between the two reports.
std::vector<std::string> config_warnings(const ordered_json& old_report,
                                         const ordered_json& new_report) {
  const ordered_json none;
  const auto config_of = [&](const ordered_json& r) -> const ordered_json& {
    const auto it = r.find("config");
    return it == r.end() ? none : *it;
  };
  const ordered_json& before = config_of(old_report);
  const ordered_json& after = config_of(new_report);
  std::vector<std::string> out;
  for (std::string_view field : kConfigFields) {
    const std::string was = shown_config(before, field);
    const std::string is = shown_config(after, field);
    if (was == is) continue;
    out.push_back("config." + std::string(field) + " differs: " + was + " in the baseline, " + is +
                  " in this run");
  }
  return out;
}

}  // namespace

std::string_view to_string(BaselineMetric m) {
  switch (m) {
    case BaselineMetric::p50:
      return "p50";
    case BaselineMetric::p99:
      return "p99";
    case BaselineMetric::rps:
      return "rps";
    case BaselineMetric::error_rate:
      return "error_rate";
  }
  return "?";
}

std::vector<RegressionBound> parse_regression_bounds(std::string_view spec) {
  try {
    return parse(spec);
  } catch (const std::invalid_argument& e) {
    throw GateError("-max-regression \"" + std::string(spec) + "\": " + e.what());
  }
}

bool BaselineResult::passed() const {
  for (const BaselineRow& row : rows) {
    if (!row.pass) return false;
  }
  return true;
}

std::string format_row_value(const BaselineRow& row, const std::optional<double>& v) {
  if (!v) return "-";
  return format_field_value(*v, row.path.substr(row.path.rfind('.') + 1));
}

std::string format_change(const BaselineRow& row) {
  if (!row.change) return "-";
  const double c = *row.change;
  if (c == 0) return "0%";
  if (!std::isfinite(c)) return c > 0 ? "+inf%" : "-inf%";
  return (c > 0 ? "+" : "-") + shown_percent(c);
}

std::string format_bound(const BaselineRow& row) { return shown_percent(row.max_percent); }

BaselineResult compare_baseline(const ordered_json& old_report, const ordered_json& new_report,
                                const std::vector<RegressionBound>& bounds) {
  BaselineResult out;
  for (const RegressionBound& b : bounds) {
    const Metric& m = metric_info(b.metric);
    BaselineRow row;
    row.metric = b.metric;
    row.path = std::string(m.section) + "." + std::string(m.field);
    row.old_value = number_at(old_report, m.section, m.field);
    row.new_value = number_at(new_report, m.section, m.field);
    row.max_percent = b.max_percent;
    judge(m, row);
    out.rows.push_back(std::move(row));
  }
  out.warnings = config_warnings(old_report, new_report);
  return out;
}

BaselineResult compare_baseline(const nlohmann::json& old_report, const nlohmann::json& new_report,
                                const std::vector<RegressionBound>& bounds) {
  return compare_baseline(ordered_json(old_report), ordered_json(new_report), bounds);
}

}  // namespace hload::reporters
