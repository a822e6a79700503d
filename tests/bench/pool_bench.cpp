// The acquire/release path of the pool, measured with Google Benchmark: uncontended (a
// connection is idle each time), hand-over under a per-host cap (waiters queue and are served
// by released connections), and the same with the transport shared by two threads. Each also
// reports what the transport's mutex costs (lock_probe.hpp): acquisitions per request, the
// mean hold, the share of acquisitions that found it taken, and the share of the run it was
// held (docs/performance.md#threads-and-the-pool-lock).

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "pool/transport.hpp"
#include "tests/bench/lock_probe.hpp"
#include "tests/support/fake_dialer.hpp"

namespace hload::test {
namespace {

pool::ConnKey bench_key() {
  return pool::ConnKey{"http", "bench.test", 80, "", pool::ConnKey::Http::v1};
}

// probe_transport_lock points the lock probe at t's mutex: retries() takes it and nothing else.
void probe_transport_lock(const pool::Transport& t) {
  bench::capture_next_lock();
  benchmark::DoNotOptimize(t.retries());
  bench::reset();
}

// report_lock adds the mutex's figures over `requests` requests and `wall_ns` of run.
void report_lock(benchmark::State& state, std::int64_t requests, double wall_ns) {
  const bench::LockStats s = bench::stats();
  const auto acquisitions = static_cast<double>(s.acquisitions);
  state.counters["locks_per_req"] = acquisitions / static_cast<double>(requests);
  state.counters["hold_ns"] = s.hold_ns / acquisitions;
  state.counters["contended_pct"] = 100.0 * static_cast<double>(s.contended) / acquisitions;
  state.counters["wait_ns"] = s.contended ? s.wait_ns / static_cast<double>(s.contended) : 0.0;
  state.counters["held_pct"] = 100.0 * s.hold_ns / wall_ns;
  state.counters["probe_ns"] = bench::probe_cost_ns();
}

double since_ns(std::chrono::steady_clock::time_point start) {
  return static_cast<double>(
      std::chrono::nanoseconds(std::chrono::steady_clock::now() - start).count());
}

// One requester; every acquisition finds the connection it released.
void BM_AcquireReleaseIdle(benchmark::State& state) {
  asio::io_context io(1);
  FakeDialer dialer;
  dialer.auto_complete = true;
  pool::SteadyClock clock;
  pool::Transport t({}, dialer, clock);
  pool::HostPool* host = t.host_for(bench_key());
  probe_transport_lock(t);
  const auto start = std::chrono::steady_clock::now();
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (auto _ : state) {
          pool::Acquired a = co_await t.get_conn(host, nullptr, {});
          t.release(a.conn, true, true, pool::CloseReason::server_close);
        }
      },
      asio::detached);
  io.run();
  state.SetItemsProcessed(state.iterations());
  report_lock(state, state.iterations(), since_ns(start));
}
BENCHMARK(BM_AcquireReleaseIdle);

// `requesters` coroutines on each of `threads` threads share one transport capped at
// `cap` connections; each acquisition holds its connection across one scheduling turn.
constexpr std::int64_t kAcquisitions = 500'000;

void run_shared(benchmark::State& state, int threads, int requesters, int cap) {
  FakeDialer dialer;
  dialer.auto_complete = true;
  pool::SteadyClock clock;
  pool::TransportOptions o;
  o.max_conns_per_host = cap;
  o.max_idle_conns_per_host = threads * requesters;
  pool::Transport t(o, dialer, clock);
  pool::HostPool* host = t.host_for(bench_key());
  std::atomic<std::int64_t> done{0};
  probe_transport_lock(t);
  const auto start = std::chrono::steady_clock::now();

  std::vector<std::unique_ptr<asio::io_context>> ios;
  for (int i = 0; i < threads; ++i) ios.push_back(std::make_unique<asio::io_context>(1));
  auto requester = [&](asio::io_context& io) -> asio::awaitable<void> {
    while (done.fetch_add(1, std::memory_order_relaxed) < kAcquisitions) {
      pool::Acquired a = co_await t.get_conn(host, nullptr, {});
      co_await asio::post(io, asio::use_awaitable);
      t.release(a.conn, true, true, pool::CloseReason::server_close);
    }
  };
  for (auto _ : state) {
    for (auto& io : ios) {
      for (int r = 0; r < requesters; ++r) asio::co_spawn(*io, requester(*io), asio::detached);
    }
    std::vector<std::thread> pool_threads;
    for (auto& io : ios) pool_threads.emplace_back([&io] { io->run(); });
    for (auto& th : pool_threads) th.join();
  }
  state.SetItemsProcessed(kAcquisitions);
  state.counters["ns_per_acquire"] =
      benchmark::Counter(static_cast<double>(kAcquisitions),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  report_lock(state, kAcquisitions, since_ns(start));
}

void BM_HandoffCap2(benchmark::State& state) { run_shared(state, 1, 200, 2); }
BENCHMARK(BM_HandoffCap2)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_HandoffCap2TwoThreads(benchmark::State& state) { run_shared(state, 2, 100, 2); }
BENCHMARK(BM_HandoffCap2TwoThreads)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_UncappedTwoThreads(benchmark::State& state) { run_shared(state, 2, 100, 0); }
BENCHMARK(BM_UncappedTwoThreads)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace hload::test

BENCHMARK_MAIN();
