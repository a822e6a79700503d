#include "reporters/sparkline.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "reporters/duration_text.hpp"
#include "reporters/format.hpp"

namespace hload::reporters {

namespace {

constexpr std::size_t kMarksPerRow = 60;
constexpr std::array<const char*, 8> kLevels = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};

double seconds(engine::Duration d) { return std::chrono::duration<double>(d).count(); }

// clock_text writes an offset from the start as m:ss, or as h:mm:ss in a run that passes an
// hour.
std::string clock_text(double s, bool hours) {
  const auto total = static_cast<long long>(std::floor(s));
  char text[32];
  if (hours) {
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60,
                  total % 60);
  } else {
    std::snprintf(text, sizeof text, "%lld:%02lld", total / 60, total % 60);
  }
  return text;
}

}  // namespace

std::string sparkline_text(const engine::Timeline& t) {
  const auto& intervals = t.intervals();
  if (intervals.empty()) return "";
  const double width = seconds(t.width());
  const std::size_t n = intervals.size();
  // Intervals per mark: a second at least, and few enough marks for kSparklineRows rows.
  auto group = static_cast<std::size_t>(std::ceil(1.0 / width - 1e-9));
  group = std::max<std::size_t>(
      {group, 1, (n + kMarksPerRow * kSparklineRows - 1) / (kMarksPerRow * kSparklineRows)});
  std::vector<double> rates;
  for (std::size_t i = 0; i < n; i += group) {
    std::uint64_t requests = 0;
    double covered = 0;
    for (std::size_t j = i; j < std::min(n, i + group); ++j) {
      requests += intervals[j].requests;
      // Every interval is `width` long but the last, which ends with the run.
      covered +=
          j + 1 == n ? std::max(0.0, seconds(t.elapsed) - width * static_cast<double>(j)) : width;
    }
    rates.push_back(covered > 0 ? static_cast<double>(requests) / covered : 0.0);
  }
  const double most = *std::max_element(rates.begin(), rates.end());
  const double mark = width * static_cast<double>(group);
  std::string out = "Requests/sec over time (a mark per " + duration_text(mark * 1000) +
                    ", a row per " + duration_text(mark * kMarksPerRow * 1000) + "; █ is " +
                    fixed(most, 0) + "/s, blank none):\n";
  const std::size_t last_row_first = (rates.size() - 1) / kMarksPerRow * kMarksPerRow;
  const double last_row = mark * static_cast<double>(last_row_first);
  const bool hours = last_row >= 3600;
  const std::string last_label = clock_text(last_row, hours);
  for (std::size_t r = 0; r < rates.size(); r += kMarksPerRow) {
    std::string label = clock_text(mark * static_cast<double>(r), hours);
    label.insert(0, last_label.size() > label.size() ? last_label.size() - label.size() : 0, ' ');
    out += "  " + label + "  ";
    for (std::size_t i = r; i < std::min(rates.size(), r + kMarksPerRow); ++i) {
      if (rates[i] <= 0 || most <= 0) {
        out += ' ';
        continue;
      }
      const auto level = static_cast<std::size_t>(std::ceil(rates[i] / most * kLevels.size()));
      out += kLevels[std::clamp<std::size_t>(level, 1, kLevels.size()) - 1];
    }
    out += "\n";
  }
  return out;
}

}  // namespace hload::reporters
