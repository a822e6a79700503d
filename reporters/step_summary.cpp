#include "reporters/step_summary.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reporters/format.hpp"
#include "reporters/gate_units.hpp"

namespace hload::reporters {

namespace {

using nlohmann::ordered_json;

constexpr std::string_view kPass = "\u2705";  // ✅
constexpr std::string_view kFail = "\u274C";  // ❌

// text escapes s for a Markdown table cell: the punctuation that could start markup or end the
// cell is backslash-escaped, and a line break becomes a space.
std::string text(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n' || c == '\r') {
      out += ' ';
      continue;
    }
    if (std::string_view("\\`*_[]<>|~&#!").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// code writes s as a code span for a table cell: fenced by more backticks than it holds in a
// row, with | escaped (GitHub splits cells before it reads code spans).
std::string code(std::string_view s) {
  std::size_t longest = 0;
  std::size_t run = 0;
  std::string body;
  for (char c : s) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
    if (c == '|') body += '\\';
    body += c == '\n' || c == '\r' ? ' ' : c;
  }
  const std::string fence(longest + 1, '`');
  // A space on each side keeps a backtick at either end from joining the fence.
  const bool pad = longest > 0 || body.empty();
  return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

// row writes one table row of already escaped cells.
void row(std::ostream& out, const std::vector<std::string>& cells) {
  out << "|";
  for (const std::string& c : cells) out << " " << c << " |";
  out << "\n";
}

// find returns j[key] when j is an object that has it.
const ordered_json* find(const ordered_json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(std::string(key));
  return it == j.end() ? nullptr : &*it;
}

// number returns the number at path below j, if there is one.
std::optional<double> number(const ordered_json& j, std::initializer_list<std::string_view> path) {
  const ordered_json* at = &j;
  for (std::string_view key : path) {
    at = find(*at, key);
    if (!at) return std::nullopt;
  }
  if (!at->is_number()) return std::nullopt;
  return at->get<double>();
}

// shown writes v in the unit of the field named key, or "-" when the report lacks it.
std::string shown(const std::optional<double>& v, std::string_view key) {
  return v ? text(format_field_value(*v, key)) : "-";
}

// shown_ratio writes a ratio as a percent: 0.9999 → "99.99%".
std::string shown_ratio(const std::optional<double>& v) {
  return v ? compact(rounded(*v * 100, 2)) + "%" : "-";
}

void write_key_figures(std::ostream& out, const ordered_json& report) {
  const auto requests = number(report, {"summary", "requests"});
  const auto ok = number(report, {"summary", "ok"});
  std::optional<double> failed = number(report, {"summary", "failed"});
  if (!failed && requests && ok) failed = *requests - *ok;
  row(out, {"requests", "ok", "failed", "rps", "p50", "p99"});
  row(out, {"---:", "---:", "---:", "---:", "---:", "---:"});
  row(out, {shown(requests, "requests"), shown(ok, "ok"), shown(failed, "failed"),
            shown(number(report, {"summary", "rps"}), "rps"),
            shown(number(report, {"latency", "p50_ms"}), "p50_ms"),
            shown(number(report, {"latency", "p99_ms"}), "p99_ms")});
}

void write_pool(std::ostream& out, const ordered_json& report) {
  const ordered_json* hosts = find(report, "hosts");
  if (!hosts || !hosts->is_object() || hosts->empty()) return;
  out << "\n#### Connection pool\n\n";
  row(out, {"host", "dials", "reuse ratio", "wait_idle p99", "wait_permit p99", "max open"});
  row(out, {"---", "---:", "---:", "---:", "---:", "---:"});
  for (const auto& [key, h] : hosts->items()) {
    row(out,
        {code(key), shown(number(h, {"dials"}), "dials"), shown_ratio(number(h, {"reuse_ratio"})),
         shown(number(h, {"wait_idle", "p99_ms"}), "p99_ms"),
         shown(number(h, {"wait_permit", "p99_ms"}), "p99_ms"),
         shown(number(h, {"max_open_conns"}), "max_open_conns")});
  }
}

void write_gates(std::ostream& out, const std::vector<GateResult>& gates) {
  if (gates.empty()) return;
  out << "\n#### Gates\n\n";
  row(out, {"", "assertion", "measured", "reason"});
  row(out, {":---:", "---", "---:", "---"});
  for (const GateResult& g : gates) {
    row(out, {std::string(g.pass ? kPass : kFail), code(g.expr), text(g.measured), text(g.reason)});
  }
}

void write_baseline(std::ostream& out, const BaselineResult& b) {
  out << "\n#### Baseline\n\n";
  row(out, {"", "metric", "baseline", "this run", "change", "bound", "reason"});
  row(out, {":---:", "---", "---:", "---:", "---:", "---:", "---"});
  for (const BaselineRow& r : b.rows) {
    row(out, {std::string(r.pass ? kPass : kFail), std::string(to_string(r.metric)),
              text(format_row_value(r, r.old_value)), text(format_row_value(r, r.new_value)),
              text(format_change(r)), text(format_bound(r)), text(r.reason)});
  }
  if (!b.warnings.empty()) out << "\n";
  for (const std::string& w : b.warnings) out << "- \u26A0\uFE0F " << text(w) << "\n";  // ⚠️
}

}  // namespace

void write_step_summary(std::ostream& out, const ordered_json& report, const GateVerdict& verdict) {
  out << "### hload";
  std::size_t checks = verdict.gates.size();
  std::size_t failed = 0;
  for (const GateResult& g : verdict.gates) failed += g.pass ? 0 : 1;
  if (verdict.baseline) {
    checks += verdict.baseline->rows.size();
    for (const BaselineRow& r : verdict.baseline->rows) failed += r.pass ? 0 : 1;
  }
  if (checks > 0 && failed == 0) out << ": " << kPass << " all " << checks << " checks passed";
  if (failed > 0) out << ": " << kFail << " " << failed << " of " << checks << " checks failed";
  out << "\n\n";
  write_key_figures(out, report);
  write_pool(out, report);
  write_gates(out, verdict.gates);
  if (verdict.baseline) write_baseline(out, *verdict.baseline);
}

}  // namespace hload::reporters
