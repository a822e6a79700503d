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

TEST(TextReportTest, SummaryTotalInSecondsLatenciesInTheirUnits) {
  const auto s = section(text(sample_result()), "Summary:");
  EXPECT_THAT(s, HasSubstr("  Total:        2.0000 secs\n"));  // as hey
  EXPECT_THAT(s, HasSubstr("  Slowest:      10.0s\n"));
  EXPECT_THAT(s, HasSubstr("  Fastest:      1.00ms\n"));
  EXPECT_THAT(s, HasSubstr("  Average:      5.00s\n"));
  EXPECT_THAT(s, HasSubstr("  Requests/sec: 10000.0000"));
  const auto t = text(sample_result());
  EXPECT_THAT(t, HasSubstr("  Total data:   60000 bytes\n"));
  EXPECT_THAT(t, HasSubstr("  Size/request: 3 bytes\n"));  // 60000 / 19996 responses
}

TEST(TextReportTest, HistogramHasTenRowsThatAddUpToTheRequests) {
  const auto h = section(text(sample_result()), "Response time histogram:");
  const std::regex row(R"(  +(\d+\.?\d*(ns|µs|ms|s)) \[(\d+)\]\s+\|(.*))");
  std::istringstream lines(h);
  std::string line;
  int rows = 0;
  std::uint64_t sum = 0;
  std::size_t longest_bar = 0;
  while (std::getline(lines, line)) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, row)) << line;
    ++rows;
    sum += std::stoull(m[3]);
    longest_bar = std::max(longest_bar, m[4].str().size());
  }
  EXPECT_EQ(rows, 10);
  EXPECT_EQ(sum, 20'000u);
  EXPECT_EQ(longest_bar, 40 * std::string("\u25A0").size());  // hey's full bar
  // Labelled like hey with each range's upper end: the last is the slowest.
  EXPECT_THAT(h, HasSubstr("  10.0s ["));
  EXPECT_THAT(h, HasSubstr("   1.0s ["));  // right-aligned, the points in a column
}

TEST(TextReportTest, LatencyDistribution) {
  const auto d = section(text(sample_result()), "Latency distribution:");
  for (const char* p : {"  10% in ", "  25% in ", "  50% in ", "  75% in ", "  90% in ",
                        "  95% in ", "  99% in ", "  99.9% in "}) {
    EXPECT_THAT(d, HasSubstr(p));
  }
  const std::regex median(R"(  50% in (\d+\.\d{2})s\n)");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(d, m, median));
  EXPECT_NEAR(std::stod(m[1]), 5.0, 0.05);
}

TEST(TextReportTest, DetailsShowEachPhase) {
  const auto d = section(text(sample_result()), "Details (average, fastest, slowest):");
  EXPECT_THAT(d, HasSubstr("  wait-conn:    12.0ms, 12.0ms, 12.0ms  (n=20000)"));
  EXPECT_THAT(d, HasSubstr("  dial:         1.00ms,  500µs, 1.50ms  (n=2)"));
  EXPECT_THAT(d, HasSubstr("  req write:        0s,     0s,     0s  (n=0)"));
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
  EXPECT_THAT(pool, ContainsRegex("    waited:          for a released connection  p50 "
                                  "(49|50|51)\\.[0-9]ms  p99 "));
  EXPECT_THAT(pool, HasSubstr("max 100ms   (n=100)\n"));
  EXPECT_THAT(pool, HasSubstr("                     for a dial permit          p50 5.00ms  p99 "
                              "5.00ms  max 5.00ms   (n=3)\n"));
  EXPECT_THAT(pool, HasSubstr("    held back:       by the limit               none\n"));
  EXPECT_THAT(pool, HasSubstr("    TLS handshakes:  0 (0 resumed)\n"));
  EXPECT_THAT(pool, HasSubstr("    closes:          run_end 2\n"));
}

TEST(TextReportTest, ClosesListTheReasonsThatOccurred) {
  auto r = sample_result();
  auto& closes = r.hosts[kHost].closes;
  closes[static_cast<int>(pool::CloseReason::server_close)] = 198;
  closes[static_cast<int>(pool::CloseReason::protocol)] = 1;
  EXPECT_THAT(text(r), HasSubstr("    closes:          server_close 198  protocol 1  run_end 2\n"));
  closes = {};
  EXPECT_THAT(text(r), HasSubstr("    closes:          none\n"));
}

