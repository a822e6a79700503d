#include "cmd/flag_values.hpp"

#include <charconv>
#include <cmath>
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

}  // namespace

std::int64_t read_whole(std::string_view flag, std::string_view text, Zero zero, std::int64_t max) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) fail(flag, "is out of range", text);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    throw UsageError(std::string(flag) + " wants a whole number (got " + quote(text) + ")");
  }
  check_sign(flag, text, value, zero, true);
  if (value > max) fail(flag, "must be at most " + std::to_string(max), text);
  return value;
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
  if (!value) {
    throw UsageError(std::string(flag) + " wants a duration such as 10s, 1m30s or 500ms (got " +
                     quote(text) + ")");
  }
  check_sign(flag, text, *value, zero, false);
  return *value;
}

}  // namespace hload::cli
