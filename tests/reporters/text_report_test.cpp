#include "reporters/text_report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <sstream>
#include <string>

#include "tests/reporters/sample_result.hpp"

namespace hload::reporters {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using testing::kHost;
using ::testing::Not;
using testing::rate_mode_result;
using testing::sample_result;
using ::testing::StartsWith;

std::string text(const engine::RunResult& r) {
  std::ostringstream out;
  write_text(out, r);
  return out.str();
}

// section returns the lines after `title` up to the next blank line.
std::string section(const std::string& report, const std::string& title) {
  const auto start = report.find(title + "\n");
  if (start == std::string::npos) return {};
  const auto body = start + title.size() + 1;
  return report.substr(body, report.find("\n\n", body) - body);
}

TEST(TextReportTest, SectionsInHeysOrder) {
  const auto t = text(sample_result());
  std::size_t at = 0;
  for (const char* title : {"Summary:", "Response time histogram:", "Latency distribution:",
                            "Details (average, fastest, slowest):", "Status code distribution:",
                            "Error distribution:", "Connection pool (per host):"}) {
    const auto found = t.find(std::string(title) + "\n", at);
    ASSERT_NE(found, std::string::npos) << title << " missing or out of order in\n" << t;
    at = found;
  }
}

TEST(TextReportTest, SummaryInSecondsWithFourDecimals) {
  const auto s = section(text(sample_result()), "Summary:");
  EXPECT_THAT(s, HasSubstr("  Total:        2.0000 secs\n"));
  EXPECT_THAT(s, HasSubstr("  Slowest:      10.0000 secs\n"));
  EXPECT_THAT(s, HasSubstr("  Fastest:      0.0010 secs\n"));
  EXPECT_THAT(s, HasSubstr("  Average:      5.0005 secs\n"));
  EXPECT_THAT(s, HasSubstr("  Requests/sec: 10000.0000"));
  const auto t = text(sample_result());
  EXPECT_THAT(t, HasSubstr("  Total data:   60000 bytes\n"));
  EXPECT_THAT(t, HasSubstr("  Size/request: 3 bytes\n"));  // 60000 / 19996 responses
}

TEST(TextReportTest, HistogramHasTenRowsThatAddUpToTheRequests) {
  const auto h = section(text(sample_result()), "Response time histogram:");
  const std::regex row(R"(  (\d+\.\d{3}) \[(\d+)\]\s+\|(.*))");
  std::istringstream lines(h);
  std::string line;
  int rows = 0;
  std::uint64_t sum = 0;
  std::size_t longest_bar = 0;
  while (std::getline(lines, line)) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, row)) << line;
    ++rows;
    sum += std::stoull(m[2]);
    longest_bar = std::max(longest_bar, m[3].str().size());
  }
  EXPECT_EQ(rows, 10);
  EXPECT_EQ(sum, 20'000u);
  EXPECT_EQ(longest_bar, 40 * std::string("\u25A0").size());  // hey's full bar
  // Labelled like hey with each range's upper end: the last is the slowest.
  EXPECT_THAT(h, HasSubstr("  10.000 ["));
}

TEST(TextReportTest, LatencyDistribution) {
  const auto d = section(text(sample_result()), "Latency distribution:");
  for (const char* p : {"  10% in ", "  25% in ", "  50% in ", "  75% in ", "  90% in ",
                        "  95% in ", "  99% in ", "  99.9% in "}) {
    EXPECT_THAT(d, HasSubstr(p));
  }
  const std::regex median(R"(  50% in (\d+\.\d{4}) secs)");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(d, m, median));
  EXPECT_NEAR(std::stod(m[1]), 5.0, 0.05);
}

TEST(TextReportTest, DetailsShowEachPhase) {
  const auto d = section(text(sample_result()), "Details (average, fastest, slowest):");
  EXPECT_THAT(d, HasSubstr("  wait-conn:    0.0120 secs, 0.0120 secs, 0.0120 secs  (n=20000)"));
  EXPECT_THAT(d, HasSubstr("  dial:         0.0010 secs, 0.0005 secs, 0.0015 secs  (n=2)"));
  EXPECT_THAT(d, HasSubstr("  req write:    0.0000 secs"));
  EXPECT_THAT(d, HasSubstr("  resp wait:    "));
  EXPECT_THAT(d, HasSubstr("  resp read:    "));
}

