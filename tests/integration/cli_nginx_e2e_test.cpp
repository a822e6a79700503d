// hload's headline run against a real nginx: 200 users over at most 2 connections. What the
// JSON report says about the pool is checked against what nginx counted (stub_status, exact),
// and against the identities that tie the report's own counters together.

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "tests/integration/e2e.hpp"
#include "tests/support/nginx_server.hpp"

namespace hload::test::e2e {
namespace {

constexpr std::uint64_t kRequests = 20'000;
// Ratios are written with 6 decimals (reporters/json_report.cpp).
constexpr double kRatioRounding = 5e-7;

// headline_args is the architecture's headline run at port, with extra flags before the URL.
std::vector<std::string> headline_args(std::uint16_t port,
                                       const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {
      "-c", "200", "-max-conns-per-host", "2", "-n", std::to_string(kRequests), "-o", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(url(port));
  return args;
}

// expect_wait_stats checks one of the wait_idle / wait_permit objects: every field is there, and
// the histogram holds exactly the waits it counts.
void expect_wait_stats(const json& w, const std::string& name) {
  SCOPED_TRACE(name);
  ASSERT_TRUE(w.is_object());
  for (const char* field : {"count", "total_ms", "p50_ms", "p99_ms", "max_ms", "histogram"}) {
    EXPECT_TRUE(w.contains(field)) << field;
  }
  const json& counts = w["histogram"]["counts"];
  ASSERT_TRUE(counts.is_array());
  EXPECT_EQ(w["histogram"]["bounds_ms"].size(), counts.size());
  std::uint64_t sum = 0;
  for (const auto& c : counts) sum += c.get<std::uint64_t>();
  EXPECT_EQ(sum, w["count"].get<std::uint64_t>());
}

// expect_consistent_host checks what holds for a host in any run: the reuse ratio is what it
// says, every request that got a connection got it one way, and no dial is counted twice.
void expect_consistent_host(const json& h) {
  const auto requests = h["requests"].get<std::uint64_t>();
  const auto reused = h["reused"].get<std::uint64_t>();
  EXPECT_NEAR(h["reuse_ratio"].get<double>(),
              static_cast<double>(reused) / static_cast<double>(requests), kRatioRounding);
  const json& acquire = h["acquire"];
  EXPECT_EQ(acquire["idle"].get<std::uint64_t>() + acquire["handoff"].get<std::uint64_t>() +
                acquire["dial"].get<std::uint64_t>(),
            requests)
      << acquire;
  // A request served by its own dial is one dial; a dial may also go to another waiter, to the
  // idle list, be cancelled or fail, so the dials are at least these.
  EXPECT_GE(h["dials"].get<std::uint64_t>(), acquire["dial"].get<std::uint64_t>() +
                                                 h["dials_cancelled"].get<std::uint64_t>() +
                                                 h["dial_errors"].get<std::uint64_t>());
  expect_wait_stats(h["wait_idle"], "wait_idle");
  expect_wait_stats(h["wait_permit"], "wait_permit");
  expect_wait_stats(h["queued_at_limit"], "queued_at_limit");
  // Waits by how they ended: every hand-over is a wait for a released connection, and every
  // wait for a permit ended in a dial.
  EXPECT_EQ(h["wait_idle"]["count"], acquire["handoff"]);
  EXPECT_LE(h["wait_permit"]["count"].get<std::uint64_t>(), acquire["dial"].get<std::uint64_t>());
  EXPECT_LE(h["queued_at_limit"]["count"].get<std::uint64_t>(),
            acquire["handoff"].get<std::uint64_t>() + acquire["dial"].get<std::uint64_t>());
}

class HloadNginxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!NginxServer::available()) GTEST_SKIP() << NginxServer::kNotInstalled;
  }
};

// The headline, on one thread and on several: the users of every thread share one pool, so
// the cap is still 2 connections in all.
class HloadNginxHeadlineTest : public HloadNginxTest,
                               public ::testing::WithParamInterface<const char*> {};

