// The engine's timeline against hload's built-in server: its totals are the run's exactly
// (requests, ok, failed, dials, closes), warm-up and last partial interval included, with
// several threads whose parts meet at every interval's end.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

#include "cmd/server/builtin_server.hpp"
#include "engine/engine.hpp"

namespace hload::test {
namespace {

using namespace std::chrono_literals;
using engine::RunConfig;
using engine::RunResult;

// Totals are what a timeline adds up to.
struct Totals {
  std::uint64_t requests = 0;
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::uint64_t errors = 0;
  std::uint64_t dials = 0;
  std::uint64_t closes = 0;
  std::uint64_t latencies = 0;
};

Totals totals(const engine::Timeline& t) {
  Totals s;
  for (const auto& in : t.intervals()) {
    s.requests += in.requests;
    s.ok += in.ok;
    s.failed += in.failed();
    for (auto n : in.errors) s.errors += n;
    s.latencies += in.latency.count();
    for (const auto& h : in.hosts) {
      s.dials += h.dials;
      for (auto n : h.closes) s.closes += n;
    }
  }
  return s;
}

std::uint64_t report_closes(const engine::HostResult& h) {
  std::uint64_t n = 0;
  for (auto c : h.closes) n += c;
  return n;
}

RunResult run(RunConfig cfg) {
  cfg.progress = false;
  return engine::Engine(std::move(cfg)).run();
}

std::string url_of(const server::BuiltinServer& s) {
  return "http://127.0.0.1:" + std::to_string(s.port()) + "/";
}

TEST(EngineTimeline, TotalsAreTheReportsOverThreadsWarmupAndTheLastPartialInterval) {
  server::ServerOptions o;
  o.delay = 2ms;
  o.close_every = 40;  // dials and server closes all through the run
  o.threads = 2;
  server::BuiltinServer srv(o);
  RunConfig cfg;
  cfg.url = url_of(srv);
  cfg.concurrency = 16;
  cfg.threads = 2;
  cfg.duration = 2300ms;
  cfg.warmup = 500ms;
  cfg.timeline_interval = 200ms;
  const RunResult r = run(cfg);
  ASSERT_GT(r.requests, 1000u);
  ASSERT_GT(r.warmup_requests, 0u);
  ASSERT_EQ(r.hosts.size(), 1u);
  const engine::HostResult& h = r.hosts.begin()->second;
  ASSERT_GT(h.dials, 16u);

  const engine::Timeline& t = r.timeline;
  const Totals s = totals(t);
  EXPECT_EQ(s.requests, r.requests);
  EXPECT_EQ(s.ok, r.ok);
  EXPECT_EQ(s.failed, r.failed());
  EXPECT_EQ(s.errors, r.errors);
  EXPECT_EQ(s.latencies, r.latency.count());
  EXPECT_EQ(s.dials, h.dials);
  EXPECT_EQ(s.closes, report_closes(h));
  // 2.3 s in 200 ms intervals: 11 whole and a partial one, the warm-up's empty of requests.
  EXPECT_EQ(t.width(), 200ms);
  ASSERT_EQ(t.intervals().size(), 12u);
  EXPECT_EQ(t.intervals()[0].requests, 0u);
  EXPECT_EQ(t.intervals()[1].requests, 0u);
  EXPECT_GT(t.intervals()[0].hosts.at(0).dials, 0u);  // dials of the warm-up count
  EXPECT_GT(t.intervals()[5].requests, 0u);
  // Open at the interval's end: some may be redialing after a server close at that instant.
  EXPECT_GT(t.intervals()[5].hosts.at(0).open, 8);
  EXPECT_LE(t.intervals()[5].hosts.at(0).open, 16);
  EXPECT_EQ(t.intervals().back().hosts.at(0).open, 0);  // closed as the run ended
  EXPECT_NEAR(std::chrono::duration<double>(t.elapsed).count(), r.elapsed_s, 1e-6);
}

TEST(EngineTimeline, ACountBoundRunWithFailuresAddsUpToo) {
  server::ServerOptions o;
  o.status = 503;
  server::BuiltinServer srv(o);
  RunConfig cfg;
  cfg.url = url_of(srv);
  cfg.concurrency = 8;
  cfg.threads = 2;
  cfg.requests = 4000;
  cfg.max_conns_per_host = 2;  // requests queue: waits in every interval
  cfg.timeline_interval = 100ms;
  const RunResult r = run(cfg);
  ASSERT_EQ(r.requests, 4000u);
  const Totals s = totals(r.timeline);
  EXPECT_EQ(s.requests, 4000u);
  EXPECT_EQ(s.failed, 4000u);
  EXPECT_EQ(s.ok, 0u);
  std::uint64_t http_errors = 0;
  std::uint64_t waited = 0;
  for (const auto& in : r.timeline.intervals()) {
    http_errors += in.http_errors;
    for (const auto& hi : in.hosts) waited += hi.wait_idle.count();
  }
  EXPECT_EQ(http_errors, 4000u);
  EXPECT_EQ(waited, r.hosts.begin()->second.wait_idle.count());
  EXPECT_EQ(s.dials, 2u);
}

}  // namespace
}  // namespace hload::test
