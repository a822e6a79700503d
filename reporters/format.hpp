#pragma once

// Number and bar formatting shared by the reporters, so that every output rounds the same way.

#include <cstdint>
#include <string>

namespace hload::reporters {

// rounded returns v rounded to `decimals` places after the point (half away from zero).
// Non-finite values are returned unchanged; callers that must not emit them check first.
double rounded(double v, int decimals) noexcept;

// fixed formats v with exactly `decimals` places after the point ("0.0150").
std::string fixed(double v, int decimals);

// significant formats v in plain (never scientific) notation with about `digits` significant
// digits: 0.001019 → "0.001019", 1019.4 → "1019", 52000 → "52000". For bucket edges that span
// from microseconds to hours.
std::string significant(double v, int digits);

// compact formats v with at most 6 significant digits and no trailing zeros, in plain notation:
// 0.0012 → "0.0012", 5000.5 → "5000.5", 20000 → "20000", 123.45678 → "123.457". For values a
// user compares with a bound they typed, where padding zeros would only be noise.
std::string compact(double v);

// bar draws `width` blocks for `max` and proportionally fewer for `count` (hey's ■ bars),
// rounding down like hey so that only the largest rows reach the full width.
std::string bar(std::uint64_t count, std::uint64_t max, int width);

}  // namespace hload::reporters
