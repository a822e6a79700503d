// Randomized stress of the pool with multiplexed connections: hundreds of requesters on two
// threads share one Transport whose connections carry many streams and misbehave at random as
// HTTP/2 servers do: streams refused or reset, SETTINGS that change the stream limit, GOAWAY,
// connections that die. Requests are cancelled at random; the race windows get random delays.
// Every round ends quiescent and the pool must be clean. Built and run under TSan and ASan.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "pool/errors.hpp"
#include "pool/transport.hpp"

namespace hload::test {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr int kThreads = 2;
constexpr int kRequestersPerThread = 100;

int rounds() {
  if (const char* v = std::getenv("HLOAD_STRESS_ROUNDS")) return std::max(1, std::atoi(v) / 2);
  return 500;
}

std::uint32_t base_seed() {
  if (const char* v = std::getenv("HLOAD_STRESS_SEED")) return std::strtoul(v, nullptr, 10);
  return std::random_device{}();
}

thread_local std::mt19937 rng;

int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

asio::awaitable<void> race_delay(pool::RaceWindow) {
  switch (uniform(0, 9)) {
    case 0:
      co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
      break;
    case 1: {
      asio::steady_timer t(co_await asio::this_coro::executor,
                           std::chrono::microseconds(uniform(0, 200)));
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      break;
    }
    case 2:
      std::this_thread::sleep_for(std::chrono::microseconds(uniform(0, 50)));
      break;
    default:
      break;
  }
}

// ChaosState is a connection's state. It lives on the connection's executor (its io_context),
// as a real HTTP/2 connection's does; the numbers the pool reads from any thread are atomics.
struct ChaosState {
  explicit ChaosState(asio::any_io_executor e) : executor(std::move(e)) {}
  asio::any_io_executor executor;
  std::atomic<int> streams{1};
  std::atomic<bool> taking{true};  // no GOAWAY, not dead
  bool dead = false;               // executor only
  std::atomic<pool::CloseReason> reason{pool::CloseReason::server_close};
  std::shared_ptr<pool::ConnEvents> events;  // executor only
  std::atomic<int> active{0};
  std::atomic<int> max_active{0};

  // notify tells the pool, on the connection's executor.
  void notify(const std::shared_ptr<ChaosState>& self) {
    asio::post(executor, [self] {
      if (self->events) self->events->on_conn_changed();
    });
  }
};

// ChaosConn answers each stream after a short random time, on its own executor, with what a
// misbehaving HTTP/2 server might do.
class ChaosConn final : public pool::Conn {
 public:
  explicit ChaosConn(asio::any_io_executor ex) : s_(std::make_shared<ChaosState>(std::move(ex))) {
    s_->streams = uniform(1, 16);
  }

  // round_trip runs the stream on the connection's executor and returns to the caller's: a
  // coroutine spawned there, awaited here (co_await dispatch would resume on the caller's).
  // A cancel is emitted on the caller's executor, where its slot is assigned too: it reaches
  // the stream's timer by a post to the connection's executor.
  asio::awaitable<pool::ConnResult> round_trip(const pool::Request& req,
                                               pool::Response& resp) override {
    auto timer = std::make_shared<asio::steady_timer>(s_->executor);
    if (asio::cancellation_slot slot = req.cancel; slot.is_connected()) {
      slot.assign([timer, ex = s_->executor](asio::cancellation_type) {
        asio::post(ex, [timer] { timer->cancel(); });
      });
    }
    co_return co_await asio::co_spawn(s_->executor, stream(s_, timer, resp), asio::use_awaitable);
  }

