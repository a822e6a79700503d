#include "reporters/histogram_report.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "reporters/format.hpp"

namespace hload::reporters {

namespace {

using engine::Histogram;

constexpr int kBarWidth = 40;
constexpr int kEdgeDigits = 4;

struct Row {
  double lower_ms;
  double upper_ms;
  std::uint64_t count;
};

// rows merges the buckets of h into rows: the under- and overflow buckets alone, the regular
// ones in groups of equal numbers of buckets.
std::vector<Row> rows(const Histogram& h, int max_rows) {
  std::vector<Row> out;
  std::vector<std::pair<int, std::uint64_t>> regular;
  std::uint64_t under = 0;
  std::uint64_t over = 0;
  for (const auto& b : h.buckets()) {
    if (b.index == 0) {
      under += b.count;
    } else if (b.index == Histogram::kSlots - 1) {
      over += b.count;
    } else {
      regular.emplace_back(b.index, b.count);
    }
  }
  if (under > 0) out.push_back({0, Histogram::kMinMs, under});
  if (!regular.empty()) {
    const int first = regular.front().first;
    const int span = regular.back().first - first + 1;
    const int per_row = (span + max_rows - 1) / max_rows;
    const std::size_t start = out.size();
    for (int i = first; i < first + span; i += per_row) {
      out.push_back({Histogram::lower_edge_ms(i),
                     Histogram::lower_edge_ms(std::min(i + per_row, first + span)), 0});
    }
    for (const auto& [index, count] : regular) {
      out[start + static_cast<std::size_t>((index - first) / per_row)].count += count;
    }
  }
  if (over > 0) out.push_back({Histogram::kMaxMs, std::numeric_limits<double>::infinity(), over});
  return out;
}

}  // namespace

void write_histogram_chart(std::ostream& out, const std::string& title, const Histogram& h,
                           int max_rows) {
  if (h.count() == 0) {
    out << title << ": empty (nothing was recorded)\n";
    return;
  }
  out << title << " (" << h.count() << " samples, ms):\n";
  const auto chart = rows(h, std::max(max_rows, 1));
  std::vector<std::string> ranges;
  std::size_t range_width = 0;
  std::size_t count_width = 0;
  std::uint64_t most = 0;
  for (const auto& row : chart) {
    const std::string upper =
        std::isfinite(row.upper_ms) ? significant(row.upper_ms, kEdgeDigits) : "inf";
    ranges.push_back(significant(row.lower_ms, kEdgeDigits) + "-" + upper + " ms");
    range_width = std::max(range_width, ranges.back().size());
    count_width = std::max(count_width, std::to_string(row.count).size());
    most = std::max(most, row.count);
  }
  for (std::size_t i = 0; i < chart.size(); ++i) {
    const std::string count = std::to_string(chart[i].count);
    const std::string bars = bar(chart[i].count, most, kBarWidth);
    out << "  " << ranges[i] << std::string(range_width - ranges[i].size() + 2, ' ')
        << std::string(count_width - count.size(), ' ') << count << (bars.empty() ? "" : "  ")
        << bars << "\n";
  }
}

void write_histograms(std::ostream& out, const engine::RunResult& r) {
  const bool rate_mode = r.config.rate > 0;
  write_histogram_chart(
      out, rate_mode ? "Response time (from when each request was due)" : "Latency", r.latency);
  if (rate_mode) {
    out << "\n";
    write_histogram_chart(out, "Service time (from actually sending)", r.service_time);
  }
  for (const auto& [key, h] : r.hosts) {
    out << "\nHost " << key << "\n";
    write_histogram_chart(out, "Wait for idle connection", h.wait_idle);
    write_histogram_chart(out, "Wait for permit to dial", h.wait_permit);
  }
}

}  // namespace hload::reporters
