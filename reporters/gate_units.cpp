#include "reporters/gate_units.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>
#include <system_error>

#include "reporters/format.hpp"

namespace hload::reporters {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// is_unit_char says whether c may belong to a unit: letters, %, and the bytes of µ and μ.
bool is_unit_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '%' || u >= 0x80;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// digits returns how many decimal digits start s.
std::size_t digits(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && is_digit(s[n])) ++n;
  return n;
}

// scaled is q's number times 10^shift, parsed once from its decimal text so that the result is
// the double nearest the exact value.
double scaled(const Quantity& q, int shift) {
  const std::string text = q.mantissa + "e" + std::to_string(q.exponent + shift);
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) {
    throw std::invalid_argument("the number \"" + q.text + "\" is out of range");
  }
  return v;
}

// Duration is a duration unit as the power of ten of its seconds, times a factor for minutes
// and hours, which are not powers of ten.
struct Duration {
  std::string_view unit;
  int seconds_exponent;
  double factor;
};

constexpr Duration kDurations[] = {
    {"ns", -9, 1}, {"us", -6, 1}, {"\u00b5s", -6, 1}, {"\u03bcs", -6, 1},
    {"ms", -3, 1}, {"s", 0, 1},   {"m", 0, 60},       {"h", 0, 3600},
};

}  // namespace

FieldKind field_kind(std::string_view key) {
  if (ends_with(key, "_ms")) return FieldKind::milliseconds;
  if (ends_with(key, "_s")) return FieldKind::seconds;
  if (ends_with(key, "_rate") || ends_with(key, "_ratio")) return FieldKind::ratio;
  return FieldKind::plain;
}

std::string format_field_value(double v, std::string_view key) {
  switch (field_kind(key)) {
    case FieldKind::milliseconds:
      return compact(v) + " ms";
    case FieldKind::seconds:
      return compact(v) + " s";
    case FieldKind::ratio:
    case FieldKind::plain:
      break;
  }
  return compact(v);
}

std::optional<Quantity> scan_quantity(std::string_view& text) {
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  const std::size_t whole = digits(text.substr(i));
  i += whole;
  std::size_t fraction = 0;
  if (i < text.size() && text[i] == '.') {
    fraction = digits(text.substr(i + 1));
    if (whole + fraction > 0) i += 1 + fraction;
  }
  if (whole + fraction == 0) return std::nullopt;
  Quantity q;
  // from_chars takes no leading +.
  q.mantissa = std::string(text.substr(text[0] == '+' ? 1 : 0, i - (text[0] == '+' ? 1 : 0)));
  // An exponent counts only with its digits: "5e" is 5 with the (unknown) unit "e".
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    std::size_t j = i + 1;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
    const std::size_t n = digits(text.substr(j));
    if (n > 0) {
      const char* first = text.data() + i + 1;
      if (*first == '+') ++first;
      const auto [end, ec] = std::from_chars(first, text.data() + j + n, q.exponent);
      if (ec != std::errc()) {
        throw std::invalid_argument("the number \"" + std::string(text.substr(0, j + n)) +
                                    "\" is out of range");
      }
      i = j + n;
    }
  }
  const std::size_t unit_start = i;
  while (i < text.size() && is_unit_char(text[i])) ++i;
  q.unit = std::string(text.substr(unit_start, i - unit_start));
  q.text = std::string(text.substr(0, i));
  text.remove_prefix(i);
  return q;
}

double number_of(const Quantity& q) { return scaled(q, 0); }

double in_field_unit(const Quantity& q, std::string_view key, const std::string& field) {
  const FieldKind kind = field_kind(key);
  if (q.unit.empty()) return scaled(q, 0);
  if (q.unit == "k") return scaled(q, 3);
  if (q.unit == "M") return scaled(q, 6);
  if (q.unit == "%") {
    if (kind != FieldKind::ratio) {
      throw std::invalid_argument("\"" + q.text + "\" is a percent but " + field +
                                  " is not a ratio (its name ends in neither _rate nor _ratio)");
    }
    return scaled(q, -2);
  }
  for (const Duration& d : kDurations) {
    if (q.unit != d.unit) continue;
    if (kind != FieldKind::milliseconds && kind != FieldKind::seconds) {
      throw std::invalid_argument("\"" + q.text + "\" is a duration but " + field +
                                  " is not a time field (its name ends in neither _ms nor _s)");
    }
    const int field_exponent = kind == FieldKind::milliseconds ? -3 : 0;
    return scaled(q, d.seconds_exponent - field_exponent) * d.factor;
  }
  throw std::invalid_argument("unknown unit \"" + q.unit + "\" in \"" + q.text +
                              "\" (durations ns us \u00b5s ms s m h, counts k M, or %)");
}

}  // namespace hload::reporters