  static asio::awaitable<pool::ConnResult> stream(std::shared_ptr<ChaosState> s,
                                                  std::shared_ptr<asio::steady_timer> timer,
                                                  pool::Response& resp) {
    const int active = ++s->active;
    int seen = s->max_active.load();
    while (active > seen && !s->max_active.compare_exchange_weak(seen, active)) {
    }
    pool::ConnResult r;
    r.wrote_any = true;
    if (s->dead) {
      r.ec = asio::error::eof;
    } else {
      timer->expires_after(std::chrono::microseconds(uniform(0, 300)));
      auto [ec] = co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
      const int roll = uniform(0, 999);
      if (ec) {
        r.ec = asio::error::operation_aborted;
      } else if (s->dead) {
        r.ec = asio::error::eof;
      } else if (roll < 40) {
        r.ec = pool::Errc::refused_stream;
      } else if (roll < 80) {
        r.ec = pool::Errc::stream_reset;
        r.got_any = true;
      } else {
        r.got_any = true;
        resp.status = 200;
        resp.keep_alive = true;
      }
      if (roll >= 980) {
        s->taking = false;  // GOAWAY
        s->notify(s);
      } else if (roll >= 960) {
        s->streams = uniform(1, 16);  // SETTINGS
        s->notify(s);
      } else if (roll >= 955) {
        s->dead = true;  // the connection breaks
        s->taking = false;
        s->reason = pool::CloseReason::error;
        s->notify(s);
      }
    }
    --s->active;
    co_return r;
  }

  int max_concurrent_streams() const noexcept override { return s_->streams; }
  bool reusable() const noexcept override { return s_->taking; }
  pool::CloseReason close_reason() const noexcept override { return s_->reason; }
  bool peer_closed() noexcept override { return !s_->taking; }
  std::string_view protocol() const noexcept override { return "h2"; }
  void set_events(std::shared_ptr<pool::ConnEvents> events) override {
    asio::post(s_->executor, [s = s_, e = std::move(events)] { s->events = e; });
  }

  // NOLINTNEXTLINE(bugprone-exception-escape): a post throws only when memory runs out.
  ~ChaosConn() override {
    // The state's last users are handlers on its executor; they hold it themselves.
    asio::post(s_->executor, [s = s_] { s->events.reset(); });
  }

