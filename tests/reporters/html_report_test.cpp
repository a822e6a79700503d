#include "reporters/html_report.hpp"

#include <gtest/gtest.h>

#include <string>

#include "reporters/html_assets.hpp"
#include "reporters/json_report.hpp"
#include "tests/reporters/sample_result.hpp"

namespace hload::reporters {
namespace {

using nlohmann::ordered_json;

// embedded returns the text of the page's <script type="application/json"> element.
std::string embedded(const std::string& page) {
  const std::string open = R"(<script type="application/json" id="hload-report">)";
  const auto from = page.find(open);
  if (from == std::string::npos) return "";
  const auto begin = from + open.size();
  return page.substr(begin, page.find("</script>", begin) - begin);
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(HtmlReport, CarriesTheJsonReportAndEverythingItNeeds) {
  const ordered_json report = to_json(testing::sample_result());
  const std::string page = render_html(report);
  EXPECT_TRUE(page.starts_with("<!DOCTYPE html>\n"));
  EXPECT_EQ(ordered_json::parse(embedded(page)), report);
  // uPlot and the page's own script and style, inline: nothing is fetched.
  EXPECT_NE(page.find(html_assets::kUplotJs), std::string::npos);
  EXPECT_NE(page.find(html_assets::kUplotCss), std::string::npos);
  EXPECT_NE(page.find(html_assets::kReportJs), std::string::npos);
  EXPECT_NE(page.find(html_assets::kReportCss), std::string::npos);
  EXPECT_GT(html_assets::kUplotJs.size(), 10'000u);
  EXPECT_NE(page.find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(page.find("<script src"), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
}

TEST(HtmlReport, NoStringInTheReportCanEndItsScriptElement) {
  ordered_json report = to_json(testing::sample_result());
  const std::string hostile = "</script><script>alert(1)</script><!-- & </SCRIPT >";
  report["error_examples"]["connect_refused"] = hostile;
  const std::string page = render_html(report);
  // Three script elements (the report, uPlot, the page's own) and no closing tag more.
  EXPECT_EQ(occurrences(page, "</script>"), 3u);
  EXPECT_EQ(page.find("alert(1)</script>"), std::string::npos);
  const std::string json = embedded(page);
  EXPECT_EQ(json.find('<'), std::string::npos);
  EXPECT_EQ(json.find('>'), std::string::npos);
  EXPECT_EQ(ordered_json::parse(json)["error_examples"]["connect_refused"], hostile);
}

TEST(HtmlReport, EmbeddableJsonReadsBackTheSame) {
  const ordered_json j = {{"a", "x<y>z&w"}, {"n", 3}, {"u", "µs ▁█"}};
  const std::string text = embeddable_json(j);
  EXPECT_EQ(text.find_first_of("<>&"), std::string::npos);
  EXPECT_EQ(ordered_json::parse(text), j);
}

}  // namespace
}  // namespace hload::reporters
