#pragma once

// Durations written for people: in the unit that fits each (812µs, 4.21ms, 1.50s), so that a
// phase well under a millisecond does not read as 0.0000 secs.

#include <string>

namespace hload::reporters {

// TimeUnit is a unit durations are written in: its name and its length in milliseconds.
struct TimeUnit {
  const char* name;
  double ms;
};

// unit_for is the largest of ns, µs, ms and s in which ms is at least 1 (ns for anything
// shorter, and for 0).
TimeUnit unit_for(double ms);

// in_unit writes ms in unit with `decimals` places after the point and the unit's name
// ("4.21ms").
std::string in_unit(double ms, TimeUnit unit, int decimals);

// duration_text writes ms with 3 significant digits in the unit that fits it, from unit_for,
// rounding taken into account (999.7 µs is "1.00ms"): "812µs", "4.21ms", "12.0ms", "1.50s",
// "250s". Whole seconds past 999 keep every digit ("1234s"). Zero is "0s".
std::string duration_text(double ms);

}  // namespace hload::reporters
