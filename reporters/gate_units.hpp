#pragma once

// The right-hand side of a CI gate: a number with an optional unit, converted into the unit of
// the field it is compared with. A field's name says its unit: `_ms` milliseconds, `_s`
// seconds, `_rate` and `_ratio` fractions (0.1% = 0.001).

#include <optional>
#include <string>
#include <string_view>

namespace hload::reporters {

// FieldKind is what a field measures, as its name says.
enum class FieldKind { milliseconds, seconds, ratio, plain };

// field_kind reads key's suffix: `_ms`, `_s`, `_rate` or `_ratio`; anything else is plain.
FieldKind field_kind(std::string_view key);

// format_field_value writes v for people in the unit of the field named key: "250 ms",
// "1.5 s", "0.0012", "20000".
std::string format_field_value(double v, std::string_view key);

// Quantity is a number as typed, with the unit letters that follow it.
struct Quantity {
  std::string text;      // number and unit as typed: "250ms"
  std::string mantissa;  // the number without its exponent: "250", "-1.5"
  int exponent = 0;      // the decimal exponent typed after it (1.5e3: 3)
  std::string unit;      // "", "ms", "µs", "k", "%", or whatever letters followed
};

// scan_quantity consumes a decimal number ([+-]digits[.digits][e[+-]digits]) and the unit
// letters right after it (ASCII letters, %, and non-ASCII bytes such as µ) from the front of
// text. Returns nullopt, leaving text as it was, when text does not start with a number.
std::optional<Quantity> scan_quantity(std::string_view& text);

// number_of returns q's number, its unit ignored. Throws std::invalid_argument when the number
// is out of range.
double number_of(const Quantity& q);

// in_field_unit converts q into the unit of the field named key (the last segment of its
// path), shown as field in messages. Durations (ns us µs μs ms s m h) need a field of kind
// milliseconds or seconds, % a ratio field; k (1e3) and M (1e6) go with any field. Scaling by a
// power of ten is exact (0.1% is the double nearest 0.001). Throws std::invalid_argument naming
// the unit when it is unknown or does not fit the field, or the number when it is out of range.
double in_field_unit(const Quantity& q, std::string_view key, const std::string& field);

}  // namespace hload::reporters
