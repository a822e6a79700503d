#include "cmd/go_duration.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <limits>
#include <utility>

namespace hload::cli {
namespace {

using Nanos = std::uint64_t;

constexpr Nanos kMaxMagnitude = Nanos{1} << 63;  // |INT64_MIN|: room for the negative extreme

// kUnits are Go's unit names with their length in nanoseconds, largest first (the order
// format_go_duration tries them in). "µs" is written both with the micro sign (U+00B5) and
// with the Greek small letter mu (U+03BC), as Go accepts both.
constexpr std::array<std::pair<std::string_view, Nanos>, 8> kUnits{{
    {"h", 3'600'000'000'000},
    {"m", 60'000'000'000},
    {"s", 1'000'000'000},
    {"ms", 1'000'000},
    {"us", 1'000},
    {"\u00b5s", 1'000},
    {"\u03bcs", 1'000},
    {"ns", 1},
}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// leading_int consumes the digits at the front of text into value; false on overflow.
bool leading_int(std::string_view& text, Nanos& value) {
  value = 0;
  while (!text.empty() && is_digit(text.front())) {
    const auto digit = static_cast<Nanos>(text.front() - '0');
    if (value > (kMaxMagnitude - digit) / 10) return false;
    value = value * 10 + digit;
    text.remove_prefix(1);
  }
  return true;
}

// leading_fraction consumes the digits after a decimal point as value / scale. Digits beyond
// what 64 bits hold are consumed but ignored: they are far below a nanosecond.
void leading_fraction(std::string_view& text, Nanos& value, double& scale) {
  value = 0;
  scale = 1;
  bool overflowed = false;
  while (!text.empty() && is_digit(text.front())) {
    const auto digit = static_cast<Nanos>(text.front() - '0');
    if (!overflowed && value <= (std::numeric_limits<Nanos>::max() - digit) / 10) {
      value = value * 10 + digit;
      scale *= 10;
    } else {
      overflowed = true;
    }
    text.remove_prefix(1);
  }
}

std::optional<Nanos> unit_length(std::string_view name) {
  for (const auto& [unit, length] : kUnits) {
    if (unit == name) return length;
  }
  return std::nullopt;
}

// parse_magnitude reads the unsigned part of a duration: one or more number-and-unit terms.
std::optional<Nanos> parse_magnitude(std::string_view text) {
  if (text.empty()) return std::nullopt;
  Nanos total = 0;
  while (!text.empty()) {
    const std::size_t before_int = text.size();
    Nanos whole = 0;
    if (!leading_int(text, whole)) return std::nullopt;
    const bool has_int = text.size() != before_int;

    Nanos fraction = 0;
    double scale = 1;
    bool has_fraction = false;
    if (!text.empty() && text.front() == '.') {
      text.remove_prefix(1);
      const std::size_t before_fraction = text.size();
      leading_fraction(text, fraction, scale);
      has_fraction = text.size() != before_fraction;
    }
    if (!has_int && !has_fraction) return std::nullopt;  // "", ".", or a unit with no number

    std::size_t unit_end = 0;
    while (unit_end < text.size() && text[unit_end] != '.' && !is_digit(text[unit_end])) {
      ++unit_end;
    }
    const auto unit = unit_length(text.substr(0, unit_end));
    if (!unit) return std::nullopt;  // missing or unknown unit
    text.remove_prefix(unit_end);

    if (whole > kMaxMagnitude / *unit) return std::nullopt;
    Nanos term = whole * *unit;
    if (fraction > 0) {
      // Go does the same float step: exact for every fraction a person writes.
      term +=
          static_cast<Nanos>(static_cast<double>(fraction) * (static_cast<double>(*unit) / scale));
      if (term > kMaxMagnitude) return std::nullopt;
    }
    if (term > kMaxMagnitude - total) return std::nullopt;
    total += term;
  }
  return total;
}

}  // namespace

std::optional<Duration> parse_go_duration(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return Duration::zero();  // Go's one number that needs no unit
  const auto magnitude = parse_magnitude(text);
  if (!magnitude || (!negative && *magnitude == kMaxMagnitude)) return std::nullopt;
  const std::int64_t nanos =
      negative ? static_cast<std::int64_t>(~*magnitude + 1) : static_cast<std::int64_t>(*magnitude);
  return std::chrono::duration_cast<Duration>(std::chrono::nanoseconds(nanos));
}

std::optional<Duration> parse_seconds_or_go_duration(std::string_view text) {
  if (lacks_unit(text)) return parse_go_duration(std::string(text) + "s");
  return parse_go_duration(text);
}

bool lacks_unit(std::string_view text) {
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
  const std::size_t point = text.find('.');
  if (point != std::string_view::npos && text.find('.', point + 1) != std::string_view::npos) {
    return false;  // "1.2.3" is no number: a unit would not mend it
  }
  return text.find_first_of("0123456789") != std::string_view::npos &&
         text.find_first_not_of("0123456789.") == std::string_view::npos;
}

std::string format_go_duration(Duration d) {
  const std::int64_t nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  if (nanos == 0) return "0s";
  const std::string sign = nanos < 0 ? "-" : "";
  const Nanos magnitude = nanos < 0 ? ~static_cast<Nanos>(nanos) + 1 : static_cast<Nanos>(nanos);
  // The last unit, ns, divides every count, so a unit is always found.
  const auto& [unit, length] = *std::find_if(
      kUnits.begin(), kUnits.end(), [&](const auto& u) { return magnitude % u.second == 0; });
  return sign + std::to_string(magnitude / length) + std::string(unit);
}

}  // namespace hload::cli