TEST_P(HloadNginxHeadlineTest, TwoHundredUsersShareTwoConnections) {
  NginxServer nginx;
  const StubStatus before = nginx.counters();
  const ProcessResult r = hload(headline_args(nginx.keepalive_port(), {"-threads", GetParam()}));
  const StubDelta d = delta(before, nginx.counters());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json report = parse_json(r.out);
  ASSERT_FALSE(report.is_discarded()) << r.describe();

  const json& s = report["summary"];
  EXPECT_EQ(s["requests"], kRequests);
  EXPECT_EQ(s["ok"], kRequests);
  EXPECT_EQ(s["errors"], 0);
  EXPECT_EQ(d.requests, static_cast<std::int64_t>(kRequests)) << "nginx served what hload sent";
  EXPECT_EQ(report["config"]["max_conns_per_host"], 2);
  EXPECT_EQ(report["config"]["concurrency"], 200);
  EXPECT_EQ(report["config"]["threads"], std::stoi(GetParam()));

  ASSERT_EQ(report["hosts"].size(), 1u) << report["hosts"];
  const json& h = report["hosts"][host_key(nginx.keepalive_port())];
  ASSERT_TRUE(h.is_object()) << report["hosts"];
  EXPECT_EQ(h["requests"], kRequests);
  EXPECT_EQ(h["dials"], 2);
  EXPECT_EQ(d.accepts, 2) << "nginx accepted what hload dialed";
  EXPECT_EQ(h["max_open_conns"], 2);
  EXPECT_EQ(h["reused"], kRequests - 2);
  EXPECT_NEAR(h["reuse_ratio"].get<double>(), 0.9999, kRatioRounding);
  expect_consistent_host(h);
  // Every request but the two that dialed first was held back by the limit, and all but the
  // two that got a connection of their own dial were handed a released one. With several
  // threads a first dialer may be handed a released connection before its dial lands; its
  // dial then serves the oldest request held back by the limit (late binding), which waited
  // for a dial permit: at most one such request per dial.
  EXPECT_LE(h["wait_permit"]["count"].get<int>(), 2);
  if (GetParam() == std::string("1")) {
    EXPECT_EQ(h["wait_permit"]["count"], 0) << "one thread: both dials land before a release";
  }
  EXPECT_EQ(h["wait_idle"]["count"], kRequests - 2);
  EXPECT_EQ(h["queued_at_limit"]["count"], kRequests - 2);
  // Here every dial served the request that started it.
  EXPECT_EQ(h["dials"].get<std::uint64_t>(), h["acquire"]["dial"].get<std::uint64_t>() +
                                                 h["dials_cancelled"].get<std::uint64_t>() +
                                                 h["dial_errors"].get<std::uint64_t>());
}

INSTANTIATE_TEST_SUITE_P(Threads, HloadNginxHeadlineTest, ::testing::Values("1", "4"),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                           return std::string("Threads") + p.param;
                         });

