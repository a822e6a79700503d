#include "reporters/format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace hload::reporters {

double rounded(double v, int decimals) noexcept {
  if (!std::isfinite(v)) return v;
  const double scale = std::pow(10.0, decimals);
  const double r = std::round(v * scale) / scale;
  // v * scale can overflow for huge v; the value is then already as precise as it can be.
  return std::isfinite(r) ? r : v;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string significant(double v, int digits) {
  if (v == 0 || !std::isfinite(v)) return fixed(v, 0);
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(v))));
  return fixed(v, std::max(0, digits - 1 - magnitude));
}

std::string compact(double v) {
  std::string s = significant(v, 6);
  if (s.find('.') == std::string::npos) return s;
  s.erase(s.find_last_not_of('0') + 1);
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string bar(std::uint64_t count, std::uint64_t max, int width) {
  if (max == 0 || width <= 0) return {};
  const auto n = static_cast<std::uint64_t>(width) * count / max;
  std::string out;
  for (std::uint64_t i = 0; i < n; ++i) out += "\u25A0";  // ■
  return out;
}

}  // namespace hload::reporters
