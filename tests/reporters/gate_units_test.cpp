#include "reporters/gate_units.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace hload::reporters {
namespace {

TEST(GateUnitsTest, FieldKindFromTheNamesSuffix) {
  EXPECT_EQ(field_kind("p99_ms"), FieldKind::milliseconds);
  EXPECT_EQ(field_kind("elapsed_s"), FieldKind::seconds);
  EXPECT_EQ(field_kind("idle_conn_timeout_s"), FieldKind::seconds);
  EXPECT_EQ(field_kind("error_rate"), FieldKind::ratio);
  EXPECT_EQ(field_kind("reuse_ratio"), FieldKind::ratio);
  EXPECT_EQ(field_kind("dials"), FieldKind::plain);
  EXPECT_EQ(field_kind("rps"), FieldKind::plain);
  EXPECT_EQ(field_kind("ms"), FieldKind::plain);  // a suffix needs its underscore
  EXPECT_EQ(field_kind(""), FieldKind::plain);
}

TEST(GateUnitsTest, ScanQuantityTakesTheNumberAndTheUnitLettersOnly) {
  std::string_view text = "250ms rest";
  const auto q = scan_quantity(text);
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->text, "250ms");
  EXPECT_EQ(q->mantissa, "250");
  EXPECT_EQ(q->exponent, 0);
  EXPECT_EQ(q->unit, "ms");
  EXPECT_EQ(text, " rest");

  text = "-1.5e3k)";
  const auto e = scan_quantity(text);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->mantissa, "-1.5");
  EXPECT_EQ(e->exponent, 3);
  EXPECT_EQ(e->unit, "k");
  EXPECT_EQ(text, ")");

  for (std::string_view none : {"", "ms", ".", "-", "+.", "<3"}) {
    std::string_view t = none;
    EXPECT_FALSE(scan_quantity(t).has_value()) << none;
    EXPECT_EQ(t, none);
  }
}

TEST(GateUnitsTest, NumberOfIgnoresTheUnit) {
  std::string_view text = "12.5%";
  EXPECT_EQ(number_of(*scan_quantity(text)), 12.5);
}

TEST(GateUnitsTest, InFieldUnitThrowsForAUnitThatDoesNotFit) {
  std::string_view text = "5s";
  const Quantity q = *scan_quantity(text);
  EXPECT_EQ(in_field_unit(q, "p99_ms", "latency.p99_ms"), 5000);
  EXPECT_EQ(in_field_unit(q, "elapsed_s", "summary.elapsed_s"), 5);
  EXPECT_THROW(in_field_unit(q, "error_rate", "summary.error_rate"), std::invalid_argument);
}

TEST(GateUnitsTest, FormatFieldValueUsesTheFieldsUnit) {
  EXPECT_EQ(format_field_value(250, "p99_ms"), "250 ms");
  EXPECT_EQ(format_field_value(1.5, "elapsed_s"), "1.5 s");
  EXPECT_EQ(format_field_value(0.0012, "error_rate"), "0.0012");
  EXPECT_EQ(format_field_value(20000, "requests"), "20000");
  EXPECT_EQ(format_field_value(3, ""), "3");
}

}  // namespace
}  // namespace hload::reporters