 private:
  std::shared_ptr<ChaosState> s_;
};

// ChaosDialer dials after a short random time and fails now and then.
class ChaosDialer final : public pool::Dialer {
 public:
  asio::awaitable<pool::DialResult> dial(const pool::ConnKey&,
                                         asio::cancellation_slot cancel) override {
    const auto ex = co_await asio::this_coro::executor;
    asio::steady_timer t(ex, std::chrono::microseconds(uniform(0, 500)));
    auto [ec] = co_await t.async_wait(
        asio::bind_cancellation_slot(cancel, asio::as_tuple(asio::use_awaitable)));
    if (ec) co_return pool::DialResult{asio::error::operation_aborted, nullptr};
    if (uniform(0, 99) < 3) co_return pool::DialResult{asio::error::connection_refused, nullptr};
    co_return pool::DialResult{{}, std::make_unique<ChaosConn>(ex)};
  }
};

struct Tally {
  std::atomic<std::uint64_t> ok{0};
  std::atomic<std::uint64_t> failed{0};
};

asio::awaitable<void> request(pool::Transport& t, pool::HostPool* host, Tally& tally,
                              std::function<void()> done) {
  asio::cancellation_signal cancel;
  pool::Request req;
  req.host = host;
  req.cancel = cancel.slot();
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer deadline(ex);
  bool timer_armed = false;
  const int roll = uniform(0, 99);
  if (roll < 5) {
    asio::post(ex, [&cancel] { cancel.emit(asio::cancellation_type::terminal); });
  } else if (roll < 25) {
    timer_armed = true;
    deadline.expires_after(std::chrono::microseconds(uniform(50, 2000)));
    deadline.async_wait([&cancel](const pool::error_code& ec) {
      if (!ec) cancel.emit(asio::cancellation_type::terminal);
    });
  }
  pool::Response resp;
  const pool::error_code ec = co_await t.round_trip(req, resp);
  if (timer_armed) deadline.cancel();
  // Let a cancel posted or timed above run before `cancel` goes out of scope.
  co_await asio::post(ex, asio::use_awaitable);
  co_await asio::post(ex, asio::use_awaitable);
  (ec ? tally.failed : tally.ok).fetch_add(1);
  done();
}

class StreamsStressTest : public ::testing::TestWithParam<int> {};

TEST_P(StreamsStressTest, PoolStaysCleanWithMisbehavingMultiplexedConnections) {
  const int cap = GetParam();
  const std::uint32_t seed = base_seed();
  std::printf("stress streams: cap %d, seed %u (set HLOAD_STRESS_SEED to replay)\n", cap, seed);
  ChaosDialer dialer;
  pool::SteadyClock clock;
  // The io_contexts outlive the transport: connections it still holds when a failed
  // assertion ends the test early hold their executors and timers.
  std::vector<std::unique_ptr<asio::io_context>> ios;
  for (int i = 0; i < kThreads; ++i) ios.push_back(std::make_unique<asio::io_context>(1));
  pool::TransportOptions o;
  o.max_conns_per_host = cap;
  o.max_idle_conns_per_host = 8;
  o.race_hook = race_delay;
  pool::Transport t(o, dialer, clock);
  pool::HostPool* host = t.host_for(
      pool::ConnKey{"http", "chaos.test", 80, "", pool::ConnKey::Http::v2_prior_knowledge});

  Tally tally;
  const int n_rounds = rounds();
  for (int round = 0; round < n_rounds; ++round) {
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
    for (auto& io : ios) guards.push_back(asio::make_work_guard(*io));
    std::atomic<int> remaining{kThreads * kRequestersPerThread};
    auto done = [&] {
      if (remaining.fetch_sub(1) != 1) return;
      for (int i = 0; i < kThreads; ++i) asio::post(*ios[i], [&guards, i] { guards[i].reset(); });
    };
    for (int i = 0; i < kThreads; ++i) {
      ios[i]->restart();
      for (int r = 0; r < kRequestersPerThread; ++r) {
        asio::co_spawn(*ios[i], request(t, host, tally, done), [](const std::exception_ptr& e) {
          if (e) std::rethrow_exception(e);
        });
      }
    }
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        rng.seed(seed + static_cast<std::uint32_t>(round * kThreads + i));
        ios[i]->run();
      });
    }
    for (auto& th : threads) th.join();

    t.check_invariants();
    const pool::HostSnapshot s = t.snapshot(host);
    ASSERT_EQ(s.idle_waiters, 0) << "round " << round;
    ASSERT_EQ(s.permit_waiters, 0) << "round " << round;
    ASSERT_EQ(s.dials_in_flight, 0) << "round " << round;
    ASSERT_EQ(s.dials_cancelling, 0) << "round " << round;
    ASSERT_EQ(s.closing, 0) << "round " << round;
    ASSERT_EQ(s.streams, 0) << "round " << round;
    ASSERT_EQ(s.busy, 0) << "round " << round;
    ASSERT_EQ(s.open, s.idle + s.dials_unowned) << "round " << round;
    ASSERT_LE(s.max_open, cap) << "round " << round;
  }
  t.shut_down();
  for (auto& io : ios) {
    io->restart();
    io->run();
  }
  t.check_invariants();
  EXPECT_EQ(t.snapshot(host).open, 0);
  const auto s = t.snapshot(host);
  EXPECT_EQ(tally.ok + tally.failed,
            static_cast<std::uint64_t>(n_rounds) * kThreads * kRequestersPerThread);
  EXPECT_GT(tally.ok.load(), 0u);
  EXPECT_GT(s.counters.refused_retries, 0u) << "refused streams were exercised";
  EXPECT_GT(s.counters.goaways, 0u) << "GOAWAY was exercised";
  EXPECT_GT(s.counters.max_streams_per_conn, 1) << "connections were shared";
  std::printf(
      "stress streams: cap %d: %llu ok, %llu failed, %llu dials, %llu goaways, %llu refused "
      "retried, %d streams on one connection at most\n",
      cap, static_cast<unsigned long long>(tally.ok.load()),
      static_cast<unsigned long long>(tally.failed.load()),
      static_cast<unsigned long long>(s.counters.dials_started),
      static_cast<unsigned long long>(s.counters.goaways),
      static_cast<unsigned long long>(s.counters.refused_retries), s.counters.max_streams_per_conn);
}

INSTANTIATE_TEST_SUITE_P(Caps, StreamsStressTest, ::testing::Values(1, 2, 8));

}  // namespace
}  // namespace hload::test
