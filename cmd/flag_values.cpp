#include "cmd/flag_values.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <system_error>

#include "cmd/go_duration.hpp"
#include "cmd/usage_error.hpp"

namespace hload::cli {
namespace {

// fail throws the error "<flag> <what> (got <text>)".
[[noreturn]] void fail(std::string_view flag, std::string_view what, std::string_view text) {
  throw UsageError(std::string(flag) + " " + std::string(what) + " (got " + printable(text) + ")");
}

// check_sign enforces the Zero rule, phrased for whole numbers ("at least 1") or for reals and
// durations ("more than 0").
template <typename T>
void check_sign(std::string_view flag, std::string_view text, T value, Zero zero, bool whole) {
  if (zero == Zero::allowed && value < T{}) fail(flag, "must not be negative", text);
  if (zero == Zero::refused && value <= T{}) {
    fail(flag, whole ? "must be at least 1" : "must be more than 0", text);
  }
}

// not_whole throws the error "<flag> wants a whole number<examples> (got "<text>")".
[[noreturn]] void not_whole(std::string_view flag, std::string_view text,
                            std::string_view examples) {
  throw UsageError(std::string(flag) + " wants a whole number" + std::string(examples) + " (got " +
                   quote(text) + ")");
}

// kCountExamples ends the message for a count that is no number, showing the suffixes.
constexpr std::string_view kCountExamples = " such as 100, 10k or 1.5M";

// check_range applies the Zero rule and the upper bound to a whole number.
void check_range(std::string_view flag, std::string_view text, std::int64_t value, Zero zero,
                 std::int64_t max) {
  check_sign(flag, text, value, zero, true);
  if (value > max) fail(flag, "must be at most " + std::to_string(max), text);
}

// suffix_scale is what a count's last letter multiplies it by: 1000 for k, 1000000 for m, and
// 1 when it ends in no such letter.
std::int64_t suffix_scale(std::string_view text) {
  if (text.empty()) return 1;
  switch (text.back()) {
    case 'k':
    case 'K':
      return 1'000;
    case 'm':
    case 'M':
      return 1'000'000;
    default:
      return 1;
  }
}

// all_digits says whether text holds only decimal digits (an empty text does).
bool all_digits(std::string_view text) {
  return text.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

std::int64_t read_whole(std::string_view flag, std::string_view text, Zero zero, std::int64_t max) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) fail(flag, "is out of range", text);
  if (ec != std::errc{} || end != text.data() + text.size()) not_whole(flag, text, "");
  check_range(flag, text, value, zero, max);
  return value;
}

std::int64_t read_count(std::string_view flag, std::string_view text, Zero zero, std::int64_t max) {
  const std::int64_t scale = suffix_scale(text);
  if (scale == 1) {
    const std::string_view digits = text.substr(text.starts_with('-') ? 1 : 0);
    if (digits.empty() || !all_digits(digits)) not_whole(flag, text, kCountExamples);
    return read_whole(flag, text, zero, max);
  }

  // Read "[-]digits[.digits]" before the suffix exactly, in integers: 1.5k is 1500, not
  // 1499.9999 after a trip through a double.
  std::string_view number = text.substr(0, text.size() - 1);
  const bool negative = number.starts_with('-');
  if (negative) number.remove_prefix(1);
  const std::size_t point = number.find('.');
  const std::string_view whole = number.substr(0, point);
  std::string_view fraction =
      point == std::string_view::npos ? std::string_view() : number.substr(point + 1);
  if ((whole.empty() && fraction.empty()) || !all_digits(whole) || !all_digits(fraction)) {
    not_whole(flag, text, kCountExamples);
  }
  while (fraction.ends_with('0')) fraction.remove_suffix(1);
  std::int64_t fraction_scale = scale;  // what one unit of the fraction's last digit is worth
  for (std::size_t i = 0; i < fraction.size(); ++i) {
    if (fraction_scale % 10 != 0) fail(flag, "must come to a whole number", text);
    fraction_scale /= 10;
  }

  std::int64_t value = 0;
  if (!whole.empty()) {
    const auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), value);
    if (ec != std::errc{} || value > std::numeric_limits<std::int64_t>::max() / scale) {
      fail(flag, "is out of range", text);
    }
    value *= scale;
  }
  std::int64_t part = 0;
  if (!fraction.empty()) {
    std::from_chars(fraction.data(), fraction.data() + fraction.size(), part);  // < scale
  }
  if (part * fraction_scale > std::numeric_limits<std::int64_t>::max() - value) {
    fail(flag, "is out of range", text);
  }
  value += part * fraction_scale;
  check_range(flag, text, negative ? -value : value, zero, max);
  return negative ? -value : value;
}

double read_real(std::string_view flag, std::string_view text, Zero zero) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) fail(flag, "is out of range", text);
  // from_chars also reads "inf" and "nan", which no rate or count can be.
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
    throw UsageError(std::string(flag) + " wants a number such as 100 or 0.5 (got " + quote(text) +
                     ")");
  }
  check_sign(flag, text, value, zero, false);
  return value;
}

Duration read_duration(std::string_view flag, std::string_view text, Zero zero) {
  const auto value = parse_go_duration(text);
  if (!value && lacks_unit(text)) {
    throw UsageError(std::string(flag) + " needs a unit, such as " + printable(text) + "s or " +
                     printable(text) + "ms (got " + quote(text) + ")");
  }
  if (!value) {
    throw UsageError(std::string(flag) + " wants a duration such as 10s, 1m30s or 500ms (got " +
                     quote(text) + ")");
  }
  check_sign(flag, text, *value, zero, false);
  return *value;
}

Duration read_seconds(std::string_view flag, std::string_view text, Zero zero) {
  const auto value = parse_seconds_or_go_duration(text);
  if (!value) {
    throw UsageError(std::string(flag) +
                     " wants seconds (20, 0.5) or a duration such as 1500ms (got " + quote(text) +
                     ")");
  }
  check_sign(flag, text, *value, zero, false);
  return *value;
}

}  // namespace hload::cli
