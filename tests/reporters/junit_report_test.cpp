#include "reporters/junit_report.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "tests/reporters/sample_verdict.hpp"
#include "tests/support/process.hpp"

namespace hload::reporters {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using testing::sample_report;
using testing::sample_verdict;

std::string junit_of(const GateVerdict& v) {
  std::ostringstream out;
  write_junit(out, v);
  return out.str();
}

std::size_t occurrences(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

// tricky_verdict has gates whose expressions hold every character XML must escape.
GateVerdict tricky_verdict() {
  GateVerdict v;
  std::vector<GateExpr> gates = {parse_gate_expr("hosts[\"a&b\"].dials<1"),
                                 parse_gate_expr("hosts['<x>'].dials >= 0"),
                                 parse_gate_expr("errors_by_kind[\"it's\"]<1")};
  v.gates = evaluate_gates(gates, sample_report());
  return v;
}

// find_program looks name up on PATH.
std::optional<std::string> find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return std::nullopt;
}

// JunitSchemaTest runs xmllint on documents written to a scratch directory; tests skip without it
// (Debian: libxml2-utils).
class JunitSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto found = find_program("xmllint");
    if (!found) GTEST_SKIP() << "xmllint is not installed (apt-get install libxml2-utils)";
    xmllint_ = *found;
    std::string tmpl = (fs::temp_directory_path() / "hload-junit-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  fs::path write(const std::string& name, const std::string& content) {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

  test::ProcessResult xmllint(const std::vector<std::string>& args) {
    test::ProcessOptions options;
    options.time_limit = std::chrono::seconds(30);
    return test::run_process(xmllint_, args, options);
  }

  // validate runs `xmllint --noout --schema tests/data/junit.xsd` on content.
  test::ProcessResult validate(const std::string& content) {
    return xmllint({"--noout", "--schema", HLOAD_JUNIT_XSD, write("report.xml", content)});
  }

  // xpath evaluates expr on content with xmllint.
  std::string xpath(const std::string& content, const std::string& expr) {
    const test::ProcessResult r = xmllint({"--xpath", expr, write("query.xml", content)});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    std::string out = r.out;
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  std::string xmllint_;
  fs::path dir_;
};

TEST(JunitReportTest, OneSuiteWithOneCasePerGateAndBaselineMetric) {
  const GateVerdict v = sample_verdict();
  const std::string xml = junit_of(v);
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"hload\" "
                      "tests=\"6\" failures=\"3\" errors=\"0\" skipped=\"0\">\n",
                      0),
            0u)
      << xml;
  EXPECT_EQ(occurrences(xml, "<testsuite "), 1u);
  EXPECT_EQ(occurrences(xml, "<testcase classname=\"hload.gates\""), 4u);
  EXPECT_EQ(occurrences(xml, "<testcase classname=\"hload.baseline\""), 2u);
  EXPECT_EQ(occurrences(xml, "<failure "), 3u);
  EXPECT_NE(xml.find("<testcase classname=\"hload.gates\" name=\"dials&lt;=2\">\n"
                     "    <failure message=\"dials&lt;=2: measured 52 (sum of 2)\" "
                     "type=\"hload.gates\">not &lt;= 2</failure>\n"
                     "  </testcase>\n"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"hload.gates\" name=\"error_rate&lt;0.1%\">\n"
                     "    <system-out>measured 0.0005: meets &lt; 0.001</system-out>\n"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"hload.baseline\" name=\"p99 within 10% of the "
                     "baseline\">\n    <failure message=\"p99 within 10% of the baseline: "
                     "measured +25% ("),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("  <system-out>warning: config.concurrency differs: 100 in the baseline, "
                     "200 in this run&#10;</system-out>\n</testsuite>\n"),
            std::string::npos)
      << xml;
}