// nginx closes each connection after its 100th request (and says so): hload redials, never
// holds more than 2 connections, and every request still succeeds.
TEST_F(HloadNginxTest, ServerClosingEveryHundredRequestsIsRedialedWithinTheCap) {
  NginxServer nginx;
  const StubStatus before = nginx.counters();
  const ProcessResult r = hload(headline_args(nginx.limited_port()));
  const StubDelta d = delta(before, nginx.counters());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json report = parse_json(r.out);
  ASSERT_FALSE(report.is_discarded()) << r.describe();

  EXPECT_EQ(report["summary"]["requests"], kRequests);
  EXPECT_EQ(report["summary"]["ok"], kRequests);
  EXPECT_EQ(report["summary"]["errors"], 0);
  EXPECT_EQ(d.requests, static_cast<std::int64_t>(kRequests));

  const json& h = report["hosts"][host_key(nginx.limited_port())];
  ASSERT_TRUE(h.is_object()) << report["hosts"];
  EXPECT_EQ(h["dials"].get<std::int64_t>(), d.accepts) << "nginx accepted what hload dialed";
  EXPECT_GE(h["dials"].get<std::uint64_t>(), kRequests / 100);
  EXPECT_LE(h["max_open_conns"].get<int>(), 2);
  EXPECT_EQ(h["retries"], 0) << "nginx announces its closes: no request meets a stale connection";
  expect_consistent_host(h);
  // Each close passes its permit to a request held back by the limit, which dials: those are
  // the waits for a permit, all dials but the first two.
  const auto dials = h["acquire"]["dial"].get<std::uint64_t>();
  EXPECT_GT(h["wait_permit"]["count"].get<std::uint64_t>(), 0u);
  EXPECT_GE(h["wait_permit"]["count"].get<std::uint64_t>(), dials - 2);
  EXPECT_GE(h["queued_at_limit"]["count"].get<std::uint64_t>(),
            h["wait_permit"]["count"].get<std::uint64_t>());
  EXPECT_EQ(
      report["hosts"][host_key(nginx.limited_port())]["closes"]["server_close"]
              .get<std::int64_t>() +
          report["hosts"][host_key(nginx.limited_port())]["closes"]["run_end"].get<std::int64_t>(),
      d.accepts);
}

// -z ends the run with requests in flight: they are reported as unfinished, not as errors.
TEST_F(HloadNginxTest, DurationEndsWithRequestsInFlightUnfinishedNotFailed) {
  NginxServer nginx;
  const ProcessResult r =
      hload({"-c", "50", "-z", "3s", "-o", "json", url(nginx.keepalive_port())}, 10s);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json report = parse_json(r.out);
  ASSERT_FALSE(report.is_discarded()) << r.describe();
  const json& s = report["summary"];
  EXPECT_GT(s["requests"].get<std::uint64_t>(), 1000u);
  EXPECT_LE(s["unfinished"].get<std::uint64_t>(), 50u);
  EXPECT_EQ(s["errors"], 0);
  EXPECT_EQ(s["failed"], 0);
  const json& h = report["hosts"][host_key(nginx.keepalive_port())];
  EXPECT_EQ(h["closes"]["error"], 0) << "connections open at the end close as run_end";
  EXPECT_EQ(h["closes"]["run_end"], h["dials"]);
}

// -h2c speaks HTTP/2 with prior knowledge: two hundred users share the one connection the cap
// allows over nginx's h2c listener, and every request succeeds.
TEST_F(HloadNginxTest, H2cRunSharesOneConnection) {
  NginxServer nginx({.limited_server = false, .h2c_server = true});
  const StubStatus before = nginx.counters();
  const ProcessResult r = hload({"-h2c", "-c", "200", "-max-conns-per-host", "1", "-n", "20000",
                                 "-o", "json", url(nginx.h2c_port())});
  const StubDelta d = delta(before, nginx.counters());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json report = parse_json(r.out);
  ASSERT_FALSE(report.is_discarded()) << r.describe();
  EXPECT_EQ(report["summary"]["ok"], 20000) << report["errors_by_kind"];
  EXPECT_EQ(report["summary"]["errors"], 0);
  EXPECT_EQ(d.requests, 20000);
  const json& h = report["hosts"][host_key(nginx.h2c_port())];
  EXPECT_EQ(h["dials"], 1);
  EXPECT_EQ(d.accepts, 1);
}

// Against a server that speaks only HTTP/1.1, -h2c fails every dial as a protocol error.
TEST_F(HloadNginxTest, H2cAgainstHttp1OnlyServerIsAProtocolError) {
  NginxServer nginx({.limited_server = false});
  const ProcessResult r =
      hload({"-h2c", "-c", "1", "-n", "3", "-o", "json", url(nginx.keepalive_port())});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json report = parse_json(r.out);
  ASSERT_FALSE(report.is_discarded()) << r.describe();
  EXPECT_EQ(report["summary"]["errors"], 3);
  EXPECT_EQ(report["errors_by_kind"]["protocol"], 3) << report["errors_by_kind"];
}

}  // namespace
}  // namespace hload::test::e2e
