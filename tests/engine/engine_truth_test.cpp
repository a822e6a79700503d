// The engine tells the truth at the edges of a run: requests in flight at the end, requests
// the open model could not send, HTTP errors against transport errors, why connections
// closed, answers that come early, redirects, and work that cannot be cancelled.

#include <csignal>
#include <thread>

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "cmd/server/builtin_server.hpp"
#include "engine/engine.hpp"

namespace hload::test {
namespace {

using namespace std::chrono_literals;
using engine::RunConfig;
using engine::RunResult;
using pool::CloseReason;
using server::BuiltinServer;
using server::Fault;
using server::ServerOptions;

std::string url_of(const BuiltinServer& s, const std::string& path = "/") {
  return "http://127.0.0.1:" + std::to_string(s.port()) + path;
}

std::string host_of(const BuiltinServer& s) {
  return "http://127.0.0.1:" + std::to_string(s.port());
}

RunConfig config(const std::string& url, int users, std::uint64_t requests) {
  RunConfig cfg;
  cfg.url = url;
  cfg.concurrency = users;
  cfg.requests = requests;
  cfg.progress = false;
  return cfg;
}

std::uint64_t closes(const engine::HostResult& h, CloseReason why) {
  return h.closes[static_cast<int>(why)];
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

TEST(EngineTruth, RequestsInFlightAtTheDeadlineAreUnfinished) {
  ServerOptions o;
  o.fault = Fault::stall;
  BuiltinServer srv(o);
  RunConfig cfg = config(url_of(srv), 3, 0);
  cfg.requests.reset();
  cfg.duration = 500ms;
  cfg.timeout = pool::Duration::zero();
  const auto started = std::chrono::steady_clock::now();
  const RunResult r = engine::Engine(cfg).run();
  EXPECT_LT(seconds_since(started), 1.5);
  EXPECT_EQ(r.requests, 0u);
  EXPECT_EQ(r.errors, 0u);
  EXPECT_EQ(r.unfinished, 3u);
  EXPECT_GE(r.unfinished_oldest_ms, 490.0);
  EXPECT_LT(r.unfinished_oldest_ms, 1000.0);
  EXPECT_EQ(r.latency.count(), 0u) << "unfinished requests have no latency";
  const auto& h = r.hosts.at(host_of(srv));
  EXPECT_EQ(closes(h, CloseReason::run_end), 3u) << "open at the end, not broken";
  EXPECT_EQ(closes(h, CloseReason::error), 0u);
}

TEST(EngineTruth, StopEndsTheRunAtOnceAndRecordsTheSignal) {
  ServerOptions o;
  o.fault = Fault::stall;
  BuiltinServer srv(o);
  RunConfig cfg = config(url_of(srv), 4, 100);
  cfg.timeout = pool::Duration::zero();
  engine::Engine eng(cfg);
  std::thread stopper([&eng] {
    std::this_thread::sleep_for(300ms);
    eng.stop(SIGINT);
  });
  const auto started = std::chrono::steady_clock::now();
  const RunResult r = eng.run();
  stopper.join();
  EXPECT_LT(seconds_since(started), 1.5);
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.interrupt_signal, SIGINT);
  EXPECT_EQ(r.unfinished, 4u);
  EXPECT_FALSE(r.abandoned);
}

// Users waiting for a connection wait parked, with no coroutine of their own: the end of the
// run still finds every one of them and counts it unfinished, and a timeout still ends each.
TEST(EngineTruth, UsersWaitingForAConnectionAtTheEndAreUnfinished) {
  ServerOptions o;
  o.fault = Fault::stall;
  BuiltinServer srv(o);
  RunConfig cfg = config(url_of(srv), 50, 0);
  cfg.requests.reset();
  cfg.duration = 300ms;
  cfg.timeout = pool::Duration::zero();
  cfg.max_conns_per_host = 1;
  const auto started = std::chrono::steady_clock::now();
  const RunResult r = engine::Engine(cfg).run();
  EXPECT_LT(seconds_since(started), 1.5);
  EXPECT_EQ(r.requests, 0u);
  EXPECT_EQ(r.unfinished, 50u) << "one on the connection, 49 waiting for it";
  EXPECT_EQ(r.hosts.at(host_of(srv)).dials, 1u);
}

TEST(EngineTruth, UsersWaitingForAConnectionTimeOut) {
  ServerOptions o;
  o.fault = Fault::stall;
  BuiltinServer srv(o);
  RunConfig cfg = config(url_of(srv), 20, 20);
  cfg.timeout = 100ms;
  cfg.max_conns_per_host = 1;
  const auto started = std::chrono::steady_clock::now();
  const RunResult r = engine::Engine(cfg).run();
  EXPECT_LT(seconds_since(started), 1.5);
  EXPECT_EQ(r.requests, 20u);
  EXPECT_EQ(r.errors_by_kind.at("timeout"), 20u);
  EXPECT_EQ(r.unfinished, 0u);
  const auto& h = r.hosts.at(host_of(srv));
  EXPECT_EQ(h.requests, 20u);
  EXPECT_EQ(h.queued_at_limit.count(), 19u) << "all but the first waited for the connection";
}

// The open model counts what it could not send: each slot due before the end was either sent
// (finished or still in flight) or dropped, because every user was busy.
TEST(EngineTruth, RateTheUsersCannotCarryCountsDroppedRequests) {
  ServerOptions o;
  o.delay = 200ms;
  BuiltinServer srv(o);
  RunConfig cfg = config(url_of(srv), 4, 0);
  cfg.requests.reset();
  cfg.rate = 2000;
  cfg.duration = 1s;
  const RunResult r = engine::Engine(cfg).run();
  EXPECT_LE(r.requests + r.unfinished, 40u) << "4 users, 200 ms each, for 1 s";
  EXPECT_EQ(r.requests + r.unfinished + r.dropped, 2000u);
  EXPECT_GT(r.dropped, 1900u);
  EXPECT_LT(r.sent_rate(), 2000 * 0.99);
}

TEST(EngineTruth, AnErrorStatusIsAFailureButNotATransportError) {
  ServerOptions o;
  o.status = 500;
  BuiltinServer srv(o);
  const RunResult r = engine::Engine(config(url_of(srv), 2, 20)).run();
  EXPECT_EQ(r.requests, 20u);
  EXPECT_EQ(r.ok, 0u);
  EXPECT_EQ(r.failed(), 20u);
  EXPECT_EQ(r.http_errors(), 20u);
  EXPECT_EQ(r.errors, 0u);
  EXPECT_DOUBLE_EQ(r.error_rate(), 1.0);
}

TEST(EngineTruth, DisabledKeepAliveClosesAsClientClose) {
  BuiltinServer srv;
  RunConfig cfg = config(url_of(srv), 2, 20);
  cfg.disable_keepalive = true;
  const RunResult r = engine::Engine(cfg).run();
  const auto& h = r.hosts.at(host_of(srv));
  EXPECT_EQ(r.ok, 20u);
  EXPECT_EQ(h.dials, 20u);
  EXPECT_EQ(closes(h, CloseReason::client_close), 20u);
  EXPECT_EQ(closes(h, CloseReason::server_close), 0u);
  EXPECT_EQ(srv.counters().accepted, 20u);
}

TEST(EngineTruth, BytesAfterAResponseCloseAsProtocol) {
  ServerOptions o;
  o.fault = Fault::junk_after_response;  // from the first request on each connection
  BuiltinServer srv(o);
  const RunResult r = engine::Engine(config(url_of(srv), 1, 5)).run();
  const auto& h = r.hosts.at(host_of(srv));
  EXPECT_EQ(r.ok, 5u) << "each response itself was whole";
  EXPECT_EQ(closes(h, CloseReason::protocol), 5u);
  EXPECT_EQ(closes(h, CloseReason::server_close), 0u);
}

// A server that answers 413 before it has read a large body and closes: the write fails, but
// the answer was sent and is counted as what it is (Go does the same), not as a reset.
TEST(EngineTruth, AnAnswerBeforeTheBodyIsReadIsCountedAsItsStatus) {
  ServerOptions o;
  o.fault = Fault::reject_body;
  BuiltinServer srv(o);
  RunConfig cfg = config(url_of(srv), 2, 10);
  cfg.method = "POST";
  // More than the client's send buffer takes (at most 4 MB on Linux by default; the server's
  // receive window is small in this mode), so that the write is still under way when the
  // server closes, and less than the built-in server takes as a request (16 MB).
  cfg.body = std::string(15 << 20, 'b');
  const RunResult r = engine::Engine(cfg).run();
  EXPECT_EQ(r.requests, 10u);
  EXPECT_EQ(r.errors, 0u) << (r.error_examples.empty() ? "" : r.error_examples.begin()->second);
  EXPECT_EQ(r.status_codes.count(413) ? r.status_codes.at(413) : 0, 10u);
  EXPECT_EQ(r.http_errors(), 10u);
}

TEST(EngineTruth, BytesOfFailedRequestsAreCounted) {
  ServerOptions o;
  o.fault = Fault::close_mid_body;
  o.body_size = 1000;
  BuiltinServer srv(o);
  const RunResult r = engine::Engine(config(url_of(srv), 1, 4)).run();
  EXPECT_EQ(r.errors, 4u);
  EXPECT_GT(r.bytes_in, 4u * 500) << "half of each body arrived before the close";
}

TEST(EngineTruth, ErrorKindsKeepTheirFirstMessage) {
  std::uint16_t port;
  {
    BuiltinServer srv;
    port = srv.port();
  }
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  const RunResult r = engine::Engine(config(url, 1, 3)).run();
  ASSERT_EQ(r.error_examples.count("connect_refused"), 1u);
  const std::string& m = r.error_examples.at("connect_refused");
  EXPECT_EQ(m.rfind("GET " + url + ": dial http://127.0.0.1:" + std::to_string(port) + ": ", 0), 0u)
      << m;
  EXPECT_NE(m.find("refused"), std::string::npos) << m;
}

// Redirects are followed as hey follows them: each hop a request of its own through the pool,
// counted against the host it reached; the run's request is one, with its redirects.
TEST(EngineTruth, RedirectsAreFollowedToAnotherHost) {
  BuiltinServer target;
  ServerOptions o;
  o.redirect_path = "/";
  o.redirect_location = url_of(target, "/final");
  BuiltinServer front(o);
  const RunResult r = engine::Engine(config(url_of(front), 2, 20)).run();
  EXPECT_EQ(r.requests, 20u);
  EXPECT_EQ(r.ok, 20u);
  EXPECT_EQ(r.redirects, 20u);
  EXPECT_EQ(r.status_codes.at(200), 20u);
  ASSERT_EQ(r.hosts.size(), 2u);
  EXPECT_EQ(r.hosts.at(host_of(front)).requests, 20u);
  EXPECT_EQ(r.hosts.at(host_of(target)).requests, 20u);
  // Two users need two connections to the target when their redirects overlap, one when they
  // never do; either way the server saw each.
  const std::uint64_t target_dials = r.hosts.at(host_of(target)).dials;
  EXPECT_GE(target_dials, 1u);
  EXPECT_LE(target_dials, 2u);
  EXPECT_EQ(target_dials, target.counters().accepted);
  EXPECT_EQ(front.counters().requests, 20u);
  EXPECT_EQ(target.counters().requests, 20u);

  RunConfig no_follow = config(url_of(front), 2, 20);
  no_follow.disable_redirects = true;
  const RunResult n = engine::Engine(no_follow).run();
  EXPECT_EQ(n.status_codes.at(302), 20u);
  EXPECT_EQ(n.redirects, 0u);
  EXPECT_EQ(n.ok, 20u) << "a 3xx is below 400";
}

TEST(EngineTruth, ARedirectLoopFailsAfterTenRedirects) {
  ServerOptions o;
  o.redirect_path = "/";
  o.redirect_location = "/";
  BuiltinServer srv(o);
  const RunResult r = engine::Engine(config(url_of(srv), 1, 2)).run();
  EXPECT_EQ(r.requests, 2u);
  EXPECT_EQ(r.errors_by_kind.at("redirect"), 2u);
  EXPECT_EQ(r.redirects, 20u);
  EXPECT_EQ(srv.counters().requests, 22u) << "the request and its ten redirects, twice";
}

// HangingDialer dials forever and does not listen to cancellation: work the end of a run can
// only abandon (as a name lookup in the system resolver).
class HangingDialer final : public pool::Dialer {
 public:
  boost::asio::awaitable<pool::DialResult> dial(const pool::ConnKey&,
                                                boost::asio::cancellation_slot) override {
    boost::asio::steady_timer forever(co_await boost::asio::this_coro::executor, 1h);
    co_await forever.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    co_return pool::DialResult{boost::asio::error::timed_out, nullptr};
  }
};

TEST(EngineTruth, WorkThatCannotBeCancelledIsAbandonedAfterTheGrace) {
  // The dialer's frames are left behind with the run on purpose, so it must outlive the test.
  static HangingDialer dialer;
  RunConfig cfg = config("http://127.0.0.1:9/", 2, 4);
  cfg.timeout = 100ms;
  const auto started = std::chrono::steady_clock::now();
  const RunResult r = engine::Engine(cfg, dialer, pool::steady_clock()).run();
  EXPECT_LT(seconds_since(started), 0.2 * 2 + 1.0);
  EXPECT_TRUE(r.abandoned);
  EXPECT_EQ(r.errors_by_kind.at("timeout"), 4u);
}

}  // namespace
}  // namespace hload::test