TEST(JunitReportTest, CountsFollowTheVerdict) {
  GateVerdict v;
  EXPECT_NE(junit_of(v).find("tests=\"0\" failures=\"0\""), std::string::npos);
  v.gates = evaluate_gates({parse_gate_expr("p99<1h"), parse_gate_expr("p99<1h")}, sample_report());
  EXPECT_NE(junit_of(v).find("tests=\"2\" failures=\"0\""), std::string::npos);
  v.gates = evaluate_gates({parse_gate_expr("p99<1ms"), parse_gate_expr("p99<1h")}, sample_report(),
                           20'001);  // too few requests: both fail
  EXPECT_NE(junit_of(v).find("tests=\"2\" failures=\"2\""), std::string::npos);
}

TEST(JunitReportTest, ExpressionsAreEscaped) {
  const std::string xml = junit_of(tricky_verdict());
  EXPECT_NE(xml.find("name=\"hosts[&quot;a&amp;b&quot;].dials&lt;1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"hosts[&apos;&lt;x&gt;&apos;].dials &gt;= 0\""), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("message=\"hosts[&quot;a&amp;b&quot;].dials&lt;1: measured -\""),
            std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("a&b"), std::string::npos);
  EXPECT_EQ(xml.find("<x>"), std::string::npos);
}

TEST(JunitReportTest, XmlEscapedHandlesEveryCharacterXmlCannotTakeAsIs) {
  EXPECT_EQ(xml_escaped("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(xml_escaped("tab\tnl\ncr\r"), "tab&#9;nl&#10;cr&#13;");
  EXPECT_EQ(xml_escaped(std::string("nul\0bel\x07", 8)), "nul\uFFFDbel\uFFFD");
  EXPECT_EQ(xml_escaped("100\u00b5s \u2705 \U0001F600"), "100\u00b5s \u2705 \U0001F600");
  EXPECT_EQ(xml_escaped("bad \xff\xfe end"), "bad \uFFFD\uFFFD end");
  EXPECT_EQ(xml_escaped("cut \xe2\x9c"), "cut \uFFFD\uFFFD");
  EXPECT_EQ(xml_escaped("overlong \xc0\xaf"), "overlong \uFFFD\uFFFD");
  EXPECT_EQ(xml_escaped("surrogate \xed\xa0\x80"), "surrogate \uFFFD\uFFFD\uFFFD");
  EXPECT_EQ(xml_escaped("nonchar \xef\xbf\xbe"), "nonchar \uFFFD\uFFFD\uFFFD");
}

TEST_F(JunitSchemaTest, RealVerdictValidates) {
  const test::ProcessResult r = validate(junit_of(sample_verdict()));
  EXPECT_EQ(r.exit_code, 0) << r.describe();
}

TEST_F(JunitSchemaTest, EmptyAndTrickyVerdictsValidate) {
  const test::ProcessResult empty = validate(junit_of(GateVerdict{}));
  EXPECT_EQ(empty.exit_code, 0) << empty.describe();
  GateVerdict bytes;
  bytes.gates.push_back(evaluate_gates({parse_gate_expr("p99<1h")}, sample_report()).front());
  bytes.gates.back().expr = "ctl\x01 and bad \xff utf-8 and \u00b5s";
  const test::ProcessResult tricky = validate(junit_of(tricky_verdict()));
  EXPECT_EQ(tricky.exit_code, 0) << tricky.describe();
  const test::ProcessResult odd = validate(junit_of(bytes));
  EXPECT_EQ(odd.exit_code, 0) << odd.describe();
}

TEST_F(JunitSchemaTest, NamesReadBackAsTyped) {
  const std::string xml = junit_of(tricky_verdict());
  EXPECT_EQ(xpath(xml, "string(//testcase[1]/@name)"), "hosts[\"a&b\"].dials<1");
  EXPECT_EQ(xpath(xml, "string(//testcase[2]/@name)"), "hosts['<x>'].dials >= 0");
  EXPECT_EQ(xpath(xml, "count(//testcase)"), "3");
  EXPECT_EQ(xpath(xml, "string(/testsuite/@failures)"), "3");
}

TEST_F(JunitSchemaTest, SchemaRejectsWhatACiServerWouldMisread) {
  // The schema must bite, or passing it would prove nothing.
  const std::string good = junit_of(sample_verdict());
  std::string bad_count = good;
  bad_count.replace(bad_count.find("tests=\"6\""), 9, "tests=\"six\"");
  std::string no_name = good;
  no_name.replace(no_name.find(" name=\"dials&lt;=2\""), 19, "");
  std::string unknown_child = good;
  unknown_child.replace(unknown_child.find("<failure "), 9, "<failed ");
  unknown_child.replace(unknown_child.find("</failure>"), 10, "</failed>");
  for (const std::string& doc : {bad_count, no_name, unknown_child}) {
    const test::ProcessResult r = validate(doc);
    EXPECT_NE(r.exit_code, 0) << r.describe();
  }
}

}  // namespace
}  // namespace hload::reporters