TEST(TextReportTest, StatusCodesAndErrors) {
  const auto t = text(sample_result());
  EXPECT_THAT(section(t, "Status code distribution:"),
              ::testing::Eq("  [200] 19990 responses\n  [503] 6 responses"));
  EXPECT_THAT(section(t, "Error distribution:"), ::testing::Eq("  [4] connect_refused"));
}

TEST(TextReportTest, NoErrorSectionWithoutErrors) {
  auto r = sample_result();
  r.errors_by_kind.clear();
  r.errors_by_kind["timeout"] = 0;
  EXPECT_THAT(text(r), Not(HasSubstr("Error distribution:")));
}

TEST(TextReportTest, ConnectionPoolTable) {
  const auto t = text(sample_result());
  const auto pool = t.substr(t.find("Connection pool (per host):\n"));
  EXPECT_THAT(pool, HasSubstr(std::string("\n  ") + kHost + "\n"));
  EXPECT_THAT(pool, HasSubstr("    dials:           2 (0 failed, 0 cancelled)   max open: 2\n"));
  EXPECT_THAT(pool,
              HasSubstr("    requests:        20000   reused: 19998 (99.99%)   retries: 0\n"));
  EXPECT_THAT(pool, HasSubstr("    acquired by:     idle 0   handoff 19998   dial 2\n"));
  // 1..100 ms recorded: p50 is 50 ms within the histogram's 1%.
  EXPECT_THAT(pool, ContainsRegex("    wait for idle:   p50 0\\.0(49|50|51)[0-9] s"));
  EXPECT_THAT(pool, HasSubstr("max 0.1000 s   (n=100)\n"));
  EXPECT_THAT(pool,
              HasSubstr("    wait for permit: p50 0.0050 s  p99 0.0050 s  max 0.0050 s   (n=3)\n"));
  EXPECT_THAT(pool, HasSubstr("    TLS handshakes:  0 (0 resumed)\n"));
  EXPECT_THAT(pool,
              HasSubstr("    closes:          server_close 0  client_close 0  idle_timeout 0  "
                        "idle_overflow 0  protocol 0  error 0  run_end 2\n"));
}

TEST(TextReportTest, NoWaitSaysNone) {
  auto r = sample_result();
  r.hosts[kHost].wait_permit = engine::Histogram{};
  EXPECT_THAT(text(r), HasSubstr("    wait for permit: none\n"));
}

TEST(TextReportTest, InterruptedRunSaysSoFirst) {
  auto r = sample_result();
  r.interrupted = true;
  EXPECT_THAT(text(r), StartsWith("Interrupted after 20000 requests: partial results.\n"));
  EXPECT_THAT(text(sample_result()), StartsWith("Summary:\n"));
}

TEST(TextReportTest, RateModeExplainsResponseTime) {
  const auto t = text(rate_mode_result());
  EXPECT_THAT(t, HasSubstr("  Rate:         1000.00 requests/sec (open model)\n"));
  EXPECT_THAT(t, HasSubstr("  Late starts:  17 (sent after they were due)\n"));
  EXPECT_THAT(t, HasSubstr("response time, measured from when each request was due"));
  const auto s = section(t, "Service time distribution (from actually sending):");
  EXPECT_THAT(s, HasSubstr("  99.9% in "));
  const auto plain = text(sample_result());
  EXPECT_THAT(plain, Not(HasSubstr("Late starts")));
  EXPECT_THAT(plain, Not(HasSubstr("Service time")));
}

TEST(TextReportTest, RunWithoutResponsesStillReports) {
  engine::RunResult r;
  r.requests = 5;
  r.errors = 5;
  r.errors_by_kind["connect_refused"] = 5;
  const auto t = text(r);
  EXPECT_THAT(t, HasSubstr("No latencies were recorded.\n"));
  EXPECT_THAT(t, Not(HasSubstr("Size/request")));
  EXPECT_THAT(t, HasSubstr("  [5] connect_refused\n"));
}

TEST(TextReportTest, AllLatenciesEqualFillOneRow) {
  auto r = sample_result();
  r.latency = engine::Histogram{};
  for (int i = 0; i < 50; ++i) r.latency.record_ms(7.0);
  const auto h = section(text(r), "Response time histogram:");
  EXPECT_THAT(h, HasSubstr("[50]"));
}

}  // namespace
}  // namespace hload::reporters