TEST(TextReportTest, TlsLinesOnlyWhenThereWereHandshakes) {
  const auto plain = text(sample_result());
  EXPECT_THAT(plain, Not(HasSubstr("    TLS: ")));
  EXPECT_THAT(plain, Not(HasSubstr("  tls: ")));

  auto r = sample_result();
  engine::HostResult& h = r.hosts[kHost];
  h.tls_handshakes = 2;
  h.tls_resumed = 1;
  h.tls_handshake.record_ms(2.0);
  h.tls_handshake.record_ms(2.0);
  h.tls_version = "TLSv1.3";
  h.tls_cipher = "TLS_AES_256_GCM_SHA384";
  h.alpn = "http/1.1";
  r.phases.tls.record_ms(2.0);
  r.phases.tls.record_ms(2.0);
  const auto t = text(r);
  const auto pool = t.substr(t.find("Connection pool (per host):\n"));
  EXPECT_THAT(pool, HasSubstr("    TLS handshakes:  2 (1 resumed)\n"
                              "    TLS:             TLSv1.3  TLS_AES_256_GCM_SHA384  ALPN http/1.1"
                              "   handshake p50 2.00ms  p99 2.00ms\n"));
  EXPECT_THAT(section(t, "Details (average, fastest, slowest):"),
              HasSubstr("  tls:          2.00ms, 2.00ms, 2.00ms  (n=2)"));
}

TEST(TextReportTest, Http2HostsSayHowTheirStreamsWereShared) {
  auto r = sample_result();
  EXPECT_THAT(text(r), Not(HasSubstr("    protocol:"))) << "nothing for an HTTP/1.1 run";
  engine::HostResult& h = r.hosts[kHost];
  h.asked_http2 = true;
  h.http2_conns = 1;
  h.max_streams_per_conn = 100;
  h.streams_started = 2;
  h.streams_in_flight_sum = 150;
  h.goaways = 2;
  EXPECT_THAT(text(r), HasSubstr("    protocol:        h2 (1 HTTP/2, 0 HTTP/1.1 connections)\n"
                                 "    streams:         per connection max 100, mean 75.0   "
                                 "GOAWAYs: 2   refused and sent again: 0\n"));
  h.http1_conns = 1;
  EXPECT_THAT(text(r), HasSubstr("connections: the server did not offer h2)"));
}

TEST(TextReportTest, NoWaitSaysNone) {
  auto r = sample_result();
  r.hosts[kHost].wait_permit = engine::Histogram{};
  EXPECT_THAT(text(r), HasSubstr("for a dial permit          none\n"));
}

TEST(TextReportTest, HeldBackByTheLimitHasItsOwnLine) {
  auto r = sample_result();
  for (int i = 0; i < 7; ++i) r.hosts[kHost].queued_at_limit.record_ms(2.0);
  EXPECT_THAT(text(r), HasSubstr("    held back:       by the limit               p50 2.00ms  p99 "
                                 "2.00ms  max 2.00ms   (n=7)\n"));
}

TEST(TextReportTest, OutcomeSaysWhichFailuresAreWhich) {
  EXPECT_THAT(text(sample_result()),
              HasSubstr("  Requests:     20000 finished: 19990 ok, 10 failed (6 HTTP errors, 4 "
                        "without a response)\n"));
  auto r = sample_result();
  r.ok = r.requests;
  r.errors = 0;
  EXPECT_THAT(text(r), HasSubstr("  Requests:     20000 finished: 20000 ok, 0 failed\n"));
}

TEST(TextReportTest, UnfinishedRequestsAreReportedApart) {
  auto r = sample_result();
  r.unfinished = 5;
  r.unfinished_oldest_ms = 3010;
  EXPECT_THAT(text(r), HasSubstr("  Unfinished:   5 still in flight when the run ended, the oldest "
                                 "3.01s old (neither failed nor in the latencies)\n"));
  EXPECT_THAT(text(sample_result()), Not(HasSubstr("Unfinished")));
}

TEST(TextReportTest, NoRequestFinishedSaysSoOnTheFirstLine) {
  engine::RunResult r;
  r.unfinished = 5;
  r.unfinished_oldest_ms = 3000;
  EXPECT_THAT(text(r), StartsWith("No request finished: 5 still in flight when the run ended, the "
                                  "oldest 3.00s old. There is no latency to report.\n"));
  EXPECT_THAT(text(engine::RunResult{}), StartsWith("No request finished. "));
}

TEST(TextReportTest, RateShortfallWarnsWithItsCause) {
  auto r = rate_mode_result();
  r.config.concurrency = 4;
  r.requests = 9;
  r.ok = 9;
  r.errors = 0;
  r.unfinished = 4;
  r.dropped = 1987;
  r.elapsed_s = 2.0;  // 13 sent in 2 s of the 2000 asked for
  const auto t = text(r);
  EXPECT_THAT(t, HasSubstr("  Rate:         1000.00 requests/sec asked (open model), 6.50 sent\n"));
  EXPECT_THAT(t, HasSubstr("  Dropped:      1987 (due, never sent)\n"));
  EXPECT_THAT(t, HasSubstr("  Warning: sent 99.4% fewer requests than asked for: all 4 virtual "
                           "users were busy (raise -c)\n"));
  EXPECT_THAT(text(rate_mode_result()), Not(HasSubstr("Warning")));
}

