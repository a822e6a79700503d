// The engine against hload's built-in server: the numbers it reports equal what the server
// saw, latencies match an injected delay, and faults are counted by kind while the run goes on.

#include "engine/engine.hpp"

#include <gtest/gtest.h>

#include "cmd/server/builtin_server.hpp"
#include "engine/target.hpp"

namespace hload::test {
namespace {

using engine::RunConfig;
using engine::RunResult;
using server::BuiltinServer;
using server::Fault;
using server::ServerOptions;

std::string url_of(const BuiltinServer& s) {
  return "http://127.0.0.1:" + std::to_string(s.port()) + "/";
}

RunResult run(RunConfig cfg) {
  cfg.progress = false;
  return engine::Engine(std::move(cfg)).run();
}

const engine::HostResult& only_host(const RunResult& r) {
  EXPECT_EQ(r.hosts.size(), 1u);
  return r.hosts.begin()->second;
}

TEST(Engine, HeadlineTwoConnectionsForTwoHundredUsers) {
  BuiltinServer srv;
  RunConfig cfg;
  cfg.url = url_of(srv);
  cfg.concurrency = 200;
  cfg.max_conns_per_host = 2;
  cfg.requests = 20000;
  const RunResult r = run(cfg);
  const auto& h = only_host(r);
  EXPECT_EQ(r.requests, 20000u);
  EXPECT_EQ(r.ok, 20000u);
  EXPECT_EQ(r.errors, 0u);
  EXPECT_EQ(h.dials, 2u);
  EXPECT_EQ(h.max_open_conns, 2);
  EXPECT_EQ(h.acquire[0] + h.acquire[1] + h.acquire[2], 20000u);
  EXPECT_EQ(h.acquire[2], 2u);
  EXPECT_EQ(h.reused, 19998u);
  // Every request but the two that dialed was held back by the limit and then handed a
  // released connection: waits for a released connection, none for a dial permit.
  EXPECT_EQ(h.queued_at_limit.count(), 19998u);
  EXPECT_EQ(h.wait_idle.count(), 19998u);
  EXPECT_EQ(h.wait_permit.count(), 0u);
  const auto c = srv.counters();
  EXPECT_EQ(c.accepted, 2u);
  EXPECT_EQ(c.requests, 20000u);
  EXPECT_EQ(h.closes[static_cast<int>(pool::CloseReason::run_end)], 2u);
}

TEST(Engine, LatencyMatchesInjectedDelay) {
  ServerOptions o;
  o.delay = std::chrono::milliseconds(20);
  BuiltinServer srv(o);
  RunConfig cfg;
  cfg.url = url_of(srv);
  cfg.concurrency = 10;
  cfg.requests = 200;
  const RunResult r = run(cfg);
  EXPECT_EQ(r.ok, 200u);
  const double p50 = r.latency.percentile_ms(0.5);
  EXPECT_GE(p50, 20.0);
  EXPECT_LE(p50, 30.0);
}

TEST(Engine, ServerClosingEveryHundredthCountsEveryDial) {
  ServerOptions o;
  o.close_every = 100;
  BuiltinServer srv(o);
  RunConfig cfg;
  cfg.url = url_of(srv);
  cfg.concurrency = 50;
  cfg.max_conns_per_host = 2;
  cfg.requests = 5000;
  const RunResult r = run(cfg);
  const auto& h = only_host(r);
  EXPECT_EQ(r.ok, 5000u);
  EXPECT_EQ(h.dials, srv.counters().accepted);
  EXPECT_EQ(srv.counters().requests, 5000u + h.retries);
  // The server's own count of open connections lags the client's closes, so the cap is checked
  // where it is enforced.
  EXPECT_LE(h.max_open_conns, 2);
  EXPECT_EQ(h.closes[static_cast<int>(pool::CloseReason::server_close)] +
                h.closes[static_cast<int>(pool::CloseReason::run_end)],
            h.dials);
  EXPECT_GE(h.closes[static_cast<int>(pool::CloseReason::server_close)], 48u);
}

TEST(Engine, RefusedPortIsCountedAndRunCompletes) {
  std::uint16_t port;
  {
    BuiltinServer srv;
    port = srv.port();
  }
  RunConfig cfg;
  cfg.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  cfg.concurrency = 5;
  cfg.requests = 50;
  const RunResult r = run(cfg);
  EXPECT_EQ(r.requests, 50u);
  EXPECT_EQ(r.errors, 50u);
  EXPECT_EQ(r.errors_by_kind.at("connect_refused"), 50u);
  EXPECT_EQ(only_host(r).dial_errors, 50u);
}

TEST(Engine, StallingServerTimesOut) {
  ServerOptions o;
  o.fault = Fault::stall;
  BuiltinServer srv(o);
  RunConfig cfg;
  cfg.url = url_of(srv);
  cfg.concurrency = 4;
  cfg.requests = 8;
  cfg.timeout = std::chrono::milliseconds(200);
  const RunResult r = run(cfg);
  EXPECT_EQ(r.requests, 8u);
  EXPECT_EQ(r.errors_by_kind.at("timeout"), 8u);
}

TEST(Engine, BrokenResponsesAreCountedByKind) {
  struct Case {
    Fault fault;
    const char* kind;
  };
  for (const Case c :
       {Case{Fault::close_mid_body, "conn_closed"}, Case{Fault::malformed, "protocol"},
        Case{Fault::reset, "conn_reset"}, Case{Fault::close_before_response, "conn_closed"}}) {
    ServerOptions o;
    o.fault = c.fault;
    o.body_size = 1000;
    BuiltinServer srv(o);
    RunConfig cfg;
    cfg.url = url_of(srv);
    cfg.concurrency = 2;
    cfg.requests = 20;
    const RunResult r = run(cfg);
    EXPECT_EQ(r.requests, 20u) << c.kind;
    EXPECT_EQ(r.errors, 20u) << c.kind;
    EXPECT_EQ(r.errors_by_kind.count(c.kind), 1u) << c.kind;
  }
}

// -z ends the run on time even when the server never answers: requests in flight at the end
// are abandoned and not counted.
TEST(Engine, DurationEndsTheRunOnTimeAgainstAStallingServer) {
  ServerOptions o;
  o.fault = Fault::stall;
  BuiltinServer srv(o);
  RunConfig cfg;
  cfg.url = url_of(srv);
  cfg.concurrency = 3;
  cfg.duration = std::chrono::milliseconds(500);
  cfg.timeout = pool::Duration::zero();  // no per-request timeout to end them
  const RunResult r = run(cfg);
  EXPECT_EQ(r.requests, 0u);
  EXPECT_FALSE(r.interrupted);
  EXPECT_GE(r.elapsed_s, 0.5);
  EXPECT_LT(r.elapsed_s, 5.0);
}

TEST(Engine, UnresolvableHostIsCountedAsDns) {
  RunConfig cfg;
  cfg.url = "http://no-such-host.invalid/";
  cfg.concurrency = 1;
  cfg.requests = 2;
  const RunResult r = run(cfg);
  EXPECT_EQ(r.errors, 2u);
  EXPECT_EQ(r.errors_by_kind.at("dns"), 2u);
}

TEST(Engine, RateModeHoldsTheRequestedRate) {
  BuiltinServer srv;
  RunConfig cfg;
  cfg.url = url_of(srv);
  cfg.concurrency = 20;
  cfg.rate = 500;
  cfg.duration = std::chrono::seconds(2);
  const RunResult r = run(cfg);
  // Every 2 ms slot of the schedule is sent, or counted dropped when the worker reached it
  // only after the end (a slow machine, a sanitizer): never lost. What was sent finished, or was
  // still in flight at the end (a sanitizer's slower round trip) and is counted unfinished.
  EXPECT_EQ(r.requests + r.unfinished + r.dropped, 1000u);
  EXPECT_LE(r.dropped, 10u);
  EXPECT_LE(r.unfinished, 20u) << "at most the users' worth were cut off by the end";
  EXPECT_NEAR(r.sent_rate(), 500.0, 10.0) << "sent rate within 2%";
  EXPECT_EQ(r.service_time.count(), r.requests);
}

TEST(Engine, TwoThreadsShareOnePool) {
  BuiltinServer srv;
  RunConfig cfg;
  cfg.url = url_of(srv);
  cfg.concurrency = 100;
  cfg.threads = 2;
  cfg.max_conns_per_host = 2;
  cfg.requests = 10000;
  const RunResult r = run(cfg);
  EXPECT_EQ(r.ok, 10000u);
  EXPECT_EQ(only_host(r).dials, 2u);
  EXPECT_EQ(srv.counters().accepted, 2u);
  EXPECT_EQ(srv.counters().requests, 10000u);
}

// Through an HTTP proxy the connection goes to the proxy, and the request names the target in
// absolute form; the built-in server stands in for the proxy and answers.
TEST(Engine, ProxyIsDialedInsteadOfTheTarget) {
  BuiltinServer proxy;
  RunConfig cfg;
  cfg.url = "http://target.invalid/path";
  cfg.proxy = "127.0.0.1:" + std::to_string(proxy.port());
  cfg.concurrency = 2;
  cfg.requests = 20;
  const RunResult r = run(cfg);
  EXPECT_EQ(r.ok, 20u);
  EXPECT_EQ(proxy.counters().requests, 20u);
}

TEST(Engine, HttpsThroughAProxyIsRefusedBeforeAnyRequest) {
  RunConfig proxied;
  proxied.url = "https://127.0.0.1:1/";
  proxied.proxy = "127.0.0.1:1";
  EXPECT_THROW(engine::Engine(proxied).run(), engine::TargetError);
}

}  // namespace
}  // namespace hload::test
