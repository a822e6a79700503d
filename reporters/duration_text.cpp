#include "reporters/duration_text.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "reporters/format.hpp"

namespace hload::reporters {
namespace {

constexpr int kDigits = 3;

// kUnits are the units, shortest first. µ is the micro sign, U+00B5, as Go writes it.
constexpr std::array<TimeUnit, 4> kUnits{{
    {"ns", 1e-6},
    {"\u00b5s", 1e-3},
    {"ms", 1.0},
    {"s", 1000.0},
}};

// decimals is how many places after the point give v kDigits significant digits.
int decimals(double v) {
  if (v == 0 || !std::isfinite(v)) return 0;
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(v))));
  return std::max(0, kDigits - 1 - magnitude);
}

// decimals_after_rounding is decimals(v), again for v rounded so, should rounding add a digit:
// 9.996 is "10.0", not "10.00".
int decimals_after_rounding(double v) { return decimals(rounded(v, decimals(v))); }

// unit_index is the index in kUnits of unit_for(ms).
std::size_t unit_index(double ms) {
  const double magnitude = std::fabs(ms);
  std::size_t i = kUnits.size() - 1;
  while (i > 0 && magnitude < kUnits[i].ms) --i;
  return i;
}

}  // namespace

TimeUnit unit_for(double ms) { return kUnits[unit_index(ms)]; }

std::string in_unit(double ms, TimeUnit unit, int decimals) {
  return fixed(ms / unit.ms, decimals) + unit.name;
}

std::string duration_text(double ms) {
  if (ms == 0 || !std::isfinite(ms)) return "0s";
  std::size_t i = unit_index(ms);
  // Rounding can carry into the next unit: 999.7 µs reads "1.00ms", not "1000µs".
  const double v = ms / kUnits[i].ms;
  if (i + 1 < kUnits.size() && std::fabs(rounded(v, decimals(v))) >= 1000) ++i;
  return in_unit(ms, kUnits[i], decimals_after_rounding(ms / kUnits[i].ms));
}

}  // namespace hload::reporters
