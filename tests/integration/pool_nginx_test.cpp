// The pool against a real nginx on 127.0.0.1: what the pool says it dialed equals what nginx
// says it accepted, and the per-host cap holds on nginx's side too.

#include <atomic>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "pool/tcp_dialer.hpp"
#include "pool/transport.hpp"
#include "tests/support/nginx_server.hpp"

namespace hload::test {
namespace {

namespace asio = boost::asio;

constexpr int kRequesters = 200;
constexpr int kRequests = 20'000;

struct Outcome {
  int ok = 0;
  int failed = 0;
  pool::HostSnapshot pool;
};

// drive sends kRequests GETs to port from kRequesters coroutines sharing one Transport capped at
// 2 connections, and returns what the pool saw.
Outcome drive(std::uint16_t port) {
  asio::io_context io(1);
  pool::TcpDialer dialer(pool::steady_clock());
  pool::SteadyClock clock;
  pool::TransportOptions o;
  o.max_conns_per_host = 2;
  o.max_idle_conns_per_host = kRequesters;
  pool::Transport t(o, dialer, clock);
  pool::HostPool* host =
      t.host_for(pool::ConnKey{"http", "127.0.0.1", port, "", pool::ConnKey::Http::v1});
  const std::string wire = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

  Outcome out;
  int issued = 0;
  auto requester = [&]() -> asio::awaitable<void> {
    pool::Request req;
    req.host = host;
    req.wire = wire;
    pool::Response resp;
    while (issued < kRequests) {
      ++issued;
      const pool::error_code ec = co_await t.round_trip(req, resp);
      (!ec && resp.status == 200 ? out.ok : out.failed)++;
    }
  };
  for (int i = 0; i < kRequesters; ++i) asio::co_spawn(io, requester(), asio::detached);
  io.run();
  t.check_invariants();
  out.pool = t.snapshot(host);
  t.close_idle_connections();
  return out;
}

class PoolNginxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!NginxServer::available()) GTEST_SKIP() << NginxServer::kNotInstalled;
  }
};

TEST_F(PoolNginxTest, TwoHundredRequestersCapTwoDialExactlyTwice) {
  NginxServer nginx;
  const StubStatus before = nginx.counters();
  const Outcome out = drive(nginx.keepalive_port());
  const StubDelta d = delta(before, nginx.counters());
  EXPECT_EQ(out.ok, kRequests);
  EXPECT_EQ(out.failed, 0);
  EXPECT_EQ(out.pool.counters.dials_started, 2u);
  EXPECT_EQ(out.pool.max_open, 2);
  EXPECT_EQ(d.accepts, 2) << "nginx accepted what the pool dialed";
  EXPECT_EQ(d.requests, kRequests);
}

// nginx closes every connection after its 100th request; every request still succeeds, every
// dial is an accept, and nginx never sees more than 2 connections at once.
TEST_F(PoolNginxTest, KeepaliveRequestsHundredRedialsWithinTheCap) {
  NginxOptions no;
  no.limited_keepalive_requests = 100;
  NginxServer nginx(no);
  const StubStatus before = nginx.counters();

  std::atomic<bool> running{true};
  std::int64_t max_active = 0;
  int samples = 0;
  std::thread sampler([&] {
    while (running.load()) {
      max_active = std::max(max_active, nginx.counters().active_others());
      ++samples;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  const Outcome out = drive(nginx.limited_port());
  running = false;
  sampler.join();
  const StubDelta d = delta(before, nginx.counters());

  EXPECT_EQ(out.ok, kRequests);
  EXPECT_EQ(out.failed, 0);
  EXPECT_LE(out.pool.max_open, 2);
  EXPECT_GE(out.pool.counters.dials_started, static_cast<std::uint64_t>(kRequests / 100));
  // Each sample was a connection and a request of its own.
  EXPECT_EQ(d.accepts - samples, static_cast<std::int64_t>(out.pool.counters.dials_started));
  EXPECT_EQ(d.requests - samples, kRequests);
  EXPECT_LE(max_active, 2) << "nginx saw more connections at once than the cap";
  EXPECT_GT(samples, 0);
}

}  // namespace
}  // namespace hload::test