TEST(TextReportTest, ErrorsShowAnExampleAndHintsForLocalShortages) {
  auto r = sample_result();
  r.errors_by_kind["fd_limit"] = 3;
  r.error_examples["connect_refused"] = "GET http://127.0.0.1:1/: dial: Connection refused";
  r.error_examples["fd_limit"] = "GET http://127.0.0.1:1/: dial: Too many open files";
  const auto e = section(text(r), "Error distribution:");
  EXPECT_THAT(e, HasSubstr("  [4] connect_refused, e.g. GET http://127.0.0.1:1/: dial: Connection "
                           "refused\n"));
  EXPECT_THAT(e, HasSubstr("  [3] fd_limit, e.g. GET http://127.0.0.1:1/: dial: Too many open "
                           "files\n        hint: hload ran out of file descriptors"));
}

TEST(TextReportTest, InterruptedRunSaysSoFirst) {
  auto r = sample_result();
  r.interrupted = true;
  EXPECT_THAT(text(r), StartsWith("Interrupted after 20000 requests: partial results.\n"));
  EXPECT_THAT(text(sample_result()), StartsWith("Summary:\n"));
}

TEST(TextReportTest, RateModeExplainsResponseTime) {
  const auto t = text(rate_mode_result());
  EXPECT_THAT(t, HasSubstr("  Rate:         1000.00 requests/sec asked (open model), 10000.00 "
                           "sent\n"));
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
  std::string full_bar;
  for (int i = 0; i < 40; ++i) full_bar += "\u25A0";
  EXPECT_EQ(h, "  7.00ms [50] |" + full_bar);  // one row: ten would all read the same
}

// A phase well under a millisecond shows in microseconds, not as hey's 0.0000 secs.
TEST(TextReportTest, SubMillisecondPhasesKeepTheirDigits) {
  auto r = sample_result();
  for (int i = 0; i < 10; ++i) r.phases.write.record_ms(0.2);
  r.phases.first_byte.record_ms(0.0123);
  r.phases.first_byte.record_ms(0.0456);
  const auto t = text(r);
  const auto d = section(t, "Details (average, fastest, slowest):");
  EXPECT_THAT(d, HasSubstr("  req write:     200µs,  200µs,  200µs  (n=10)"));
  EXPECT_THAT(
      d, ContainsRegex("  resp wait:    +[0-9.]+µs, +12\\.[0-9]µs, +4[56]\\.[0-9]µs  \\(n=2\\)"));
  EXPECT_THAT(t, Not(ContainsRegex(" 0\\.0000")));
}

// labels returns the histogram's row labels (the upper ends, without the counts), top down.
std::vector<std::string> labels(const engine::RunResult& r) {
  std::vector<std::string> out;
  std::istringstream lines(section(text(r), "Response time histogram:"));
  const std::regex row(R"( +(\S+) \[\d+\] +\|.*)");
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    EXPECT_TRUE(std::regex_match(line, m, row)) << line;
    out.push_back(m[1]);
  }
  return out;
}

// with_latencies is sample_result with latencies spread evenly over [lo_ms, hi_ms].
engine::RunResult with_latencies(double lo_ms, double hi_ms) {
  auto r = sample_result();
  r.latency = engine::Histogram{};
  for (int i = 0; i <= 100; ++i) r.latency.record_ms(lo_ms + (hi_ms - lo_ms) * i / 100);
  return r;
}

TEST(TextReportTest, HistogramLabelsOfANarrowRangeAreDistinct) {
  struct Range {
    double lo_ms, hi_ms;
    const char* last;  // the slowest, as the last row shows it
  };
  for (const Range& range : {Range{3.0, 3.9, "3.90ms"}, Range{3.0, 3.009, "3.0090ms"},
                             Range{0.2, 0.25, "250µs"}, Range{0.2, 0.2009, "200.90µs"},
                             Range{1000, 1000.5, "1.00050s"}, Range{1, 10'000, "10.0s"}}) {
    SCOPED_TRACE(range.last);
    const std::vector<std::string> l = labels(with_latencies(range.lo_ms, range.hi_ms));
    ASSERT_EQ(l.size(), 10u);
    for (std::size_t i = 1; i < l.size(); ++i) EXPECT_NE(l[i], l[i - 1]) << i;
    EXPECT_EQ(l.back(), range.last);
    // One unit for every row, so that the column reads as one scale.
    const std::string unit = l.back().substr(l.back().find_first_not_of("0123456789."));
    for (const auto& label : l) EXPECT_TRUE(label.ends_with(unit)) << label;
  }
}

}  // namespace
}  // namespace hload::reporters
