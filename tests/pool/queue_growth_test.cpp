// Queues do not grow with departed waiters (Go #33849): 200 requesters share a host capped at 2
// connections for 1,000,000 acquisitions, some giving up while they wait, and at every check
// the pool's queues hold no more entries than there are requesters waiting.

#include <random>

#include <gtest/gtest.h>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "pool/transport.hpp"
#include "tests/support/fake_dialer.hpp"
#include "tests/support/manual_clock.hpp"

namespace hload::test {
namespace {

constexpr int kRequesters = 200;
constexpr int kAcquisitions = 1'000'000;

TEST(QueueGrowth, QueuesHoldOnlyLiveWaitersOverAMillionAcquisitions) {
  asio::io_context io(1);
  FakeDialer dialer;
  dialer.auto_complete = true;
  ManualClock clock;
  pool::TransportOptions o;
  o.max_conns_per_host = 2;
  o.max_idle_conns_per_host = kRequesters;
  pool::Transport t(o, dialer, clock);
  pool::HostPool* host =
      t.host_for(pool::ConnKey{"http", "q.test", 80, "", pool::ConnKey::Http::v1});

  int acquired = 0;
  int cancelled = 0;
  int waiting = 0;  // requesters inside get_conn
  int worst_excess = 0;
  std::vector<asio::cancellation_signal> signals(kRequesters);
  std::mt19937 rng(7);

  auto check = [&] {
    const auto s = t.snapshot(host);
    worst_excess = std::max(worst_excess, s.idle_waiters - waiting);
    worst_excess = std::max(worst_excess, s.permit_waiters - waiting);
  };

  auto requester = [&](int id) -> asio::awaitable<void> {
    while (acquired + cancelled < kAcquisitions) {
      ++waiting;
      pool::Acquired a = co_await t.get_conn(host, nullptr, signals[id].slot());
      --waiting;
      if (a.ec) {
        ++cancelled;
        continue;
      }
      ++acquired;
      if (acquired % 997 == 0) check();
      // Hold the connection for a moment so that the others queue behind it.
      co_await asio::post(io, asio::use_awaitable);
      t.release(a.conn, true, true, pool::CloseReason::server_close);
    }
  };
  // A requester now and then gives up while it waits, as a request timeout would.
  auto canceller = [&]() -> asio::awaitable<void> {
    while (acquired + cancelled < kAcquisitions) {
      signals[rng() % kRequesters].emit(asio::cancellation_type::terminal);
      for (int i = 0; i < 50; ++i) co_await asio::post(io, asio::use_awaitable);
    }
  };
  for (int i = 0; i < kRequesters; ++i) asio::co_spawn(io, requester(i), asio::detached);
  asio::co_spawn(io, canceller(), asio::detached);
  io.run();

  EXPECT_GE(acquired + cancelled, kAcquisitions);
  EXPECT_GT(cancelled, 100) << "the run should have exercised leaving waiters";
  EXPECT_EQ(worst_excess, 0) << "queues held entries of waiters that had left";
  EXPECT_EQ(dialer.started(), 2);
  const auto s = t.snapshot(host);
  EXPECT_EQ(s.idle_waiters + s.permit_waiters, 0);
  EXPECT_EQ(s.open, 2);
  t.check_invariants();
}

}  // namespace
}  // namespace hload::test
