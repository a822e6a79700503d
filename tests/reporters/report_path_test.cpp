#include "reporters/report_path.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace hload::reporters {
namespace {

using nlohmann::ordered_json;

// parsed parses text as a whole path and returns it written back, with what was left over.
std::string parsed(std::string_view text, std::string* rest = nullptr) {
  const ReportPath p = parse_report_path(text);
  if (rest) *rest = std::string(text);
  return to_string(p);
}

// parse_error returns the message parse_report_path throws for text.
std::string parse_error(std::string_view text) {
  try {
    parse_report_path(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

std::string resolve_error(std::string_view text, const ordered_json& report) {
  try {
    resolve_report_path(parse_report_path(text), report);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

const ordered_json kReport = ordered_json::parse(R"({
  "summary": {"requests": 10, "rps": 5.5, "interrupted": false},
  "hosts": {
    "http://a:80": {"dials": 1, "wait_idle": {"p99_ms": 2.5}},
    "http://b:80": {"dials": 3, "wait_idle": {"p99_ms": null}}
  },
  "empty": {}
})");

TEST(ReportPathTest, DottedNamesStopAtAnOperatorOrBlank) {
  std::string rest;
  EXPECT_EQ(parsed("summary.dropped<3", &rest), "summary.dropped");
  EXPECT_EQ(rest, "<3");
  EXPECT_EQ(parsed("summary.dropped >= 3", &rest), "summary.dropped");
  EXPECT_EQ(rest, " >= 3");
  EXPECT_EQ(parsed("a.b!=1", &rest), "a.b");
  EXPECT_EQ(rest, "!=1");
  EXPECT_EQ(parsed("status_codes.200==0", &rest), "status_codes.200");
  EXPECT_EQ(parsed("x-y.z_1", &rest), "x-y.z_1");
  EXPECT_EQ(rest, "");
}

TEST(ReportPathTest, WildcardAndQuotedSegments) {
  EXPECT_EQ(parsed("hosts.*.dials"), "hosts.*.dials");
  EXPECT_EQ(parsed("hosts[\"http://api:8080\"].wait_permit.p99_ms"),
            "hosts[\"http://api:8080\"].wait_permit.p99_ms");
  // Single quotes are read the same and written back in double quotes.
  EXPECT_EQ(parsed("hosts['http://api:8080'].dials"), "hosts[\"http://api:8080\"].dials");
  // A quoted key that is a plain name is written back plain; a dot before [ is allowed.
  EXPECT_EQ(parsed("summary[\"rps\"]"), "summary.rps");
  EXPECT_EQ(parsed("hosts.['h:1'].dials"), "hosts[\"h:1\"].dials");
  // A key may hold the characters that end a path, and escaped quotes.
  EXPECT_EQ(parsed(R"(k["a <= b"])"), R"(k["a <= b"])");
  EXPECT_EQ(parsed(R"(k["say \"hi\""])"), R"(k["say \"hi\""])");
  EXPECT_EQ(parsed(R"(k['it\'s'])"), R"(k["it's"])");
}

TEST(ReportPathTest, MalformedPathsNameTheBadPart) {
  EXPECT_EQ(parse_error("<3"), "expected a field name, got \"<3\"");
  EXPECT_EQ(parse_error(""), "expected a field name, got nothing");
  EXPECT_EQ(parse_error("summary..rps"),
            "expected a field name, * or [\"key\"] after \"summary.\", got \".rps\"");
  EXPECT_EQ(parse_error("summary.<3"),
            "expected a field name, * or [\"key\"] after \"summary.\", got \"<3\"");
  EXPECT_EQ(parse_error("p9$9<3"),
            "expected \".\", \"[\" or an operator after \"p9\", got \"$9<3\"");
  EXPECT_EQ(parse_error("hosts.*x"),
            "expected \".\", \"[\" or an operator after \"hosts.*\", got \"x\"");
  EXPECT_EQ(parse_error("hosts[http://a].dials"),
            "expected a quoted key after \"hosts[\", got \"http://a].dials\"");
  EXPECT_EQ(parse_error("hosts[\"http://a].dials<3"),
            "missing the closing \" of the key after \"hosts[\"");
  EXPECT_EQ(parse_error("hosts['a\""), "missing the closing ' of the key after \"hosts[\"");
  EXPECT_EQ(parse_error("hosts[\"a\"x"), "expected \"]\" after \"hosts[\"a\"\", got \"x\"");
}

TEST(ReportPathTest, ResolvesPlainQuotedAndWildcardPaths) {
  std::string_view text = "summary.rps";
  auto m = resolve_report_path(parse_report_path(text), kReport);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(to_string(m[0].path), "summary.rps");
  EXPECT_EQ(*m[0].value, 5.5);

  text = "hosts['http://b:80'].dials";
  m = resolve_report_path(parse_report_path(text), kReport);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(*m[0].value, 3);

  text = "hosts.*.wait_idle.p99_ms";
  m = resolve_report_path(parse_report_path(text), kReport);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(to_string(m[0].path), "hosts[\"http://a:80\"].wait_idle.p99_ms");
  EXPECT_EQ(*m[0].value, 2.5);
  EXPECT_EQ(to_string(m[1].path), "hosts[\"http://b:80\"].wait_idle.p99_ms");
  EXPECT_TRUE(m[1].value->is_null());

  text = "empty.*.x";
  EXPECT_TRUE(resolve_report_path(parse_report_path(text), kReport).empty());
}

TEST(ReportPathTest, UnknownFieldsNameThePartThatDidNotResolve) {
  EXPECT_EQ(resolve_error("summary.p99", kReport),
            "unknown field \"summary.p99\" (summary has no \"p99\")");
  EXPECT_EQ(resolve_error("p98", kReport), "unknown field \"p98\" (the report has no \"p98\")");
  EXPECT_EQ(resolve_error("hosts.*.dails", kReport),
            "unknown field \"hosts.*.dails\" (hosts[\"http://a:80\"] has no \"dails\")");
  EXPECT_EQ(resolve_error("hosts['http://c:80'].dials", kReport),
            "unknown field \"hosts[\"http://c:80\"].dials\" (hosts has no \"http://c:80\")");
  EXPECT_EQ(resolve_error("summary.rps.x", kReport),
            "unknown field \"summary.rps.x\" (summary.rps is a number, not an object)");
  EXPECT_EQ(resolve_error("summary.interrupted.*", kReport),
            "unknown field \"summary.interrupted.*\" (summary.interrupted is a boolean, not an "
            "object)");
  EXPECT_EQ(resolve_error("hosts['http://b:80'].wait_idle.p99_ms.x", kReport),
            "unknown field \"hosts[\"http://b:80\"].wait_idle.p99_ms.x\" "
            "(hosts[\"http://b:80\"].wait_idle.p99_ms is null, not an object)");
}

}  // namespace
}  // namespace hload::reporters
