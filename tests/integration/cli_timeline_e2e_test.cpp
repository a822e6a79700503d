// The timeline and the HTML report through the built program: the timeline of a JSON report
// adds up to its totals exactly, -o html writes a page that carries the report, and `hload
// report` draws a saved report as the same page.

#include <chrono>
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "cmd/server/builtin_server.hpp"
#include "tests/integration/e2e.hpp"

namespace hload::test::e2e {
namespace {

// embedded_report returns the JSON report a page carries.
json embedded_report(const std::string& page) {
  const std::string open = R"(<script type="application/json" id="hload-report">)";
  const auto from = page.find(open);
  if (from == std::string::npos) return json::value_t::discarded;
  const auto begin = from + open.size();
  return parse_json(page.substr(begin, page.find("</script>", begin) - begin));
}

TEST(HloadTimeline, AddsUpToTheReportsTotals) {
  server::ServerOptions o;
  o.delay = std::chrono::milliseconds(1);
  o.close_every = 25;
  o.threads = 2;
  server::BuiltinServer srv(o);
  const ProcessResult r = hload({"-z", "3s", "-c", "8", "-threads", "2", "-warmup", "500ms",
                                 "-timeline-interval", "500ms", "-o", "json", url(srv.port())});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json report = parse_json(r.out);
  ASSERT_FALSE(report.is_discarded()) << r.describe();
  const json& t = report["timeline"];
  EXPECT_EQ(t["interval_ms"], 500);
  EXPECT_EQ(t["warmup_ms"], 500);
  ASSERT_EQ(t["intervals"].size(), 6u);
  std::uint64_t requests = 0, ok = 0, failed = 0, dials = 0, closes = 0;
  for (const json& in : t["intervals"]) {
    requests += in["requests"].get<std::uint64_t>();
    ok += in["ok"].get<std::uint64_t>();
    failed += in["failed"].get<std::uint64_t>();
    for (const auto& [key, h] : in["hosts"].items()) {
      dials += h["dials"].get<std::uint64_t>();
      for (const auto& [why, n] : h["closes"].items()) closes += n.get<std::uint64_t>();
    }
  }
  const json& s = report["summary"];
  const json& host = report["hosts"][host_key(srv.port())];
  ASSERT_GT(s["requests"].get<std::uint64_t>(), 500u);
  ASSERT_GT(host["dials"].get<std::uint64_t>(), 8u);
  EXPECT_EQ(requests, s["requests"].get<std::uint64_t>());
  EXPECT_EQ(ok, s["ok"].get<std::uint64_t>());
  EXPECT_EQ(failed, s["failed"].get<std::uint64_t>());
  EXPECT_EQ(dials, host["dials"].get<std::uint64_t>());
  std::uint64_t report_closes = 0;
  for (const auto& [why, n] : host["closes"].items()) report_closes += n.get<std::uint64_t>();
  EXPECT_EQ(closes, report_closes);
  EXPECT_EQ(t["intervals"][0]["requests"], 0);  // the warm-up
  EXPECT_EQ(accepted_after_settling(srv), dials);
}

TEST(HloadTimeline, HtmlOfARunAndOfItsSavedReportCarryTheReport) {
  server::BuiltinServer srv;
  TempDir dir;
  const ProcessResult json_run = hload(
      {"-n", "300", "-c", "3", "-o", "json", "-output", dir.file("run.json"), url(srv.port())});
  ASSERT_EQ(json_run.exit_code, 0) << json_run.describe();
  const json saved = parse_json(read_file(dir.file("run.json")));
  ASSERT_FALSE(saved.is_discarded());

  const ProcessResult drawn =
      hload({"report", dir.file("run.json"), "-o", "html", "-output", dir.file("run.html")});
  ASSERT_EQ(drawn.exit_code, 0) << drawn.describe();
  const std::string page = read_file(dir.file("run.html"));
  EXPECT_TRUE(page.starts_with("<!DOCTYPE html>")) << page.substr(0, 100);
  EXPECT_EQ(embedded_report(page), saved);
  const ProcessResult to_stdout = hload({"report", dir.file("run.json")});
  ASSERT_EQ(to_stdout.exit_code, 0) << to_stdout.describe();
  EXPECT_EQ(to_stdout.out, page);

  // A run writes the page itself: -output FILE.html needs no -o.
  const ProcessResult html_run =
      hload({"-n", "300", "-c", "3", "-output", dir.file("direct.html"), url(srv.port())});
  ASSERT_EQ(html_run.exit_code, 0) << html_run.describe();
  const json direct = embedded_report(read_file(dir.file("direct.html")));
  ASSERT_FALSE(direct.is_discarded());
  EXPECT_EQ(direct["schema"], "hload.report/v1");
  EXPECT_EQ(direct["summary"]["requests"], 300);
  EXPECT_EQ(direct["timeline"]["intervals"][0]["requests"], 300);
}

TEST(HloadTimeline, ReportRefusesWhatIsNotAReport) {
  TempDir dir;
  { std::ofstream(dir.file("other.json")) << R"({"name": "not a report"})"; }
  const ProcessResult r = hload({"report", dir.file("other.json")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is not an hload JSON report"), std::string::npos) << r.err;
  const ProcessResult missing = hload({"report", dir.file("missing.json")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("report: cannot read"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace hload::test::e2e
